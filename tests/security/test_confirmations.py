"""Issue 8 items 6 and 5: a confirmation is used up only by someone who may take its
step, and only a confirmation the bot issued (to that person, still live) is accepted."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.clock import ManualClock
from bot.domain.offer import OFFER_TTL, NotOffered, Offer, check_offered_to
from bot.messages import ACTION_STEP, ACTION_TAG
from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import DEV, LEAD, OPS, LoopWorld
from tests.security.conftest import state


def test_a_wrong_role_press_does_not_use_up_the_tag_confirmation(loop_world: LoopWorld
                                                                  ) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    before = state(loop_world)
    loop_world.click(OPS, preview, "Tag 0.13.0")
    assert "needs the DEV role" in loop_world.last_ephemeral(OPS).text
    assert state(loop_world) == before
    loop_world.click(DEV, preview, "Tag 0.13.0")
    assert "tagged" in loop_world.channel()[-1].text
    assert loop_world.release("0.13.0").tag == "0.13.0"


def test_a_wrong_role_press_does_not_use_up_an_override(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(LEAD, 'request stage 0.13.0 --emergency "stage must test the fix"')
    question = loop_world.last_ephemeral(LEAD)
    before = state(loop_world)
    loop_world.click(DEV, question, "Override")
    assert "emergency role" in loop_world.last_ephemeral(DEV).text
    assert state(loop_world) == before
    loop_world.click(LEAD, question, "Override")
    assert "Emergency override" in str(loop_world.channel()[-1].blocks)


def _forged(world: LoopWorld, user: str, action_id: str, block_id: str, value: str) -> None:
    """`user` presses a button the bot never put on the latest message it showed them or
    the channel (a signed request: only a leaked signing secret allows it)."""
    shown = world.slack.ephemerals(user)
    message = shown[-1] if shown else world.channel()[-1]
    button = {"action_id": action_id, "block_id": block_id, "value": value,
              "text": {"type": "plain_text", "text": "Tag 9.9.9"}}
    assert world.signed.click(user, message, button).status_code == 200
    assert world.app.drain(30)


def test_a_tag_button_the_bot_never_offered_tags_nothing(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    head = json.loads(buttons(loop_world.last_ephemeral(DEV))[0]["value"])["sha"]
    before = state(loop_world)
    _forged(loop_world, DEV, ACTION_TAG, "tag:loop-server:9.9.9",
            json.dumps({"s": "loop-server", "v": "9.9.9", "sha": head}))
    assert "not one I offered" in loop_world.last_ephemeral(DEV).text
    _forged(loop_world, DEV, ACTION_TAG, "tag:loop-server:9.9.9",
            json.dumps({"s": "loop-server", "v": "9.9.9", "sha": head, "o": "guessed"}))
    assert "not one I offered" in loop_world.last_ephemeral(DEV).text
    assert state(loop_world) == before


def test_an_override_the_bot_never_offered_is_refused(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    before = state(loop_world)
    value = {"s": "loop-server", "v": "0.13.0", "a": "deployed stage", "r": "forged"}
    _forged(loop_world, LEAD, ACTION_STEP, "next:loop-server:0.13.0", json.dumps(value))
    assert "not one I offered" in loop_world.last_ephemeral(LEAD).text
    assert state(loop_world) == before


def test_a_confirmation_pressed_after_its_expiry_does_nothing(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    clock = loop_world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock() + OFFER_TTL + dt.timedelta(minutes=1))
    before = state(loop_world)
    loop_world.click(DEV, preview, "Tag 0.13.0")
    assert "has expired" in loop_world.last_ephemeral(DEV).text
    assert state(loop_world) == before


def test_a_press_counts_only_from_the_person_offered_the_confirmation() -> None:
    offer = Offer("o1", "tag", "loop-server", "0.13.0", DEV,
                  dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), "a" * 40)
    check_offered_to(offer, DEV)
    with pytest.raises(NotOffered, match="offered to someone else"):
        check_offered_to(offer, "U0DEV0002")
