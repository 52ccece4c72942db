"""The lifecycle derived from a pipeline (issue 19): with real-stage between stage and
prod, the step table, the guards, the effects and the advice pass each environment in
turn, and the green light waits for real-stage; today's pipeline gives today's table."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.domain.actions import (
    Action,
    Actor,
    CloseTicketInvalid,
    CommentOnTicket,
    Facts,
    FileTicket,
    GuardFailed,
    Role,
    SetTicket,
    WrongState,
)
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import decide, state_after
from bot.domain.next_steps import LOAD_TEST_WINDOW, next_action, next_step, pending_gate
from bot.domain.pipeline import DEFAULT, Environment, Pipeline
from bot.domain.release import Env, Release, State, Ticket
from bot.domain.rules import step_rules
from bot.domain.tagging import replacement_note
from bot.messages.announcements import render_prod_push
from tests.unit.test_lifecycle import ALLOWED

SERVICE = "loop-server-rs"
REAL = Env("real-stage")
FOUR = Pipeline((Environment("dev", follows="master"),
                 Environment("stage", ticket="Stage", gates=("load_test",), mocked_partner=True),
                 Environment("real-stage", ticket="Real Stage", mocked_partner=False),
                 Environment("prod", ticket="Production")))
STAGE_BUG, REAL_BUG, PROD_BUG = 1107001, 1107002, 1107003


def _release(state: State, *tickets: Ticket) -> Release:
    return Release(SERVICE, "0.14.0", state, tag="0.14.0", tickets=tickets)


def _bug(bug_id: int, status: str, resolution: str = "") -> Bug:
    return Bug(bug_id, "Loop — Please deploy loop-server-rs 0.14.0", status, resolution)


QA = Actor("U0QA00001", frozenset({Role.QA}))


def test_todays_pipeline_gives_todays_step_table() -> None:
    table = step_rules(DEFAULT)
    assert set(table) == set(ALLOWED)
    for action, (roles, from_states, to_state) in ALLOWED.items():
        rule = table[action]
        assert (set(rule.roles), set(rule.from_states), rule.to_state) == (roles, from_states,
                                                                          to_state)


def test_real_stage_comes_between_stage_and_prod() -> None:
    table = step_rules(FOUR)
    assert table[Action.of("request", REAL)].from_states == {State.STAGE_VERIFIED}
    assert table[Action.of("deployed", REAL)].roles == {Role.OPS}
    assert table[Action.REQUEST_PROD].from_states == {State("real-stage-verified")}
    assert State("real-stage-deployed") in table[Action.REJECT].from_states
    assert Action.of("verify", "dev") not in table  # dev has no ticket


def test_verifying_stage_files_the_real_stage_ticket_then_real_stage_files_prod() -> None:
    stage = Ticket(Env.STAGE, STAGE_BUG)
    deployed = _release(State.STAGE_DEPLOYED, stage)
    facts = Facts(tickets={"stage": _bug(STAGE_BUG, "RESOLVED", "FIXED")},
                  environment=EnvironmentState("stage", "https://s", True, "0.14.0"))
    decision = decide(Action.VERIFY_STAGE, deployed, facts, QA, pipeline=FOUR)
    assert decision.effects == (SetTicket(Env.STAGE, "VERIFIED", "FIXED"), FileTicket(REAL))
    assert state_after(decision, facts) is State("real-stage-requested")

    on_real = _release(State("real-stage-deployed"), stage, Ticket(REAL, REAL_BUG))
    facts = Facts(tickets={"real-stage": _bug(REAL_BUG, "RESOLVED", "FIXED")},
                  environment=EnvironmentState("real-stage", "https://r", True, "0.14.0"))
    decision = decide(Action.of("verify", REAL), on_real, facts, QA, pipeline=FOUR)
    assert decision.effects == (SetTicket(REAL, "VERIFIED", "FIXED"), FileTicket(Env.PROD))
    assert state_after(decision, facts) is State.PROD_REQUESTED


def test_the_green_light_waits_for_real_stage_verified_in_bugzilla() -> None:
    tickets = (Ticket(Env.STAGE, STAGE_BUG), Ticket(REAL, REAL_BUG), Ticket(Env.PROD, PROD_BUG))
    facts = Facts(tickets={"stage": _bug(STAGE_BUG, "VERIFIED", "FIXED"),
                           "real-stage": _bug(REAL_BUG, "RESOLVED", "FIXED"),
                           "prod": _bug(PROD_BUG, "NEW")})
    with pytest.raises(GuardFailed) as refused:
        decide(Action.GREENLIGHT, _release(State.PROD_REQUESTED, *tickets), facts, QA,
               pipeline=FOUR)
    assert (f"real-stage bug {REAL_BUG} (RESOLVED FIXED) for 0.14.0 is not VERIFIED: ask QA "
            "to verify it (`/loop verify real-stage 0.14.0`)") in refused.value.message


def test_the_advice_walks_the_four_environments() -> None:
    assert next_step(_release(State.STAGE_VERIFIED), pipeline=FOUR) == \
        "QA: file the real-stage ticket with `/loop request real-stage 0.14.0`"
    assert next_step(_release(State("real-stage-requested")), pipeline=FOUR) == \
        "OPS: deploy 0.14.0 to real-stage, then `/loop deployed real-stage 0.14.0`"
    assert next_action(_release(State("real-stage-deployed")),
                       pipeline=FOUR) == Action.of("verify", REAL)
    assert next_action(_release(State("real-stage-verified")), pipeline=FOUR) == Action.REQUEST_PROD


def test_a_pending_load_test_replaces_the_verify_step() -> None:
    deployed = _release(State.STAGE_DEPLOYED)
    pending = pending_gate(deployed, load_test_required=True, window_set=False, passed=False)
    assert pending == LOAD_TEST_WINDOW
    assert next_action(deployed, pending, pipeline=FOUR) is None
    assert "`/loop loadtest stage 0.14.0 window FROM TO`" in next_step(deployed, pending,
                                                                       pipeline=FOUR)
    assert pending_gate(deployed, load_test_required=True, window_set=True, passed=True) is None


def test_a_rejection_on_real_stage_is_said_and_filed_there() -> None:
    """The reject and re-release of a release on real-stage concern real-stage's ticket,
    and the push-day reminder says where it was rejected."""
    tickets = (Ticket(Env.STAGE, STAGE_BUG), Ticket(REAL, REAL_BUG))
    deployed = _release(State("real-stage-deployed"), *tickets)
    rejected = decide(Action.REJECT, deployed, Facts(), QA, pipeline=FOUR, bug_id=1107009)
    assert rejected.effects[0] == CommentOnTicket(REAL)
    with pytest.raises(WrongState) as refused:
        decide(Action.REJECT, deployed, Facts(), QA, pipeline=FOUR, bug_id=1107009,
               env="stage")
    assert "is on real-stage (real-stage-deployed), not stage" in refused.value.message
    gone = replace(deployed, state=State.REJECTED, rejected_for=1107009)
    ops = Actor("U0OPS0001", frozenset({Role.OPS}))
    again = decide(Action.RERELEASE, gone, Facts(), ops, pipeline=FOUR)
    assert again.to_state == State("real-stage-requested")
    assert again.effects == (FileTicket(REAL), CloseTicketInvalid(REAL))
    reminder = render_prod_push("loop-server-rs", dt.date(2027, 1, 25), [gone],
                                lambda *roles: "", pipeline=FOUR)
    assert "0.14.0: rejected on real-stage (bug 1107009)" in reminder.text
    assert replacement_note(gone, "calls drop", FOUR) == \
        "Replaces 0.14.0, rejected on real-stage: calls drop"
