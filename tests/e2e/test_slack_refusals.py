"""What people see when the process, their input or a partner says no: an ephemeral
answer that says why and what to do, and nothing changed."""

from __future__ import annotations

from bot.domain.release import State
from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import DEV, OPS, QA, LoopWorld


def test_wrong_role_is_refused_to_the_caller_and_changes_nothing(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    before = len(loop_world.channel())
    loop_world.command(OPS, "verify stage 0.13.0")
    refused = loop_world.last_ephemeral(OPS)
    assert ("`verify stage` needs the QA role for loop-server; <@U0OPS0001> is not QA for "
            "loop-server (holds OPS there)") in str(refused.blocks)
    assert len(loop_world.channel()) == before
    assert loop_world.release("0.13.0").state is State.STAGE_DEPLOYED


def test_wrong_role_on_a_button_is_refused_and_the_button_stays(loop_world: LoopWorld) -> None:
    card = loop_world.tag("0.13.0")
    loop_world.click(OPS, card, "Request stage")
    assert "needs the DEV or QA role" in loop_world.last_ephemeral(OPS).text
    assert loop_world.slack.message("#loop", card.ts).blocks == card.blocks
    loop_world.click(DEV, card, "Request stage")
    assert loop_world.release("0.13.0").state is State.STAGE_REQUESTED


def test_malformed_version_gets_the_usage(loop_world: LoopWorld) -> None:
    answer = loop_world.command(QA, "verify stage 0.13")
    assert answer.status_code == 200
    shown = loop_world.last_ephemeral(QA).text
    assert "couldn't read `0.13` as a version" in shown
    assert "usage: `/loop verify stage|prod VERSION`" in shown
    assert loop_world.channel() == []


def test_unknown_subcommand_suggests_the_closest(loop_world: LoopWorld) -> None:
    loop_world.command(QA, "greenlite prod 0.13.0")
    shown = loop_world.last_ephemeral(QA).text
    assert "did you mean `greenlight`?" in shown
    assert "/loop greenlight prod [VERSION]" in shown


def test_failed_guard_says_what_to_do(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(DEV, "request stage 0.13.0")
    loop_world.command(OPS, "deployed stage 0.13.0")  # stage still runs 0.12.2
    shown = loop_world.last_ephemeral(OPS).text
    assert "reports 0.12.2, not 0.13.0: deploy it first" in shown
    assert loop_world.release("0.13.0").state is State.STAGE_REQUESTED


def test_unknown_release_points_at_status(loop_world: LoopWorld) -> None:
    loop_world.command(QA, "verify stage 0.19.4")
    shown = loop_world.last_ephemeral(QA).text
    assert "loop-server has no release 0.19.4" in shown and "/loop status" in shown


def test_partner_down_changes_nothing_and_repeating_finishes(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.sandbox.bugzilla.faults.fail_next(503, count=50)
    loop_world.command(DEV, "request stage 0.13.0")
    shown = loop_world.last_ephemeral(DEV).text
    assert shown.startswith("Bugzilla is failing") and "nothing was changed" in shown
    assert "sandbox" not in shown.lower()  # no API key, no secret
    assert loop_world.release("0.13.0").state is State.TAGGED
    loop_world.sandbox.bugzilla.faults.clear()
    loop_world.command(DEV, "request stage 0.13.0")
    assert loop_world.release("0.13.0").state is State.STAGE_REQUESTED


def test_emergency_needs_the_emergency_role(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, 'greenlight prod 0.13.0 --emergency "hurry"')
    refusal = loop_world.last_ephemeral(QA)
    assert "breaking glass needs the emergency role" in refusal.text
    assert buttons(refusal) == []  # refused at once: nothing to confirm
    assert loop_world.release("0.13.0").state is State.STAGE_DEPLOYED


def test_greenlight_of_a_blocked_release_is_refused_before_any_confirmation(
    loop_world: LoopWorld,
) -> None:
    loop_world.to_prod_requested("0.13.0")
    regression = loop_world.sandbox.bugzilla.add_bug("Calls drop after 60 s", "NEW")
    loop_world.command(QA, f"block prod 0.13.0 bug {regression}")
    loop_world.command(QA, "greenlight prod 0.13.0")
    refusal = loop_world.last_ephemeral(QA)
    assert f"prod is blocked for 0.13.0 by bug {regression} (NEW)" in refusal.text
    assert buttons(refusal) == []
    assert loop_world.release("0.13.0").state is State.PROD_REQUESTED


def test_tag_refused_when_the_branch_moved_since_the_preview(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    loop_world.sandbox.github.commit("mozilla-services", "loop-server", "master",
                                     "Bug 1097001 — Late fix", {"late.txt": "late\n"})
    loop_world.click(DEV, preview, "Tag 0.13.0")
    shown = loop_world.last_ephemeral(DEV).text
    assert "master moved since the preview" in shown
    assert loop_world.sandbox.github.git("mozilla-services", "loop-server").refs(
        "refs/tags/0.13.0") == []
