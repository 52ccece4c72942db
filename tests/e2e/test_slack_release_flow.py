"""/loop and its buttons carry a release from tag to prod: signed requests over HTTP to
the running app, the partners behind it being the sandbox's stand-ins."""

from __future__ import annotations

from bot.domain.release import Env, State
from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import DEV, LEAD, OPS, QA, LoopWorld


def test_help_lists_every_subcommand_to_the_caller_only(loop_world: LoopWorld) -> None:
    answer = loop_world.command(QA, "HELP")
    assert answer.status_code == 200
    shown = loop_world.last_ephemeral(QA)
    for usage in ("/loop tag [VERSION | on LINE]", "/loop verify stage|prod VERSION",
                  "/loop greenlight prod [VERSION]", "/loop backport", "/loop calendar"):
        assert usage in shown.text
    loop_world.command(QA, "help reject")
    assert "/loop reject stage VERSION [bug N] [REASON]" in loop_world.last_ephemeral(QA).text
    assert loop_world.channel() == []


def test_tag_shows_the_preview_and_tags_only_when_confirmed(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "tag")
    preview = loop_world.last_ephemeral(DEV)
    assert "0.13.0" in preview.text and "since 0.12.2" in preview.text
    assert "1096112" in str(preview.blocks)  # referenced but still NEW: flagged
    tag_button = buttons(preview)[0]
    assert tag_button["text"]["text"] == "Tag 0.13.0" and "confirm" in tag_button
    assert loop_world.channel() == []  # a preview alone posts nothing and tags nothing
    assert loop_world.app.ctx.service().forge.tag("0.13.0") is None

    loop_world.click(DEV, preview, "Tag 0.13.0")

    posted = loop_world.channel()[-1]
    assert "0.13.0 tagged by dev" in posted.text
    assert any("working" in edit["text"] for edit in posted.edits)  # progress, then result
    assert [b["text"]["text"] for b in buttons(posted)] == ["Request stage 0.13.0"]
    assert loop_world.release("0.13.0").tag == "0.13.0"
    assert "pressed by <@U0DEV0001>" in str(loop_world.last_ephemeral(DEV).blocks)


def test_buttons_carry_a_release_from_stage_request_to_green_light(
    loop_world: LoopWorld,
) -> None:
    card = loop_world.tag("0.13.0")
    loop_world.click(QA, card, "Request stage 0.13.0")
    filed = loop_world.channel()[-1]
    stage_bug = loop_world.release("0.13.0").ticket(Env.STAGE).bug_id
    assert f"filed stage bug {stage_bug}" in str(filed.blocks)
    assert "pressed by <@U0QA00001>" in str(loop_world.slack.message("#loop", card.ts).blocks)

    loop_world.deploy("stage", "0.13.0")
    loop_world.click(OPS, filed, "Mark deployed on stage 0.13.0")
    deployed = loop_world.channel()[-1]
    assert loop_world.sandbox.bugzilla.bug(stage_bug)["status"] == "RESOLVED"
    loop_world.click(QA, deployed, "Verify stage 0.13.0")
    verified = loop_world.channel()[-1]
    assert loop_world.release("0.13.0").state is State.PROD_REQUESTED
    green = buttons(verified)[0]
    assert green["text"]["text"] == "Greenlight 0.13.0" and "confirm" in green

    loop_world.click(QA, verified, "Greenlight 0.13.0")
    assert loop_world.release("0.13.0").state is State.GREENLIT
    assert "Mark deployed on prod 0.13.0" in str(loop_world.channel()[-1].blocks)


def test_greenlight_without_version_asks_to_confirm_the_waiting_release(
    loop_world: LoopWorld,
) -> None:
    loop_world.to_prod_requested("0.13.0")
    loop_world.command(QA, "greenlight production")
    question = loop_world.last_ephemeral(QA)
    assert [b["text"]["text"] for b in buttons(question)] == ["Greenlight 0.13.0"]
    assert loop_world.release("0.13.0").state is State.PROD_REQUESTED  # not before the click
    loop_world.click(QA, question, "Greenlight")
    assert loop_world.release("0.13.0").state is State.GREENLIT
    told = loop_world.channel()[-1].text
    assert "green light for prod" in told
    assert "<!subteam^S0OPS0001> Next: OPS: push 0.13.0 to prod" in told  # OPS is told


def test_commands_walk_prod_to_done_with_one_message_per_step(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    loop_world.command(QA, "greenlight prod 0.13.0")
    loop_world.click(QA, loop_world.last_ephemeral(QA), "Greenlight")
    loop_world.deploy("prod", "0.13.0")
    before = len(loop_world.channel())
    loop_world.command(OPS, "deployed prod v0.13.0")
    loop_world.command(QA, "verify PROD 0.13.0")
    assert len(loop_world.channel()) == before + 2
    assert loop_world.release("0.13.0").state is State.DONE
    assert "released" in loop_world.channel()[-1].text


def test_emergency_override_is_confirmed_then_announced(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    loop_world.command(LEAD, 'greenlight prod 0.13.0 --emergency "prod is down: <!channel>"')
    question = loop_world.last_ephemeral(LEAD)
    override = buttons(question)[0]
    assert override["text"]["text"] == "Override greenlight 0.13.0"
    assert override["confirm"]["style"] == "danger"
    loop_world.click(LEAD, question, "Override greenlight")
    announced = loop_world.channel()[-1]
    assert "Emergency override" in str(announced.blocks)
    assert "prod is down: &lt;!channel&gt;" in str(announced.blocks)
    assert "<!channel>" not in str(announced.blocks)
    assert loop_world.release("0.13.0").state is State.GREENLIT


def test_service_change_goes_through_stage_with_its_label(loop_world: LoopWorld) -> None:
    loop_world.command(OPS, 'change "Raise the uWSGI workers to 16 & <http://x.example|go>"')
    started = loop_world.channel()[-1]
    assert "change-1" in started.text
    assert "&amp; &lt;http://x.example|go&gt;" in str(started.blocks)
    loop_world.command(OPS, "request stage change-1")
    assert loop_world.release("change-1").state is State.STAGE_REQUESTED
