"""A database made by the code before the pipeline became configuration (issue 19) reads
back unchanged: releases in every state of the dev -> stage -> prod lifecycle, with their
tickets and audit entries, stored as the strings that code wrote, survive `loopbot db
upgrade`, and `/loop status` answers for each as before."""

from __future__ import annotations

import json
import sqlite3

from bot.domain.audit import AuditEntry
from bot.domain.release import Env, Release, State, Ticket
from tests.e2e.test_db_cli import loopbot_db
from tests.fixtures.app import QA, SERVICE, LoopWorld

# The states as the database holds them (the StrEnum's values before issue 19), and the
# tickets a release has in each.
TODAYS_STATES = {
    "tagging": (), "tagged": (), "stage-requested": ("stage",),
    "stage-deployed": ("stage",), "stage-verified": ("stage",),
    "prod-requested": ("stage", "prod"), "greenlit": ("stage", "prod"),
    "prod-deployed": ("stage", "prod"), "done": ("stage", "prod"), "rejected": ("stage",),
    "superseded": ("stage",), "backed-off": ("stage", "prod"),
}


def test_rows_of_every_state_upgrade_intact_and_status_answers(loop_world: LoopWorld) -> None:
    world = loop_world
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
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        stored = dict(db.execute("SELECT version, state FROM releases").fetchall())
    assert stored == {v: s for v, (s, _) in versions.items()}  # the very strings of before

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
