"""The migrations (bot/store/migrations) on SQLite and a real PostgreSQL: they build exactly
the models' schema (autogenerate finds no difference), APScheduler's job store table
included; they adopt a database made by loopbot before migrations with its rows intact;
`loopbot db` reports and refuses clearly."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import MetaData, NullPool, create_engine, text

from bot.domain.audit import AuditEntry
from bot.domain.release import Env, Release, State, Ticket
from bot.store import Store
from bot.store.schema import (
    SchemaNotCurrent,
    alembic_config,
    head_revision,
    require_current,
    revision_of,
    revisions,
    upgrade,
)
from bot.store.tables import JOBS_TABLE, metadata
from tests.fixtures.store import fresh_postgres_database, postgres_server_url
from tests.integration.racers import racing_context, upgrade_in_process

LEGACY = Path(__file__).with_name("legacy")
RACERS = 4
SHA = "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database (no table at all), on SQLite then on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from fresh_postgres_database(postgres_server_url(), migrated=False)


def differences(url: str, target: MetaData = metadata,
                only: Callable[[str], bool] = lambda _: True) -> list[Any]:
    """What autogenerate would change to make the database match `target`."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            options = {"compare_type": True, "include_name": lambda name, kind, _parent:
                       kind != "table" or (name != "alembic_version" and only(name))}
            return compare_metadata(MigrationContext.configure(conn, opts=options), target)
    finally:
        engine.dispose()


def test_the_revisions_read_from_the_files_are_those_alembic_reads() -> None:
    """The start's check reads the revisions without Alembic: the same graph and head."""
    scripts = ScriptDirectory.from_config(alembic_config())
    assert revisions() == {script.revision: tuple(script._normalized_down_revisions)
                           for script in scripts.walk_revisions()}
    assert [head_revision()] == scripts.get_heads()


def test_upgrade_builds_exactly_the_models_on_an_empty_database(empty_url: str) -> None:
    assert revision_of(empty_url).current is None
    state = upgrade(empty_url)
    assert state.current == state.head == head_revision()
    assert differences(empty_url) == []
    assert require_current(empty_url) == state


def test_upgrade_twice_changes_nothing(empty_url: str) -> None:
    first = upgrade(empty_url)
    assert upgrade(empty_url) == first
    assert differences(empty_url) == []


def test_the_job_store_table_is_the_one_apscheduler_defines(empty_url: str) -> None:
    upgrade(empty_url)
    apscheduler = MetaData()
    SQLAlchemyJobStore(url=empty_url, tablename=JOBS_TABLE, metadata=apscheduler).engine.dispose()
    assert differences(empty_url, apscheduler, only=lambda name: name == JOBS_TABLE) == []


def test_a_database_made_before_migrations_is_adopted_with_its_rows(
    empty_url: str, request: pytest.FixtureRequest
) -> None:
    """Today's landed code: `create_all` of the models, then `loopbot run` made the job
    store table and stored its job; a release, tickets, audit, steps and claims in it."""
    dialect = "sqlite" if empty_url.startswith("sqlite") else "postgresql"
    _execute_script(empty_url, (LEGACY / f"create_all_{dialect}.sql").read_text())
    _store_the_tick_job(empty_url)
    before = Store(empty_url)
    request.addfinalizer(before.dispose)
    release = _record_a_release(before)

    with pytest.raises(SchemaNotCurrent, match="before migrations.*loopbot db upgrade"):
        require_current(empty_url)
    assert upgrade(empty_url).current == head_revision()

    assert differences(empty_url) == []
    after = Store(empty_url)
    request.addfinalizer(after.dispose)
    with after.unit_of_work() as uow:
        assert uow.releases.get("loop-server", "0.31.0") == release
        assert [e.action for e in uow.audit.find("loop-server")] == ["tag"]
        step = uow.steps.get("loop-server:0.31.0:tag")
        assert step is not None and step.done and step.result == {"tag": "0.31.0"}
    assert after.claim("announce:loop-server:2027-02-16", "scheduler") is False
    assert _job_ids(empty_url) == ["loopbot-tick"]


def test_a_sandbox_database_made_before_migrations_gets_the_job_store_table(
    empty_url: str
) -> None:
    """The sandbox never started APScheduler: its old database has no job store table."""
    dialect = "sqlite" if empty_url.startswith("sqlite") else "postgresql"
    _execute_script(empty_url, (LEGACY / f"create_all_{dialect}.sql").read_text())
    upgrade(empty_url)
    assert differences(empty_url) == []
    assert _job_ids(empty_url) == []


def test_a_database_of_a_newer_loopbot_is_refused_naming_the_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    upgrade(url)
    with sqlite3.connect(tmp_path / "newer.db") as db:
        db.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(SchemaNotCurrent, match="revision f00dfeed, which this loopbot does "
                                               "not know"):
        require_current(url)
    with pytest.raises(SchemaNotCurrent, match="revision f00dfeed"):
        upgrade(url)


def _execute_script(url: str, script: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    statements = [s for s in script.split(";") if s.strip(" \n-") and "CREATE" in s]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _store_the_tick_job(url: str) -> None:
    """What `loopbot run` did before migrations: its job store made its table on start."""
    store = SQLAlchemyJobStore(url=url, tablename=JOBS_TABLE)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=dt.UTC)
    scheduler.start(paused=True)
    scheduler.add_job("bot.entrypoints.scheduler:tick", "interval", minutes=1,
                      args=["loopbot-tick"],
                      id="loopbot-tick", replace_existing=True)
    scheduler.shutdown(wait=False)
    store.engine.dispose()


def _job_ids(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text(f"SELECT id FROM {JOBS_TABLE}"))]
    engine.dispose()
    return ids


def _record_a_release(store: Store) -> Release:
    release = Release(
        service="loop-server", version="0.31.0", state=State.STAGE_REQUESTED, tag="0.31.0",
        commit_sha=SHA, previous_version="0.30.2", fixed_bugs=(1123456, 1123470),
        flagged_bugs=(1123488,), tickets=(Ticket(Env.STAGE, 1130001, 1),),
        summary="Rooms: share links", created_at=dt.datetime(2027, 2, 16, 9, tzinfo=dt.UTC),
    )
    with store.unit_of_work() as uow:
        stored = uow.releases.add(release)
        uow.audit.add(AuditEntry(actor="U0DEV0001", action="tag", service="loop-server",
                                 version="0.31.0", roles=("DEV",)))
        uow.steps.start("loop-server:0.31.0:tag")
        uow.steps.finish("loop-server:0.31.0:tag", {"tag": "0.31.0"})
        uow.commit()
    assert store.claim("announce:loop-server:2027-02-16", "scheduler@old-bot:41") is True
    return stored


def test_upgrades_started_together_on_an_empty_database_all_succeed(empty_url: str) -> None:
    """Issue 8 item 9: two replicas starting together on an empty database crashed
    (PostgreSQL UniqueViolation on pg_type, SQLite "database is locked")."""
    context = racing_context()
    start, results = context.Barrier(RACERS), context.Queue()
    processes = [context.Process(target=upgrade_in_process, args=(empty_url, start, results))
                 for _ in range(RACERS)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes == [head_revision()] * RACERS
    assert differences(empty_url) == []
