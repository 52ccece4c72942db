"""Issue 17: the reads every scheduler tick, board page, `/loop status` and App Home make
are answered from an index that matches them, on SQLite and PostgreSQL, so years of
releases and audit entries cost them nothing. Each read is run through the store, its
SQL caught as sent to the driver and explained by the database itself (SQLite's
EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN with sequential scans discouraged after
ANALYZE), and the plan must name the index meant for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from bot.domain.audit import AuditEntry
from bot.domain.lifecycle import supersedable_states
from bot.domain.loadtest import Window
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Release, State
from bot.domain.rules import not_final_states
from bot.store import Store
from bot.store.uow import UnitOfWork

SERVICE = "loop-server"
START = dt.datetime(2024, 1, 9, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
KEY = "devlag-seen:loop-server:5af4054"
IN_FLIGHT = not_final_states(DEFAULT)
SUPERSEDABLE = supersedable_states(DEFAULT)

# (what reads it, the read, the index its plan must use)
HOT: list[tuple[str, Callable[[UnitOfWork], object], str]] = [
    ("board and /loop status: releases in flight",
     lambda uow: uow.releases.find(SERVICE, states=IN_FLIGHT),
     "ix_releases_service_state_created_at_id"),
    ("board and App Home: the last releases done",
     lambda uow: uow.releases.find(SERVICE, states=[State.DONE], limit=5),
     "ix_releases_service_state_created_at_id"),
    ("tick: this cycle's release",
     lambda uow: uow.releases.find(SERVICE, states=IN_FLIGHT, since=NOW),
     "ix_releases_service_state_created_at_id"),
    ("a stage request: releases it supersedes",
     lambda uow: uow.releases.find(SERVICE, states=SUPERSEDABLE),
     "ix_releases_service_state_created_at_id"),
    ("release page: its audit trail", lambda uow: uow.audit.find(SERVICE, "0.13.40"),
     "ix_audit_service_version_id"),
    ("tick: the watch's last sighting",
     lambda uow: uow.audit.last(SERVICE, "seen on stage", "scheduler"),
     "ix_audit_service_action_actor_id"),
    ("tick: sightings recorded by an older loopbot",
     lambda uow: uow.audit.count(SERVICE, "seen on stage", "scheduler"),
     "ix_audit_service_action_actor_id"),
    ("tick: when dev's lag was first seen",
     lambda uow: uow.audit.first_of_request(KEY, "dev behind master"), "ix_audit_request_id"),
    ("tick and board: load-test windows not over",
     lambda uow: uow.loadtests.windows(ending_after=NOW), "ix_load_test_windows_end"),
]


@pytest.fixture
def history(store: Store) -> Store:
    """Two years of fortnightly releases, each tagged, watched and done, a few in flight."""
    with store.unit_of_work() as uow:
        for n in range(60):
            at = START + dt.timedelta(days=14 * n)
            version = f"0.13.{n}"
            state = State.DONE if n < 57 else State.STAGE_DEPLOYED
            uow.releases.add(Release(SERVICE, version, state, tag=version, created_at=at,
                                    updated_at=at))
            for action, actor in (("tag", "U0DEV0001"), ("seen on stage", "scheduler"),
                                  ("seen on prod", "scheduler"), ("verify prod", "U0QA00001")):
                uow.audit.add(AuditEntry(actor, action, SERVICE, version, at=at,
                                         request_id=f"{action}:{version}"))
            uow.loadtests.add_window(Window(SERVICE, version, at, at + dt.timedelta(hours=2),
                                  actor="U0QA00001"))
        uow.commit()
    return store


@pytest.fixture
def statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement any engine sends to its driver meanwhile, with its parameters."""
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        caught.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", catch)
    yield caught
    event.remove(Engine, "before_cursor_execute", catch)


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        conn.execute(text("ANALYZE"))
        conn.execute(text("SET enable_seqscan = off"))
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return "\n".join(str(row[0]) for row in rows)


@pytest.mark.parametrize(("who", "read", "index"), HOT, ids=[h[0] for h in HOT])
def test_a_hot_read_uses_its_index(history: Store, statements: list[tuple[str, Any]],
                                   who: str, read: Callable[[UnitOfWork], object],
                                   index: str) -> None:
    with history.unit_of_work() as uow:
        read(uow)
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    assert selects, who
    engine = create_engine(history.url)
    try:
        first = plan(engine, *selects[0])
    finally:
        engine.dispose()
    assert index in first, f"{who}:\n{selects[0][0]}\n{first}"
    assert "SCAN audit" not in first and "SCAN releases" not in first, first
