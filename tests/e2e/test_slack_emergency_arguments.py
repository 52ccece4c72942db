"""An emergency step keeps what it was given (issue 18): the bug, the reason, whatever the
step takes, is stored with the confirmation and applied by the Override press. Signed
`/loop` lines and presses over HTTP; Bugzilla is the stand-in."""

from __future__ import annotations

import json

from bot.domain.release import Env, State
from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import LEAD, QA, LoopWorld


def _override(world: LoopWorld, line: str) -> None:
    world.command(LEAD, f'{line} --emergency "QA is away"')
    question = world.last_ephemeral(LEAD)
    pressed = buttons(question)[0]
    world.click(LEAD, question, "Override")
    before = len(world.channel())
    world.signed.click(LEAD, question, pressed)  # the old confirmation, pressed again
    assert world.app.drain(30)
    again = world.slack.ephemerals(LEAD)[-1].text
    assert "was confirmed already: 0.13.0 is" in again and "Next:" in again, again
    assert len(world.channel()) == before  # and nothing was done twice


def _history(world: LoopWorld, version: str) -> str:
    world.command(LEAD, f"history {version}")
    return str(world.last_ephemeral(LEAD).blocks)


def test_emergency_reject_keeps_the_bug_and_the_reason(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    crash = loop_world.sandbox.bugzilla.add_bug("Joining a room crashes the server", "NEW")
    loop_world.command(LEAD, f'reject stage 0.13.0 bug {crash} crashes on join '
                             '--emergency "QA is away"')
    question = loop_world.last_ephemeral(LEAD)
    assert f"bug {crash}" in str(question.blocks) and "crashes on join" in str(question.blocks)
    assert loop_world.release("0.13.0").state is State.STAGE_DEPLOYED  # not before the press
    loop_world.click(LEAD, question, "Override")

    rejected = loop_world.release("0.13.0")
    assert rejected.state is State.REJECTED and rejected.rejected_for == crash
    assert crash in rejected.blockers
    stage_bug = rejected.ticket(Env.STAGE).bug_id
    comments = json.dumps(loop_world.sandbox.bugzilla.comments(stage_bug))
    assert f"bug {crash}" in comments and "crashes on join" in comments
    history = _history(loop_world, "0.13.0")
    assert f"bug {crash}; crashes on join" in history and "QA is away" in history
    loop_world.command(QA, "status 0.13.0")
    assert f"blocked by bug {crash}" in str(loop_world.last_ephemeral(QA).blocks)


def test_emergency_block_keeps_the_bug_and_holds_prod(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    leak = loop_world.sandbox.bugzilla.add_bug("Room tokens leak into the logs", "NEW")
    _override(loop_world, f"block prod 0.13.0 bug {leak}")

    assert loop_world.release("0.13.0").blockers == (leak,)
    prod_bug = loop_world.release("0.13.0").ticket(Env.PROD).bug_id
    assert leak in loop_world.sandbox.bugzilla.bug(prod_bug)["depends_on"]
    assert f"bug {leak}" in _history(loop_world, "0.13.0")
    loop_world.command(QA, "greenlight prod 0.13.0")
    assert f"prod is blocked for 0.13.0 by bug {leak}" in loop_world.last_ephemeral(QA).text
    assert loop_world.release("0.13.0").state is State.PROD_REQUESTED


def test_emergency_unblock_removes_the_named_bug(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    slow = loop_world.sandbox.bugzilla.add_bug("Rooms list answers in 4 s", "NEW")
    other = loop_world.sandbox.bugzilla.add_bug("Typo in the 404 page", "NEW")
    loop_world.command(QA, f"block prod 0.13.0 bug {slow}")
    loop_world.command(QA, f"block prod 0.13.0 bug {other}")
    _override(loop_world, f"unblock prod 0.13.0 bug {slow}")

    assert loop_world.release("0.13.0").blockers == (other,)
    prod_bug = loop_world.release("0.13.0").ticket(Env.PROD).bug_id
    assert slow not in loop_world.sandbox.bugzilla.bug(prod_bug)["depends_on"]
