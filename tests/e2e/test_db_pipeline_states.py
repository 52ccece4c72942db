"""A database made by the code before the pipeline became configuration (issue 19) reads
back unchanged: releases in every state of the dev -> stage -> prod lifecycle, with their
tickets and audit entries, stored as the strings that code wrote, survive `loopbot db
upgrade`, and `/loop status` answers for each as before, on SQLite and on PostgreSQL
(`python -m tests.with_postgres`; issue 19 added no migration, so the schema such a
database has is the newest one, and `db upgrade` must leave its rows as they are)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.config.settings import Settings
from bot.domain.audit import AuditEntry
from bot.domain.release import Env, Release, State, Ticket
from tests.e2e.test_db_cli import loopbot_db
from tests.fixtures.app import QA, SERVICE, LoopWorld, start_world, stop_world
from tests.fixtures.store import DIALECTS, fresh_postgres_database, postgres_server_url

# The states as the database holds them (the StrEnum's values before issue 19), and the
# tickets a release has in each.
TODAYS_STATES = {
    "tagging": (), "tagged": (), "stage-requested": ("stage",),
    "stage-deployed": ("stage",), "stage-verified": ("stage",),
    "prod-requested": ("stage", "prod"), "greenlit": ("stage", "prod"),
    "prod-deployed": ("stage", "prod"), "done": ("stage", "prod"), "rejected": ("stage",),
    "superseded": ("stage",), "backed-off": ("stage", "prod"),
}


@pytest.fixture(params=DIALECTS)
def world_on(request: pytest.FixtureRequest, settings: Settings,
             tmp_path: Path) -> Iterator[LoopWorld]:
    """The running app with the stand-ins, on a SQLite then a PostgreSQL database."""
    urls = fresh_postgres_database(postgres_server_url()) if request.param == "postgres" \
        else iter(())
    url = next(urls, None)  # None: start_world makes a SQLite database of its own
    sandbox, world = start_world(settings, tmp_path, database_url=url)
    try:
        yield world
    finally:
        stop_world(sandbox, world)
        next(urls, None)  # drops the PostgreSQL database


def test_rows_of_every_state_upgrade_intact_and_status_answers(world_on: LoopWorld) -> None:
    world = world_on
    versions = {}
    with world.app.ctx.store.unit_of_work() as uow:  # the store writes each as its string
        for number, (state, envs) in enumerate(TODAYS_STATES.items()):
            version = f"0.{40 + number}.0"
            tickets = tuple(Ticket(Env(env), 1120000 + 10 * number + i)
                            for i, env in enumerate(envs))
            uow.releases.add(Release(SERVICE, version, State(state), tag=version,
                                    tickets=tickets, created_at=world.app.ctx.clock(),
                                    updated_at=world.app.ctx.clock()))
            uow.audit.add(AuditEntry(actor="U0QA00001", action="verify stage", service=SERVICE,
                                     version=version, from_state="tagged", to_state=state))
            versions[version] = (state, envs)
        uow.commit()
    url = world.settings.db_url
    engine = create_engine(url)
    with engine.connect() as db:
        stored = dict(db.execute(text("SELECT version, state FROM releases")).all())
        envs = sorted(db.execute(text("SELECT DISTINCT env FROM tickets")).scalars())
    engine.dispose()
    assert stored == {v: s for v, (s, _) in versions.items()}  # the very strings of before
    assert envs == ["prod", "stage"]

    upgraded = loopbot_db("upgrade", url)
    assert upgraded.returncode == 0, upgraded.stderr

    for version, (state, envs) in versions.items():
        release = world.release(version)
        assert release.state is State(state) and release.state.value == state
        assert [t.env for t in release.tickets] == list(envs)
        with world.app.ctx.store.unit_of_work() as uow:
            entries = uow.audit.find(SERVICE, version)
        assert [(e.from_state, e.to_state) for e in entries] == [("tagged", state)]
        world.command(QA, f"status {version}")
        answer = world.last_ephemeral(QA)
        assert f"{version}*: {state}" in json.dumps(answer.blocks), answer.text
