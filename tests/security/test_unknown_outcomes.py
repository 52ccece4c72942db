"""Issue 8 item 8: when a change was sent and its answer never came, the bot does not say
"nothing was changed": it says the outcome is unknown and that repeating is safe, and
repeating finishes the step without doing anything twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.sandbox.demo import DemoData
from bot.sandbox.github.standin import GitHubStandIn
from bot.usecases.ports import OutcomeUnknown, PartnerError
from tests.fixtures.app import DEV, OPS, LoopWorld, start_world, stop_world
from tests.fixtures.github import make_forge

STAGE_TICKET = "Please deploy loop-server 0.13.0 to Stage"


@pytest.fixture
def impatient_world(settings: Settings, tmp_path: Path) -> Iterator[LoopWorld]:
    """The bot waits 1 s for Bugzilla (30 s in production), so a late answer is lost."""
    sandbox, world = start_world(settings, tmp_path, bugzilla_timeout=1.0)
    try:
        yield world
    finally:
        stop_world(sandbox, world)


def _stage_tickets(world: LoopWorld) -> list[int]:
    bugs = world.sandbox.bugzilla.db.all()  # the stand-in's own records
    return [b["id"] for b in bugs if STAGE_TICKET in b["summary"]]


def _says_unknown(world: LoopWorld, user: str) -> None:
    told = world.slack.ephemerals(user)[-1].text if world.slack.ephemerals(user) else ""
    told += " ".join(m.text for m in world.channel()[-1:])
    assert "nothing was changed" not in told
    assert "unknown" in told and "Repeating the command is safe" in told


def test_a_lost_answer_to_filing_the_ticket_is_not_called_nothing_changed(
    loop_world: LoopWorld,
) -> None:
    loop_world.tag("0.13.0")
    loop_world.sandbox.bugzilla.faults.lose_next(path="^/rest/bug$", method="POST")
    loop_world.command(DEV, "request stage 0.13.0")
    _says_unknown(loop_world, DEV)
    assert len(_stage_tickets(loop_world)) == 1  # it was filed
    loop_world.command(DEV, "request stage 0.13.0")
    assert "stage ticket filed" in loop_world.channel()[-1].text
    assert _stage_tickets(loop_world) == [loop_world.release("0.13.0").tickets[0].bug_id]


def test_a_lost_answer_to_marking_deployed_is_not_called_nothing_changed(
    loop_world: LoopWorld,
) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(DEV, "request stage 0.13.0")
    loop_world.deploy("stage", "0.13.0")
    loop_world.sandbox.bugzilla.faults.lose_next(path=r"^/rest/bug/\d+$", method="PUT")
    loop_world.command(OPS, "deployed stage 0.13.0")
    _says_unknown(loop_world, OPS)
    loop_world.command(OPS, "deployed stage 0.13.0")
    assert loop_world.release("0.13.0").state.value == "stage-deployed"


def test_a_timed_out_filing_is_not_called_nothing_changed(impatient_world: LoopWorld) -> None:
    impatient_world.tag("0.13.0")
    impatient_world.sandbox.bugzilla.faults.slow_next(2.0, path="^/rest/bug$", method="POST")
    impatient_world.command(DEV, "request stage 0.13.0")
    _says_unknown(impatient_world, DEV)
    assert impatient_world.app.drain(10)
    impatient_world.command(DEV, "request stage 0.13.0")
    assert len(_stage_tickets(impatient_world)) == 1


def test_a_refused_change_still_says_nothing_was_changed(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.sandbox.bugzilla.faults.fail_next(400, path="^/rest/bug$", method="POST")
    loop_world.command(DEV, "request stage 0.13.0")
    assert "nothing was changed" in loop_world.last_ephemeral(DEV).text
    assert _stage_tickets(loop_world) == []


def test_a_github_branch_whose_answer_is_lost_is_an_unknown_outcome(
    demo_github: GitHubStandIn, demo_data: DemoData,
) -> None:
    forge = make_forge(demo_github, retries=0)
    demo_github.faults.lose_next(path="/git/refs$", method="POST")
    with pytest.raises(OutcomeUnknown, match="may have been done"):
        forge.create_branch("0.12.x", demo_data.tags["0.12.2"])
    assert forge.branch_head("0.12.x") == demo_data.tags["0.12.2"]  # it was
    assert forge.create_branch("0.12.x", demo_data.tags["0.12.2"]) == demo_data.tags["0.12.2"]


def test_a_github_503_on_a_change_changed_nothing(
    demo_github: GitHubStandIn, demo_data: DemoData,
) -> None:
    forge = make_forge(demo_github, retries=0)
    demo_github.faults.fail_next(503, path="/git/refs$", method="POST")
    with pytest.raises(PartnerError) as raised:
        forge.create_branch("0.12.x", demo_data.tags["0.12.2"])
    assert not isinstance(raised.value, OutcomeUnknown)
    assert not forge.branch_exists("0.12.x")
