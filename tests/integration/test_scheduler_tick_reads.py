"""What a quiet scheduler tick asks of the database (issue 20's tick): after the tick that
posted the day's announcement, the next minute's tick writes nothing (the occurrences
it passes are known claimed) and reads the releases it follows once per service, for
the late steps and the monitoring together."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.jobs import run_due
from tests.fixtures.scheduler import Rehearsal, paris

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
