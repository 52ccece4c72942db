"""When a press on a confirmation counts (bot/domain/offer.py): the rule alone, before any
offer is used up. The press through Slack is tested in tests/security/test_confirmations.py."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.actions import Action, Actor, MissingRole, Role
from bot.domain.errors import Refusal
from bot.domain.offer import (
    LOADTEST_WINDOW,
    TAG,
    NotOffered,
    Offer,
    check_may_accept,
    offered_step,
    takes_step,
)
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Release, State

DEV = Actor("U0DEV0001", frozenset({Role.DEV}))
OTHER_DEV = Actor("U0DEV0002", frozenset({Role.DEV}))
QA = Actor("U0QA00001", frozenset({Role.QA}))
LEAD = Actor("U0LEAD001", frozenset(Role))
UNTIL = dt.datetime(2026, 12, 8, 10, tzinfo=dt.UTC)
AWAITING_GREEN_LIGHT = Release("loop-server", "0.13.0", State.PROD_REQUESTED)


def offer(action: str, to: Actor, reason: str | None = None) -> Offer:
    return Offer("o1", action, "loop-server", "0.13.0", to.user_id, UNTIL, reason=reason)


def test_a_tag_confirmation_is_accepted_from_the_dev_it_was_offered_to() -> None:
    check_may_accept(offer(TAG, DEV), DEV, expected=TAG)


def test_a_press_by_the_wrong_role_is_refused_for_its_role_first() -> None:
    with pytest.raises(MissingRole):
        check_may_accept(offer(TAG, DEV), QA, expected=TAG)  # offered to DEV, too


def test_a_press_by_someone_else_with_the_role_is_refused() -> None:
    with pytest.raises(NotOffered, match="offered to someone else"):
        check_may_accept(offer(TAG, DEV), OTHER_DEV, expected=TAG)


def test_a_button_of_another_kind_than_its_offer_is_refused() -> None:
    with pytest.raises(NotOffered, match="not one I offered"):
        check_may_accept(offer(TAG, DEV), DEV, expected=LOADTEST_WINDOW)


def test_a_step_confirmation_asks_the_steps_roles_on_its_release() -> None:
    greenlight = offer(Action.GREENLIGHT.value, QA)
    assert takes_step(greenlight) and not takes_step(offer(TAG, DEV))
    check_may_accept(greenlight, QA, release=AWAITING_GREEN_LIGHT, pipeline=DEFAULT)
    with pytest.raises(MissingRole):
        check_may_accept(offer(Action.GREENLIGHT.value, DEV), DEV,
                         release=AWAITING_GREEN_LIGHT, pipeline=DEFAULT)


def test_an_override_is_accepted_only_from_the_services_emergency_people() -> None:
    override = offer(Action.GREENLIGHT.value, QA, reason="the outage")
    with pytest.raises(MissingRole):
        check_may_accept(override, QA, release=AWAITING_GREEN_LIGHT, pipeline=DEFAULT)
    check_may_accept(offer(Action.GREENLIGHT.value, LEAD, reason="the outage"), LEAD,
                     release=AWAITING_GREEN_LIGHT, pipeline=DEFAULT)


def test_an_emergency_load_test_window_needs_a_written_reason() -> None:
    with pytest.raises(Refusal, match="needs a written reason"):
        check_may_accept(offer(LOADTEST_WINDOW, LEAD, reason=" "), LEAD,
                         expected=LOADTEST_WINDOW)


def test_a_step_this_bot_no_longer_has_is_refused_clearly() -> None:
    with pytest.raises(Refusal, match="not one of mine any more"):
        offered_step("promote")
    with pytest.raises(Refusal, match="not one of mine any more"):
        check_may_accept(offer("promote", DEV), DEV, release=AWAITING_GREEN_LIGHT, pipeline=DEFAULT)
