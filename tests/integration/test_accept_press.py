"""Accepting a pressed confirmation (bot/usecases/offer.py:accept_press) on the real store:
a refused press uses nothing up, the first accepted press claims the offer, later ones
are told it was claimed."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action, MissingRole
from bot.domain.errors import Refusal
from bot.domain.offer import TAG, NotOffered
from bot.domain.version import Version
from bot.usecases.offer import accept_press, offer_confirmation
from bot.usecases.tagging import tag_release
from tests.fixtures.world import DEV, OPS, QA, World


def test_a_tag_confirmation_is_claimed_by_the_first_accepted_press_only(world: World) -> None:
    offered = offer_confirmation(world.ctx, DEV, TAG, world.service, "0.13.0", sha="a" * 40)
    with pytest.raises(MissingRole):
        accept_press(world.ctx, QA, offered.id, TAG)
    with pytest.raises(NotOffered):
        accept_press(world.ctx, DEV, offered.id, Action.GREENLIGHT.value)
    first = accept_press(world.ctx, DEV, offered.id, TAG)
    again = accept_press(world.ctx, DEV, offered.id, TAG)
    assert (first.first, again.first) == (True, False)
    assert again.offer == offered


def test_a_step_confirmation_is_checked_against_its_recorded_release(world: World) -> None:
    tag_release(world.ctx, world.ctx.service(), DEV, Version.parse("0.13.0"))
    by_ops = offer_confirmation(world.ctx, OPS, Action.GREENLIGHT.value, world.service,
                                "0.13.0")
    with pytest.raises(MissingRole):  # QA gives the green light (PROCESS.md)
        accept_press(world.ctx, OPS, by_ops.id)
    assert world.ctx.store.claim(f"offer:{by_ops.id}", "test")  # the refusal claimed nothing
    by_qa = offer_confirmation(world.ctx, QA, Action.GREENLIGHT.value, world.service, "0.13.0")
    assert accept_press(world.ctx, QA, by_qa.id).first
    unknown = offer_confirmation(world.ctx, QA, Action.GREENLIGHT.value, world.service, "9.9.9")
    with pytest.raises(Refusal, match="has no release 9.9.9"):
        accept_press(world.ctx, QA, unknown.id)
