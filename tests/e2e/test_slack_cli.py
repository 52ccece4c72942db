"""`loopbot manifest` and `loopbot run`, as a person runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def loopbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.entrypoints.cli", *args, "--config",
                           str(REPO / "app.yaml")], capture_output=True, text=True,
                          timeout=60, cwd=REPO, env={"PATH": "/usr/bin:/bin", **(env or {})})


def test_manifest_declares_the_command_scopes_and_home_event() -> None:
    http = yaml.safe_load(loopbot("manifest", "--url", "https://bot.example.org/slack/events"
                                  ).stdout)
    assert http["features"]["slash_commands"][0]["command"] == "/loop"
    assert http["features"]["slash_commands"][0]["url"] == "https://bot.example.org/slack/events"
    assert set(http["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "chat:write.public", "users:read", "usergroups:read"}
    assert http["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert http["settings"]["interactivity"]["is_enabled"] is True
    socket = yaml.safe_load(loopbot("manifest", "--socket-mode").stdout)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in socket["features"]["slash_commands"][0]


def test_run_names_the_missing_environment_variables() -> None:
    done = loopbot("run", "--port", "0")
    assert done.returncode == 2
    assert done.stderr.strip() == ("loopbot: cannot start: set the environment variable(s) "
                                   "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, GITHUB_TOKEN, "
                                   "BUGZILLA_API_KEY")
    socket = loopbot("run", "--socket-mode", env={"SLACK_BOT_TOKEN": "xoxb-not-printed",
                                                  "GITHUB_TOKEN": "ghp_not_printed"})
    assert "SLACK_APP_TOKEN, BUGZILLA_API_KEY" in socket.stderr
    assert "Traceback" not in socket.stderr and "not-printed" not in socket.stderr
