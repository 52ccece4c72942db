"""`/loop help SUBCOMMAND` says who may run it, what it changes, examples and only the
options that apply, and agrees with what the bot does (issue 9): reject takes a reason
alone, request prod is for DEV too, `--emergency` only on lifecycle steps."""

from __future__ import annotations

import json

from bot.domain.release import Env, State
from tests.fixtures.app import DEV, LEAD, QA, LoopWorld


def helped(world: LoopWorld, topic: str) -> str:
    world.command(QA, f"help {topic}")
    shown = world.last_ephemeral(QA)
    return shown.text + json.dumps(shown.blocks, ensure_ascii=False)


def test_help_on_a_step_says_who_what_changes_examples_and_emergency(
    loop_world: LoopWorld,
) -> None:
    shown = helped(loop_world, "reject")
    assert "/loop reject stage VERSION [bug N] [REASON]" in shown
    assert "Who: QA" in shown
    assert "Changes: Bugzilla: a comment on the stage ticket" in shown
    assert "Example: /loop reject stage 0.13.0 bug 1100002" in shown
    assert "--emergency" in shown and "attach the bug later" in shown


def test_help_on_tag_offers_no_emergency(loop_world: LoopWorld) -> None:
    shown = helped(loop_world, "tag")
    assert "Who: DEV" in shown and "Changes: GitHub" in shown
    assert "--emergency" not in shown and "service:NAME" in shown


def test_help_on_request_agrees_with_who_may_file_the_prod_ticket(
    loop_world: LoopWorld,
) -> None:
    shown = helped(loop_world, "request")
    assert "Who: DEV or QA (OPS too, for a service change)" in shown
    assert "on stage the prod ticket is filed too" in helped(loop_world, "verify")


def test_the_list_names_the_steps_that_take_emergency(loop_world: LoopWorld) -> None:
    shown = helped(loop_world, "")
    assert "QA: let OPS push to prod" in shown
    assert ("(request, deployed, verify, reject, backoff, rerelease, block, unblock, greenlight, "
            "loadtest)") in shown


def test_emergency_on_tag_is_refused_naming_the_steps_that_take_it(
    loop_world: LoopWorld,
) -> None:
    loop_world.command(LEAD, 'tag --emergency "prod is down"')
    refused = loop_world.last_ephemeral(LEAD).text
    assert "`tag` has no guard to skip" in refused and "greenlight" in refused
    assert loop_world.channel() == []


def test_reject_with_a_reason_alone_then_the_bug_attached(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, "reject stage 0.13.0 calls drop after a minute")
    rejected = loop_world.release("0.13.0")
    assert rejected.state is State.REJECTED and rejected.rejected_for is None
    stage_bug = rejected.ticket(Env.STAGE).bug_id
    comments = [c["text"] for c in loop_world.sandbox.bugzilla.comments(stage_bug)]
    assert any("calls drop after a minute" in c for c in comments)
    filed = loop_world.sandbox.bugzilla.add_bug("Calls drop after 60 seconds", "NEW")
    loop_world.command(QA, f"reject stage 0.13.0 bug {filed}")
    attached = loop_world.release("0.13.0")
    assert attached.rejected_for == filed and filed in attached.blockers
    loop_world.command(DEV, "status 0.13.0")
    assert "rejected" in loop_world.last_ephemeral(DEV).text


def test_help_on_a_query_says_it_changes_nothing(loop_world: LoopWorld) -> None:
    shown = helped(loop_world, "status")
    assert "Who: anyone" in shown and "Changes: nothing: it only reads" in shown
    assert "Example: /loop status 0.13.0" in shown and "--emergency" not in shown


def test_the_list_links_the_process_it_runs(loop_world: LoopWorld) -> None:
    shown = helped(loop_world, "")
    assert ("The process, step by step: <https://github.com/mozilla-services/loopbot/blob/"
            "main/docs/process.md|docs/process.md>") in shown
