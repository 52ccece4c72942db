"""A stage rejection tells the channel why, as typed (escaped, on one line): the team
reads the reason where it reads the rejection, not only in `/loop history`."""

from __future__ import annotations

from pathlib import Path

from bot.domain.release import Env, State
from tests.e2e.test_sandbox_chat import play, texts
from tests.fixtures.app import QA, LoopWorld

SCRIPT = """\
!clock 2026-12-08 10:05
/loop tag
!click Tag 0.13.0
@qa /loop request stage 0.13.0
!deploy stage 0.13.0
@ops /loop deployed stage 0.13.0
@qa /loop reject stage 0.13.0 renaming a room answers 500 <!channel> 🚀
"""


def test_the_channel_message_of_a_rejection_gives_its_reason(tmp_path: Path) -> None:
    out = play(SCRIPT, tmp_path, "--start", "2026-12-01 10:00")
    rejected = [t for t in texts(out, channel="C0LOOP0001") if "rejected on stage" in t]
    assert rejected, texts(out)
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
