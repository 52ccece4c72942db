"""`/loop gonogo` over signed Slack requests (issue 22): GO or NO-GO for the next prod
push, with every reason linked and whose move it is, answered to the caller only."""

from __future__ import annotations

from bot.domain.release import Env
from tests.fixtures.app import DEV, OPS, QA, LoopWorld

BLOCKER = 1096112  # the demo's bug referenced by a commit but not RESOLVED FIXED


def ask(world: LoopWorld, user: str, text: str = "gonogo") -> str:
    posted = len(world.channel())
    world.command(user, text)
    assert len(world.channel()) == posted, "a go/no-go asked for is never posted"
    answer = world.last_ephemeral(user)
    return answer.text + "\n" + str(answer.blocks)


def test_nothing_in_flight_says_so_and_what_prod_keeps(loop_world: LoopWorld) -> None:
    answer = ask(loop_world, DEV)
    assert ("Go/no-go for loop-server, the push on Mon 2026-12-14: nothing in flight"
            in answer)
    assert "No release of loop-server is waiting for prod: prod keeps 0.12.2." in answer
    assert "- [ok] prod is healthy" in answer
    answer = ask(loop_world, DEV, "gonogo service:loop-client")
    assert "Go/no-go for loop-client, the push on Mon 2026-12-14: nothing in flight" in answer


def test_release_short_of_stage_verification_is_no_go_with_qa_to_act(
        loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    stage_bug = loop_world.release("0.13.0").ticket(Env.STAGE).bug_id
    url = loop_world.sandbox.bugzilla.url
    answer = ask(loop_world, OPS)
    assert "NO-GO for loop-server 0.13.0, the push on Mon 2026-12-14" in answer
    assert (f"- [no] stage bug {stage_bug} is RESOLVED FIXED, not VERIFIED: QA verifies it "
            f"with `/loop verify stage 0.13.0` (bug {stage_bug}: {url}") in answer
    assert "- [no] no prod ticket yet: it is filed once stage is verified" in answer
    assert "- [to do] no green light yet" in answer
    assert "- [note] prod runs 0.12.2" in answer
    assert "- [note] 0.13.0 brings " in answer and "over 0.12.2: bug 1094662" in answer
    assert "compare 0.12.2...0.13.0" not in answer  # the link's text is the range itself
    assert "0.12.2...0.13.0: " in answer
    assert "Before the push:\nQA: stage ticket; green light" in answer
    assert "<" + url in answer  # the blocks link each ticket


def test_verified_release_goes_once_its_blocker_is_lifted(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    loop_world.command(QA, f"block prod 0.13.0 bug {BLOCKER}")
    answer = ask(loop_world, QA, "gonogo 0.13.0")
    assert "NO-GO for loop-server 0.13.0" in answer
    assert f"- [no] bug {BLOCKER} (NEW) blocks prod: DEV fixes it" in answer
    assert "DEV: blocker" in answer
    loop_world.command(DEV, f"unblock prod 0.13.0 bug {BLOCKER}")
    answer = ask(loop_world, QA, "gonogo")
    assert "GO for loop-server 0.13.0, the push on Mon 2026-12-14" in answer
    assert "NO-GO" not in answer
    assert "can go to prod: every gate is passed" in answer
    assert "- [ok] prod bug " in answer and "- [ok] stage bug " in answer
    assert "QA: green light" in answer


def test_bad_input_gets_the_usage_and_an_unknown_release_is_named(loop_world: LoopWorld) -> None:
    answer = ask(loop_world, DEV, "gonogo 0.13")
    assert "usage: `/loop gonogo [VERSION]`" in answer
    answer = ask(loop_world, DEV, "gonogo 0.19.0")
    assert "loop-server has no release 0.19.0" in answer
