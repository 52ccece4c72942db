"""`loopbot run` in this process (bot/entrypoints/production.py, on waitress): it answers
signed Slack requests, Dockerflow's endpoints, /health, the calendar and the web board, and the
scheduler's tick job is stored in the bot's database. tests/e2e/test_loopbot_run_process.py
runs it as a process."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
import requests

from bot.config.settings import ConfigError, Settings
from bot.entrypoints.production import run
from bot.entrypoints.scheduler import JOB_ID, JOBS_TABLE
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import SlackRequests
from bot.sandbox.world import SIGNING_SECRET, Sandbox
from bot.store.schema import SchemaNotCurrent, upgrade


def test_loopbot_run_serves_slack_health_calendar_and_schedules_the_tick(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "loopbot.db"
    stop = threading.Event()
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        bot_settings = sandbox.settings(settings, database_url=f"sqlite:///{database}")
        upgrade(bot_settings.db_url)  # `loopbot db upgrade`, as the README says to first
        serving = threading.Thread(target=run, args=(bot_settings,), kwargs={
            "port": 0, "stop": stop, "version_dir": tmp_path}, daemon=True)
        serving.start()
        try:
            started = _started(capsys)
            assert requests.get(f"{started['url']}/health", timeout=5).json() == {"ok": True}
            beat = requests.get(f"{started['url']}/__heartbeat__", timeout=10)
            assert beat.status_code == 200, beat.text
            assert beat.json()["checks"] == {"database": "ok", "scheduler": "ok",
                                             "slack": "ok", "github": "ok", "bugzilla": "ok"}
            feed = requests.get(f"{started['url']}/calendar.ics", timeout=5)
            events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
            assert any("loop-server" in str(e["SUMMARY"]) for e in events)
            assert started["board"] == f"{started['url']}/"
            board = requests.get(started["board"], timeout=10)
            assert board.status_code == 200 and 'data-env="prod"' in board.text

            signed = SlackRequests(started["slack"], SIGNING_SECRET, sandbox.slack)
            assert signed.command("U0QA00001", "help").status_code == 200
            assert _eventually(lambda: sandbox.slack.ephemerals("U0QA00001"))
            assert "/loop tag" in json.dumps(sandbox.slack.ephemerals("U0QA00001")[-1].blocks)
        finally:
            stop.set()
            serving.join(timeout=30)
    assert not serving.is_alive()
    with sqlite3.connect(database) as db:
        assert db.execute(f"SELECT id FROM {JOBS_TABLE}").fetchall() == [(JOB_ID,)]


def test_loopbot_run_refuses_a_database_without_the_schema_naming_the_command(
    settings: Settings, tmp_path: Path
) -> None:
    database = tmp_path / "never-upgraded.db"
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        bot_settings = sandbox.settings(settings, database_url=f"sqlite:///{database}")
        with pytest.raises(SchemaNotCurrent, match="run `loopbot db upgrade` first"):
            run(bot_settings, port=0)
    with sqlite3.connect(database) as db:  # nothing was created, not even the job store
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []


def _started(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """The JSON line `loopbot run` prints once it serves."""
    seen = ""
    for _ in range(200):
        seen += capsys.readouterr().out
        for line in seen.splitlines():
            if line.startswith("{"):
                return json.loads(line)
        time.sleep(0.05)
    raise AssertionError(f"loopbot run did not start: {seen!r}")


def _eventually(check: Callable[[], list[Posted]], seconds: float = 10.0) -> list[Posted]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    return []


def test_loopbot_run_on_a_taken_port_says_so_and_starts_nothing(
    settings: Settings, tmp_path: Path,
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
            bot_settings = sandbox.settings(settings,
                                            database_url=f"sqlite:///{tmp_path / 'bot.db'}")
            upgrade(bot_settings.db_url)
            with pytest.raises(ConfigError) as refused:
                run(bot_settings, port=port, stop=threading.Event())
    finally:
        taken.close()
    assert str(refused.value).startswith(f"cannot start: cannot listen on 127.0.0.1:{port} (")
    assert str(refused.value).endswith("check --host and --port")
    with sqlite3.connect(tmp_path / "bot.db") as db:  # no scheduler started: no job stored
        assert db.execute(f"SELECT id FROM {JOBS_TABLE}").fetchall() == []
