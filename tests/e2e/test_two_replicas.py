"""Two `loopbot run` processes on one PostgreSQL behind one Slack endpoint, against the
stand-ins: a command (and Slack's retry of it, sent to the other replica) is handled once,
one scheduler runs at a time, the other takes over within its lease when the first is
killed with SIGKILL, and the tagging-day announcement is posted once.

The lease is short here (3 s, renewed every 0.5 s) so the test takes seconds; `loopbot
run` uses 30 s and 10 s (takeover within 40 s)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from sqlalchemy import NullPool, create_engine, text

from bot.config.settings import CalendarSettings, Settings
from bot.entrypoints.leader import LEASE
from bot.sandbox.slack.signed import SlackRequests
from bot.sandbox.world import SIGNING_SECRET, Sandbox
from bot.store import Store
from bot.store.tables import JOBS_TABLE
from tests.fixtures.scheduler import pinned
from tests.fixtures.store import (
    fresh_postgres_database,
    migrated_sqlite_url,
    postgres_server_url,
)

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS, RENEW_SECONDS = 3.0, 0.5
OPS = "U0OPS0001"
T = TypeVar("T")


@pytest.fixture
def database() -> Iterator[str]:
    yield from fresh_postgres_database(postgres_server_url())


def start_replicas(base: Settings, sandbox: Sandbox, database: str, tmp_path: Path,
                   count: int = 2) -> list[Replica]:
    """`count` replicas started together on `database`, once each serves."""
    bot_settings = sandbox.settings(base, database_url=database)
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps(
        bot_settings.model_dump(mode="json", exclude={"secrets", "source"})))
    environ = {**os.environ, **_secret_environment(bot_settings)}
    replicas = [Replica(settings_file, environ) for _ in range(count)]
    try:
        for replica in replicas:
            replica.wait_started()
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


def due_now(base: Settings) -> Settings:
    """A calendar whose tagging day is today, announced two minutes ago, in a zone where
    it is around noon (so two minutes ago is today, whenever the test runs)."""
    now = dt.datetime.now(dt.UTC)
    offset = 12 - now.hour  # Etc/GMT-N is UTC+N
    zone = "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    local = now + dt.timedelta(hours=offset)
    calendar = CalendarSettings(anchor=local.date(), period_weeks=2, prod_offset_days=6,
                                announce_at=(local - dt.timedelta(minutes=2)).time(),
                                skip=())
    return base.model_copy(update={"timezone": zone, "calendar": calendar})


class Replica:
    def __init__(self, settings_file: Path, environ: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.replica", str(settings_file),
             str(LEASE_SECONDS), str(RENEW_SECONDS)],
            cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.started: dict[str, Any] = {}

    def wait_started(self) -> Replica:
        """Once it serves: the JSON line `loopbot run` prints."""
        line = _within(60, self.process.stdout.readline)  # type: ignore[union-attr]
        assert line.startswith("{"), f"replica did not start: {line!r} {self.stderr()}"
        self.started = json.loads(line)
        return self

    @property
    def name(self) -> str:
        return str(self.started["process"])

    def stderr(self) -> str:
        """What it logged, once it has ended (read once)."""
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        if not hasattr(self, "_stderr"):
            self._stderr = self.process.stderr.read()
        return self._stderr

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.mark.postgres
def test_two_replicas_handle_each_command_once_and_hand_the_scheduler_over(
    settings: Settings, tmp_path: Path, database: str
) -> None:
    base = due_now(pinned(settings))
    with Sandbox.start(base, state_dir=tmp_path / "sandbox") as sandbox:
        store = Store(database)
        replicas = start_replicas(base, sandbox, database, tmp_path)
        try:
            announced = _eventually(lambda: _announcements(sandbox))
            assert len(announced) == 1

            # A command reaches one replica; Slack's retry of it reaches the other.
            first, second = (SlackRequests(r.started["slack"], SIGNING_SECRET, sandbox.slack)
                             for r in replicas)
            body = {"trigger_id": "8421337.5503.ab12cd34ef56"}
            answers = _together(
                lambda: first.command(OPS, 'change "Raise the uWSGI workers to 16"', **body),
                lambda: second.command(OPS, 'change "Raise the uWSGI workers to 16"',
                                       retry_num=1, **body))
            assert [a.status_code for a in answers] == [200, 200]
            _eventually(lambda: _changes(sandbox))
            time.sleep(1.0)  # the replica that lost the claim had time to (wrongly) post
            assert [m.text for m in _changes(sandbox)] == [_changes(sandbox)[0].text]
            assert "change-1" in _changes(sandbox)[0].text

            # One scheduler: the lease names one of the two; kill it, the other takes over.
            holder = store.lease_holder(LEASE)
            leader = next(r for r in replicas if r.name == holder)
            other = next(r for r in replicas if r is not leader)
            leader.process.send_signal(signal.SIGKILL)
            leader.process.wait(timeout=10)
            killed_at = time.time()
            assert _eventually(lambda: store.lease_holder(LEASE) == other.name, seconds=20)
            took_over = time.time() - killed_at
            assert took_over < LEASE_SECONDS + RENEW_SECONDS + 5
            # Its scheduler started and ran the tick at once (next one in a minute)...
            assert _eventually(lambda: _next_tick(database) > killed_at + 30)
            # ...and found today's announcement claimed: still posted once.
            assert len(_announcements(sandbox)) == 1
            other.stop()
            logs = {r.name: r.stderr() for r in replicas}
            assert logs[leader.name].count("starting the scheduler") == 1
            assert logs[other.name].count("starting the scheduler") == 1  # only once it died
            assert "lease lost" not in logs[other.name]
        finally:
            for replica in replicas:
                replica.stop()
            store.dispose()


def _secret_environment(settings: Settings) -> dict[str, str]:
    values = settings.secrets.model_dump()
    return {name.upper(): value.get_secret_value() for name, value in values.items()
            if value is not None}


def _announcements(sandbox: Sandbox) -> list[Any]:
    return [m for m in sandbox.slack.messages("#loop")
            if m.text.startswith("loop-server: tagging day")]


def _changes(sandbox: Sandbox) -> list[Any]:
    return [m for m in sandbox.slack.messages("#loop") if "change-" in m.text]


def _next_tick(database: str) -> float:
    engine = create_engine(database, poolclass=NullPool)
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT next_run_time FROM {JOBS_TABLE}")).scalar()
    engine.dispose()
    return float(found or 0)


def _together(*calls: Callable[[], T]) -> list[T]:
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def call(i: int) -> None:
        barrier.wait(timeout=10)
        results[i] = calls[i]()  # type: ignore[call-overload]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results  # type: ignore[return-value]


def _within(seconds: float, read: Callable[[], str]) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(read()), daemon=True)
    reader.start()
    reader.join(timeout=seconds)
    return found[0] if found else ""


def _eventually(check: Callable[[], T], seconds: float = 15.0) -> T:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_two_replicas_started_together_on_sqlite_both_serve_and_one_schedules(
    settings: Settings, tmp_path: Path
) -> None:
    """Issue 8 item 9 on SQLite ("database is locked" at start): nothing is created at
    start any more, and the lease is taken by exactly one of them."""
    database = migrated_sqlite_url(tmp_path / "loopbot.db")
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        replicas = start_replicas(pinned(settings), sandbox, database, tmp_path)
        store = Store(database)
        try:
            for replica in replicas:
                assert requests.get(f"{replica.started['url']}/health", timeout=10).ok
            holder = _eventually(lambda: store.lease_holder(LEASE))
            assert holder in [r.name for r in replicas]
            replicas.sort(key=lambda r: r.name == holder)  # the leader last: a clean stop
        finally:                                           # hands the lease over at once
            for replica in replicas:
                replica.stop()
            store.dispose()
        logs = [r.stderr() for r in replicas]
        assert [log.count("starting the scheduler") for log in logs] == [0, 1]
        assert not any("Traceback" in log or "database is locked" in log for log in logs)
