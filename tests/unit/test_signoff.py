"""The prod sign-off rules (bot/domain/signoff.py) and the verify-prod guard."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action, Actor, Facts, GuardFailed, MissingRole, Role, WrongState
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import decide
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Release, State, Ticket
from bot.domain.signoff import check_may_sign, missing_signoffs

QA = Actor("U0QA00001", frozenset({Role.QA}))
TEAMS = ["loop-client", "QA"]


def release(state: State) -> Release:
    return Release("loop-server", "0.14.1", state, tag="0.14.1",
                   tickets=(Ticket(Env.STAGE, 1105201), Ticket(Env.PROD, 1105202)))


def test_missing_sign_offs_keep_the_configured_order() -> None:
    assert missing_signoffs(TEAMS, []) == ("loop-client", "QA")
    assert missing_signoffs(TEAMS, ["QA", "someone-else"]) == ("loop-client",)
    assert missing_signoffs(TEAMS, ["QA", "loop-client"]) == ()


def test_who_may_sign_and_when() -> None:
    check_may_sign(release(State.PROD_DEPLOYED), QA, ["QA"], TEAMS, "prod")
    with pytest.raises(MissingRole, match="is for loop-client, QA; <@U0QA00001> is in none"):
        check_may_sign(release(State.PROD_DEPLOYED), QA, [], TEAMS, "prod")
    with pytest.raises(WrongState, match="0.14.1 is greenlit: sign-offs come once it runs"):
        check_may_sign(release(State.GREENLIT), QA, ["QA"], TEAMS, "prod")
    with pytest.raises(WrongState, match="needs no sign-off on prod"):
        check_may_sign(release(State.PROD_DEPLOYED), QA, ["QA"], [], "prod")


def test_verify_prod_waits_for_the_missing_teams() -> None:
    facts = Facts(tickets={"prod": Bug(1105202, "deploy", "RESOLVED", "FIXED")},
                  environment=EnvironmentState("prod", "https://prod", True, "0.14.1"),
                  signoffs_missing=("loop-client",))
    with pytest.raises(GuardFailed, match="prod sign-off missing from loop-client: each team "
                                          "signs with `/loop signoff prod 0.14.1`"):
        decide(Action.VERIFY_PROD, release(State.PROD_DEPLOYED), facts, QA, pipeline=DEFAULT)
    done = Facts(tickets=facts.tickets, environment=facts.environment)
    assert decide(Action.VERIFY_PROD, release(State.PROD_DEPLOYED), done, QA,
                  pipeline=DEFAULT).to_state \
        is State.DONE
