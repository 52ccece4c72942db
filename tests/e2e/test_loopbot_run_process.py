"""`loopbot run` as OPS runs it: a process of its own on waitress, configured by a YAML file
and environment variables, against the stand-ins of `loopbot sandbox serve` (another
process). Reached only over HTTP: signed Slack requests, Dockerflow's endpoints. Its whole
log output (JSON, mozlog) is read back: every line one object, none holding a secret. A
SIGTERM while the scheduler's first tick reads slow environments stops it at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from bot.sandbox.served import config_for, first_json_line, secrets_of
from bot.sandbox.served import loopbot as process
from tests.fixtures.processes import ResponseUrls

ROOT = Path(__file__).resolve().parents[2]
ENV_LATENCY = 4.0  # loop-server's environments answer this late (the bot waits 3 s)
CHANNEL_ID = "C0LOOP0001"  # the sandbox workspace's #loop


def signed_command(url: str, secret: str, user: str, text: str,
                   response_url: str) -> requests.Response:
    """A slash command as Slack sends it."""
    body = urlencode({
        "team_id": "T0LOOP0001", "channel_id": CHANNEL_ID, "channel_name": "loop",
        "user_id": user, "command": "/loop", "text": text, "api_app_id": "A0LOOPBOT1",
        "trigger_id": f"{int(time.time())}.{os.urandom(6).hex()}",
        "response_url": response_url,
    })
    stamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(),
                         hashlib.sha256).hexdigest()
    return requests.post(url, data=body, timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={signature}"})


def posted(where: dict[str, Any]) -> list[dict[str, Any]]:
    answer = requests.get(where["slack"]["url"].removesuffix("api/") + "__sandbox__/messages",
                          timeout=5)
    return list(answer.json()["messages"])


def eventually(check: Callable[[], Any], seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("not seen in time")


def test_loopbot_run_process_serves_slack_and_dockerflow_logs_json_and_stops_at_once(
    sandbox_where: dict[str, Any], response_urls: ResponseUrls, tmp_path: Path,
) -> None:
    where = sandbox_where
    workdir = tmp_path / "app"
    workdir.mkdir()
    built = {"source": "https://github.com/mozilla-services/loopbot", "version": "0.1.0",
             "commit": "4a9f1c2e0b7d", "build": "https://ci.example/loopbot/77"}
    (workdir / "version.json").write_text(json.dumps(built), encoding="utf-8")
    secrets = secrets_of(where, tmp_path / "loopbot.db")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **secrets, "LOG_FORMAT": "json",
           "LOG_LEVEL": "INFO"}
    config = config_for(where, tmp_path / "app.yaml")
    # as OPS would: the schema first, then the releases made before the bot (so the start
    # has nothing left to import)
    for command in (["db", "upgrade"], ["import"]):
        subprocess.run([sys.executable, "-m", "bot.entrypoints.cli",
                        *command, "--config", str(config)],
                       cwd=workdir, env=env, check=True, timeout=120, capture_output=True)
    slow = [url for name, url in where["environments"].items()
            if name.startswith("loop-server/")]
    for url in slow:  # the first tick reads them one after the other, slowly
        requests.post(f"{url}/__sandbox__/faults", json={"latency": ENV_LATENCY}, timeout=5)
    with process(["run", "--config", str(config), "--port", "0"], workdir, env) as bot:
        started = first_json_line(bot)
        base = started["url"]
        lb = requests.get(f"{base}/__lbheartbeat__", timeout=5)
        assert (lb.status_code, lb.content) == (200, b"")
        assert requests.get(f"{base}/__version__", timeout=5).json() == built
        beat = requests.get(f"{base}/__heartbeat__", timeout=15)
        assert (beat.status_code, beat.json()["status"]) == (200, "ok"), beat.text

        secret, hook = secrets["SLACK_SIGNING_SECRET"], response_urls.url
        helped = signed_command(started["slack"], secret, "U0QA00001", "help", hook)
        assert helped.status_code == 200
        eventually(lambda: response_urls.answers)
        assert "/loop tag" in json.dumps(response_urls.answers[-1])
        forged = signed_command(started["slack"], "not-the-secret", "U0QA00001", "help", hook)
        assert forged.status_code == 401
        change = signed_command(started["slack"], secret, "U0OPS0001",
                                'change "raise the room pool to 400"', hook)
        assert change.status_code == 200
        eventually(lambda: [m for m in posted(where) if "room pool" in json.dumps(m)])

        stopping = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=30)
        took = time.monotonic() - stopping
        assert bot.stderr is not None
        logs = bot.stderr.read()
    # the tick reading 3 environments, each timing out after 3 s, would take 9 s and more
    assert code == 0 and took < 5.0, (took, logs[-2000:])
    records = [json.loads(line) for line in logs.splitlines()]
    assert records and all({"Timestamp", "Type", "Severity", "Fields"} <= set(r)
                           for r in records)
    # Bolt reads SLACK_BOT_TOKEN itself and warned on every start that it went unused
    assert not [r for r in records if "will be unused" in json.dumps(r)], logs[:2000]
    steps = [r["Fields"] for r in records if r["Type"] == "loopbot.steps"]
    assert any(s["uid"] == "U0OPS0001" and s["rid"] and s["service"] == "loop-server"
               and s["version"].startswith("change-") and s["loopbot_version"]
               for s in steps), steps
    for name, value in secrets.items():
        if name != "DATABASE_URL":
            assert value not in logs, f"{name} in the log output"
