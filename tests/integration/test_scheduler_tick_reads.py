"""What a quiet scheduler tick asks of the database (issue 20's tick): after the tick that
posted the day's announcement, the next minute's tick writes nothing (the occurrences
it passes are known claimed) and reads the releases it follows once per service, for
the late steps and the monitoring together, in one transaction with the load-test
windows; each environment is read once per tick, by the watch, for the monitoring and
dev's lag too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.jobs import run_due
from tests.fixtures.scheduler import SERVICE, Rehearsal, paris

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def statements(rehearsal: Rehearsal) -> Iterator[list[str]]:
    """The SQL sent to the rehearsal's database (not the stand-ins') while the test runs."""
    database = rehearsal.settings.db_url.rsplit("/", 1)[-1]
    caught: list[str] = []

    def catch(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if (conn.engine.url.database or "").endswith(database):
            caught.append(statement)

    event.listen(Engine, "before_cursor_execute", catch)
    yield caught
    event.remove(Engine, "before_cursor_execute", catch)


def test_a_quiet_tick_writes_nothing_and_reads_the_releases_once(
    rehearsal: Rehearsal, statements: list[str]
) -> None:
    r = rehearsal
    r.to_stage("0.13.0")
    assert any(" is tagged (cycle 1)" in p for p in r.run("2026-12-08 10:00"))
    bot = r.bots[0]
    moment = paris("2026-12-08 10:01")
    bot.clock.set(moment)
    statements.clear()
    run_due(bot.ctx, bot.chat, None, moment)
    assert r.new_posts() == []
    writes = [s for s in statements if s.lstrip().upper().startswith(WRITES)]
    assert writes == []
    release_reads = [s for s in statements if "\nFROM releases" in s]
    assert len(release_reads) == len(r.settings.services)
    # one transaction for the records every duty reads, one for the watch's sightings
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"] * 2


def reads(r: Rehearsal, env: str) -> tuple[int, int]:
    """(root reads, heartbeat reads) the stand-in of loop-server's `env` answered so far."""
    stand_in = r.sandbox.environment(SERVICE, env)
    return stand_in.count("GET", r"^/$"), stand_in.count("GET", r"^/__heartbeat__")


def tick(r: Rehearsal, when: str) -> None:
    bot = r.bots[0]
    bot.clock.set(paris(when))
    run_due(bot.ctx, bot.chat, None, paris(when))


def test_the_monitoring_polls_prod_as_the_watch_read_it_in_the_same_tick(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.at("2026-12-07 14:00")
    r.to_prod("0.13.0")
    r.run("2026-12-07 14:10")  # the monitoring window is open: prod polled each minute
    before = reads(r, "prod")
    tick(r, "2026-12-07 14:11")
    assert reads(r, "prod") == (before[0] + 1, before[1] + 1)
    other = r.new_bot()  # another process: the tick's poll of the slot is in the database
    try:
        assert other.ctx.store.claim(f"monitor:{SERVICE}:0.13.0:poll:11", "test") is False
    finally:
        other.stop()


def test_dev_lag_is_judged_on_the_watch_reading_of_dev(shipped_rehearsal: Rehearsal) -> None:
    r = shipped_rehearsal
    r.run("2026-12-07 14:00")
    before = reads(r, "dev")
    tick(r, "2026-12-07 14:01")
    assert reads(r, "dev") == (before[0] + 1, before[1] + 1)
