"""A stage rejection tells the channel why, as typed (escaped, on one line): the team
reads the reason where it reads the rejection, not only in `/loop history`."""

from __future__ import annotations

import json

from bot.domain.release import Env, State
from tests.fixtures.app import QA, LoopWorld


def test_the_channel_message_of_a_rejection_gives_its_reason(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, "reject stage 0.13.0 renaming a room answers 500 <!channel> 🚀")
    rejected = [m.text + "\n" + json.dumps(m.blocks, ensure_ascii=False)
                for m in loop_world.channel() if "rejected on stage" in m.text]
    assert rejected, [m.text for m in loop_world.channel()]
    said = rejected[-1]
    assert "renaming a room answers 500" in said and "🚀" in said
    assert "<!channel>" not in said  # user text is escaped: no mention of everyone


def test_a_releases_own_ticket_is_not_taken_for_the_bug_that_blocks_it(
    loop_world: LoopWorld,
) -> None:
    """Found using it: `block prod 0.13.0 bug N` with N the release's own stage ticket was
    accepted, and status said "blocked by" its own ticket."""
    loop_world.to_prod_requested("0.13.0")
    stage = loop_world.release("0.13.0").ticket(Env.STAGE)
    assert stage is not None
    for command in (f"block prod 0.13.0 bug {stage.bug_id}",
                    f"reject stage 0.13.0 bug {stage.bug_id} calls drop"):
        loop_world.command(QA, command)
        said = loop_world.last_ephemeral(QA).text
        assert (f"bug {stage.bug_id} is loop-server 0.13.0's own stage deployment ticket: "
                "name the bug that causes it") in said, said
    release = loop_world.release("0.13.0")
    assert release.blockers == () and release.state is State.PROD_REQUESTED
