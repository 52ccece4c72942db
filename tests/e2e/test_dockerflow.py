"""Dockerflow's endpoints over HTTP, and `loopbot run` refusing to start on a partner it
cannot work with: one line naming the partner, its URL and what to check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from pydantic import SecretStr

from bot.entrypoints.health import Health
from bot.entrypoints.production import StartRefused, check_partners
from bot.entrypoints.server import Server, serve
from bot.store.schema import upgrade
from tests.fixtures.app import LoopWorld

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(loop_world: LoopWorld, tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """The bot's routes with a heartbeat whose version.json folder is `tmp_path/app`, and a
    scheduler that is running until the test says otherwise."""
    folder = tmp_path / "app"
    folder.mkdir()
    running = {"scheduler": True}
    health = Health(loop_world.app.ctx, folder, scheduler_running=lambda: running["scheduler"],
                    probe_timeout=2.0)
    server = serve(loop_world.app, health=health)
    server.running = running  # type: ignore[attr-defined]
    yield server, folder
    server.stop()


def test_heartbeat_is_ok_when_every_check_passes(served: tuple[Server, Path]) -> None:
    server, _ = served
    beat = requests.get(f"{server.url}/__heartbeat__", timeout=10)
    assert beat.status_code == 200
    assert beat.json() == {"status": "ok", "details": {}, "checks": {
        "database": "ok", "scheduler": "ok", "slack": "ok", "github": "ok", "bugzilla": "ok"}}


def test_heartbeat_names_each_failing_check_with_500(
    served: tuple[Server, Path], loop_world: LoopWorld,
) -> None:
    server, _ = served
    loop_world.sandbox.bugzilla.faults.fail_next(503, count=20)
    server.running["scheduler"] = False  # type: ignore[attr-defined]
    beat = requests.get(f"{server.url}/__heartbeat__", timeout=10)
    assert beat.status_code == 500
    body = beat.json()
    assert body["status"] == "error"
    assert body["checks"] == {"database": "ok", "scheduler": "error", "slack": "ok",
                              "github": "ok", "bugzilla": "error"}
    assert set(body["details"]) == {"scheduler", "bugzilla"}
    bugzilla = body["details"]["bugzilla"]
    assert bugzilla["status"] == "error"
    said = bugzilla["messages"]["loopbot.bugzilla.E001"]
    assert "HTTP 503" in said and loop_world.sandbox.bugzilla.url in said
    assert "sandbox" not in said.split("at ")[0]  # no API key in the text
    assert loop_world.settings.secrets.bugzilla_api_key.get_secret_value() not in beat.text


def test_lbheartbeat_answers_200_without_checking(
    served: tuple[Server, Path], loop_world: LoopWorld,
) -> None:
    server, _ = served
    loop_world.sandbox.slack.faults.fail_next(500, count=20)
    answer = requests.get(f"{server.url}/__lbheartbeat__", timeout=5)
    assert (answer.status_code, answer.content) == (200, b"")
    assert requests.get(f"{server.url}/__heartbeat__", timeout=10).status_code == 500


def test_version_comes_from_version_json_or_says_unknown(served: tuple[Server, Path]) -> None:
    server, folder = served
    fallback = requests.get(f"{server.url}/__version__", timeout=5).json()
    assert fallback["commit"] == "unknown" and fallback["version"] == "0.1.0"
    assert set(fallback) == {"source", "version", "commit", "build"}
    built = {"source": "https://github.com/mozilla-services/loopbot", "version": "0.2.0",
             "commit": "9e1d0c4b6a3f", "build": "https://ci.example/loopbot/12"}
    (folder / "version.json").write_text(json.dumps(built), encoding="utf-8")
    assert requests.get(f"{server.url}/__version__", timeout=5).json() == built
    (folder / "version.json").write_text("{broken", encoding="utf-8")
    assert requests.get(f"{server.url}/__version__", timeout=5).json() == fallback


def test_start_refused_when_github_refuses_the_token(loop_world: LoopWorld) -> None:
    secrets = loop_world.settings.secrets.model_copy(
        update={"github_token": SecretStr("ghp_revoked0000")})
    with pytest.raises(StartRefused) as refused:
        check_partners(loop_world.settings.model_copy(update={"secrets": secrets}))
    said = str(refused.value)
    assert said.startswith("cannot start: GitHub at ")
    assert "check GITHUB_TOKEN" in said and "\n" not in said
    assert "ghp_revoked0000" not in said


def test_loopbot_run_with_slack_unreachable_says_so_in_one_line(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
    config["slack"]["api_url"] = "http://127.0.0.1:9/api/"  # discard port: refused
    config["github"]["url"] = "http://127.0.0.1:9"
    config["bugzilla"]["url"] = "http://127.0.0.1:9/rest"
    (tmp_path / "app.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-unused-4242",
           "SLACK_SIGNING_SECRET": "s3cr3t-signing", "GITHUB_TOKEN": "ghp_unused4242",
           "BUGZILLA_API_KEY": "bzkey-unused-4242", "LOG_FORMAT": "text",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'loopbot.db'}"}
    upgrade(env["DATABASE_URL"])  # `loopbot db upgrade`: the schema is not what is missing
    done = subprocess.run([sys.executable, "-m", "bot.entrypoints.cli", "run", "--port", "0"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "loopbot: cannot start: Slack at http://127.0.0.1:9/api/: unreachable (connection "
        "failed); check slack.api_url in the configuration and the network"], done.stderr
    assert "Traceback" not in done.stderr
    for secret in ("xoxb-unused-4242", "ghp_unused4242", "bzkey-unused-4242"):
        assert secret not in done.stderr + done.stdout
