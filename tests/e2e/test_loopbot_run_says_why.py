"""`loopbot run` as OPS runs it (a process, against `loopbot sandbox serve`), where a
person would otherwise wait in silence (issue 20): a first start with slow partners says
what it is waiting for, line by line; a SIGTERM that cuts a request short before the bot's
first message tells the person so, and whether to send it again."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import requests
import yaml

from bot.sandbox.served import config_for, first_json_line, secrets_of
from bot.sandbox.served import loopbot as process
from tests.e2e.test_loopbot_run_process import signed_command
from tests.fixtures.processes import ROOT, ResponseUrls
from tests.fixtures.store import migrated_sqlite_url

SLACK_LATENCY = 1.3  # seconds: Slack answers late at the first start (a wait is said after
# 1 s: 0.3 s to spare for the timer, and each of the two waits costs no more)
CUT_LATENCY = 20.0  # GitHub while the request is under way: the stop comes first
STOP_GRACE = 0.5  # seconds (app.yaml's server.stop_grace): the tag is cut whatever it is


def quick_to_stop(config: Path) -> Path:
    """`config` with a short stop grace and no pause between GitHub requests (the
    stand-in has no rate limits): what the test waits on is Slack's latency alone."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.setdefault("server", {})["stop_grace"] = STOP_GRACE
    settings["github"].update(seconds_between_requests=0, seconds_between_writes=0)
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return config


def slow(where: dict[str, Any], partner: str, seconds: float) -> None:
    base = where[partner]["url"].removesuffix("/").removesuffix("api").removesuffix("/rest")
    requests.post(f"{base.rstrip('/')}/__sandbox__/faults", json={"latency": seconds},
                  timeout=5).raise_for_status()


def test_a_first_start_says_what_it_waits_for_and_a_stop_tells_whom_it_cuts(
    sandbox_where: dict[str, Any], response_urls: ResponseUrls, tmp_path: Path,
) -> None:
    where = sandbox_where
    database = migrated_sqlite_url(tmp_path / "loopbot.db")  # what `db upgrade` makes
    secrets = secrets_of(where, tmp_path / "loopbot.db")
    assert secrets["DATABASE_URL"] == database
    env = {**os.environ, "PYTHONPATH": str(ROOT), **secrets, "LOG_FORMAT": "text",
           "LOG_LEVEL": "INFO"}
    config = quick_to_stop(config_for(where, tmp_path / "app.yaml"))
    slow(where, "slack", SLACK_LATENCY)
    with process(["run", "--config", str(config), "--port", "0"], tmp_path, env) as bot:
        started = first_json_line(bot)
        slow(where, "slack", 0)
        slow(where, "github", CUT_LATENCY)
        ack = signed_command(started["slack"], secrets["SLACK_SIGNING_SECRET"], "U0DEV0001",
                             "tag 0.13.0", response_urls.url)
        assert ack.status_code == 200
        # acked: its work is held, or begun and reading GitHub (slowly); either way cut
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=30) == 0
        assert bot.stderr is not None
        logs = bot.stderr.read()
    slow(where, "github", 0)

    # the start said what it was waiting for, before the bot was up (GitHub and Bugzilla
    # answered at once: nothing said about them)
    assert "waiting for GitHub" not in logs and "waiting for Bugzilla" not in logs
    before_up = logs.split("serving Slack at")[0]
    slack = where["slack"]["url"]
    for line in (f"waiting for Slack at {slack} (up to 5 s)\n",
                 f"done waiting for Slack at {slack}: ",
                 f"waiting for Slack's auth.test at {slack} (the Slack app starts)",
                 "first start for loop-server: reading the releases made before the bot",
                 "first start for loop-client", "loop-client has no release made before"):
        assert line in before_up, (line, logs[-3000:])

    # the person learned that the tag was cut short, and whether to send it again
    assert len(response_urls.answers) == 1, response_urls.answers
    told = response_urls.answers[0]
    assert told["response_type"] == "ephemeral"
    assert "I was stopped (a restart of the bot)" in told["text"]
    assert "`/loop tag 0.13.0`" in told["text"]
    assert ("repeating the same command finishes what was started" in told["text"]
            or "Send the same command again once I am back" in told["text"]), told["text"]
    assert "(1 caller(s) told)" in logs
    assert f"stopping: Slack work under way gets {STOP_GRACE:g} s" in logs
