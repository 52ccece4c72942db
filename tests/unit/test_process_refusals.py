"""Every action PROCESS.md does not allow, by every role, in every state, is refused with a
reason and changes nothing: not the store, not Bugzilla, not git (the table of allowed
steps is tests/unit/test_lifecycle.py's, written from PROCESS.md). On the fakes
(tests/fakes): the refusals are the use cases', whatever the partners' transport."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.domain.actions import Action, Actor, Role
from bot.domain.errors import Refusal
from bot.domain.release import Env, Release, State, Ticket
from bot.domain.version import ReleaseLabel
from bot.usecases.release import advance
from tests.fakes.world import FakeWorld as World
from tests.unit.test_lifecycle import ALLOWED

# The tickets a release has in each state, with their Bugzilla status and resolution.
TICKETS: dict[State, tuple[tuple[Env, str, str], ...]] = {
    State.TAGGING: (),
    State.TAGGED: (),
    State.STAGE_REQUESTED: ((Env.STAGE, "NEW", ""),),
    State.STAGE_DEPLOYED: ((Env.STAGE, "RESOLVED", "FIXED"),),
    State.STAGE_VERIFIED: ((Env.STAGE, "VERIFIED", "FIXED"),),
    State.PROD_REQUESTED: ((Env.STAGE, "VERIFIED", "FIXED"), (Env.PROD, "NEW", "")),
    State.GREENLIT: ((Env.STAGE, "VERIFIED", "FIXED"), (Env.PROD, "NEW", "")),
    State.PROD_DEPLOYED: ((Env.STAGE, "VERIFIED", "FIXED"), (Env.PROD, "RESOLVED", "FIXED")),
    State.DONE: ((Env.STAGE, "VERIFIED", "FIXED"), (Env.PROD, "VERIFIED", "FIXED")),
    State.REJECTED: ((Env.STAGE, "RESOLVED", "FIXED"),),
    State.SUPERSEDED: ((Env.STAGE, "RESOLVED", "INVALID"),),
    State.BACKED_OFF: ((Env.STAGE, "VERIFIED", "FIXED"), (Env.PROD, "REOPENED", "")),
}


def recorded(world: World, state: State, version: str) -> Release:
    tickets = tuple(
        Ticket(env, world.tracker().add_bug(
            f"Loop — Please deploy loop-server {version} to {env.value}", status, resolution,
            product="Cloud Services", component="Operations: Deployment Requests"))
        for env, status, resolution in TICKETS[state]
    )
    rejected_for = 1094662 if state is State.REJECTED else None  # its bug is attached
    release = Release("loop-server", version, state, tag=version, tickets=tickets,
                      rejected_for=rejected_for, created_at=world.clock(),
                      updated_at=world.clock())
    with world.ctx.store.unit_of_work() as uow:
        release = uow.releases.add(release)
        uow.commit()
    return release


def snapshot(world: World, version: str) -> tuple[Any, ...]:
    with world.ctx.store.unit_of_work() as uow:
        release = uow.releases.get("loop-server", version)
        audit = uow.audit.find("loop-server")
    assert release is not None
    tracker, forge = world.tracker(), world.forge()
    bugs = [(b, list(tracker.comments.get(i, ()))) for i, b in tracker.bugs_by_id.items()]
    refs = (dict(forge.branches), dict(forge.tag_shas), dict(forge.releases))
    return dataclasses.replace(release, updated_at=None), len(audit), bugs, refs


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_every_disallowed_step_is_refused_and_changes_nothing(fake_world: World,
                                                              state: State) -> None:
    world = fake_world
    version = f"0.{20 + list(State).index(state)}.0"
    recorded(world, state, version)
    bug = world.tracker().add_bug("Rooms leak on stage under load", "NEW")
    before = snapshot(world, version)
    refused = 0
    for role in Role:
        actor = Actor(f"U0{role.value.upper()[:3]}TEST1", frozenset({role}), role.value)
        for action in Action:
            roles, from_states, _ = ALLOWED[action]
            if role in roles and state in from_states:
                continue
            with pytest.raises(Refusal) as refusal:
                advance(world.ctx, world.ctx.service(),
                        action, ReleaseLabel.parse(version), actor, bug_id=bug,
                        reason="flaky")
            assert refusal.value.message, f"{role} {action} in {state}: no reason given"
            refused += 1
    assert snapshot(world, version) == before
    assert refused >= len(Action) * (len(Role) - 1)  # at least every other role's attempts
