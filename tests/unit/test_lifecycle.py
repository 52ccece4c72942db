"""The lifecycle against PROCESS.md, written out independently of bot/domain/lifecycle.py's
own table: every (role, action, state) is either the one step the process allows or a
refusal that says why."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.actions import (
    Action,
    Actor,
    AddBlocker,
    CloseTicketInvalid,
    CommentOnTicket,
    Facts,
    FileTicket,
    GuardFailed,
    MissingRole,
    Role,
    SetTicket,
    StartMonitoring,
    WrongState,
)
from bot.domain.errors import Refusal
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import decide, state_after, supersedes
from bot.domain.next_steps import next_step
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Kind, Release, State, Ticket
from bot.domain.rules import next_owners

S = State
# PROCESS.md, read as a table: action -> (who, from which states, to which state).
ALLOWED: dict[Action, tuple[set[Role], set[State], State | None]] = {
    Action.REQUEST_STAGE: ({Role.DEV, Role.QA}, {S.TAGGED}, S.STAGE_REQUESTED),
    Action.RERELEASE: ({Role.OPS}, {S.STAGE_REQUESTED, S.STAGE_DEPLOYED, S.REJECTED},
                       S.STAGE_REQUESTED),
    Action.DEPLOYED_STAGE: ({Role.OPS}, {S.STAGE_REQUESTED}, S.STAGE_DEPLOYED),
    Action.VERIFY_STAGE: ({Role.QA}, {S.STAGE_DEPLOYED}, S.STAGE_VERIFIED),
    Action.REJECT: ({Role.QA}, {S.STAGE_REQUESTED, S.STAGE_DEPLOYED, S.STAGE_VERIFIED,
                                S.PROD_REQUESTED, S.GREENLIT}, S.REJECTED),
    Action.REQUEST_PROD: ({Role.QA, Role.DEV}, {S.STAGE_VERIFIED}, S.PROD_REQUESTED),
    Action.BLOCK: ({Role.QA, Role.DEV, Role.OPS}, {S.TAGGED, S.STAGE_REQUESTED,
                   S.STAGE_DEPLOYED, S.STAGE_VERIFIED, S.PROD_REQUESTED, S.GREENLIT}, None),
    Action.UNBLOCK: ({Role.QA, Role.DEV, Role.OPS}, {S.TAGGED, S.STAGE_REQUESTED,
                     S.STAGE_DEPLOYED, S.STAGE_VERIFIED, S.PROD_REQUESTED, S.GREENLIT}, None),
    Action.GREENLIGHT: ({Role.QA}, {S.PROD_REQUESTED}, S.GREENLIT),
    Action.DEPLOYED_PROD: ({Role.OPS}, {S.GREENLIT}, S.PROD_DEPLOYED),
    Action.VERIFY_PROD: ({Role.QA}, {S.PROD_DEPLOYED}, S.DONE),
    # "if any regression backed off": while OPS monitors or later, by OPS (or QA)
    Action.BACKOFF: ({Role.OPS, Role.QA}, {S.PROD_DEPLOYED, S.DONE}, S.BACKED_OFF),
}

VERSION = "0.13.0"
PREVIOUS = "0.12.2"  # prod's release before VERSION
STAGE_BUG, PROD_BUG, BLOCKER = 1105001, 1105002, 1094662


def release(state: State, **changes: object) -> Release:
    fields: dict[str, object] = {
        "service": "loop-server", "version": VERSION, "state": state, "tag": VERSION,
        "tickets": (Ticket(Env.STAGE, STAGE_BUG), Ticket(Env.PROD, PROD_BUG)),
        "blockers": (BLOCKER,),
        "rejected_for": BLOCKER if state is S.REJECTED else None,
    }
    fields.update(changes)
    return Release(**fields)  # type: ignore[arg-type]


def ticket(bug_id: int, status: str, resolution: str = "") -> Bug:
    return Bug(bug_id, f"Loop — Please deploy loop-server {VERSION}", status, resolution)


def good_facts(action: Action) -> Facts:
    """Facts under which every guard of `action` holds."""
    env = "prod" if "prod" in action.value else "stage"
    stage_status = "RESOLVED" if action in (Action.DEPLOYED_STAGE, Action.VERIFY_STAGE) \
        else "VERIFIED"
    return Facts(
        tickets={"stage": ticket(STAGE_BUG, stage_status, "FIXED"),
                 "prod": ticket(PROD_BUG, "RESOLVED", "FIXED")},
        environment=EnvironmentState(env, f"https://{env}.example", True,
                                     PREVIOUS if action is Action.BACKOFF else VERSION),
        bug=Bug(BLOCKER, "Rooms are not created", "NEW"),
    )


def actor(*roles: Role) -> Actor:
    return Actor("U0TEST0001", frozenset(roles), "tester")


@pytest.mark.parametrize(
    ("role", "action", "state"),
    list(itertools.product(list(Role), list(Action), list(State))),
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_every_role_action_and_state_is_allowed_or_refused_as_process_md_says(
    role: Role, action: Action, state: State
) -> None:
    roles, from_states, to_state = ALLOWED[action]
    subject = release(state)
    call = lambda: decide(action, subject, good_facts(action), actor(role),  # noqa: E731
                          bug_id=BLOCKER, pipeline=DEFAULT)
    if role not in roles:
        with pytest.raises(MissingRole, match=f"`{action.value}` needs the"):
            call()
    elif state not in from_states:
        with pytest.raises(WrongState) as refused:
            call()
        assert refused.value.hint == next_step(subject, pipeline=DEFAULT)
    else:
        decision = call()
        assert decision.from_state is state
        assert decision.to_state is (to_state or state)
        assert not decision.is_override


def test_greenlight_refused_while_stage_ticket_unverified() -> None:
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "RESOLVED", "FIXED"),
                           "prod": ticket(PROD_BUG, "NEW")})
    with pytest.raises(GuardFailed) as refused:
        decide(Action.GREENLIGHT, release(S.PROD_REQUESTED), facts, actor(Role.QA),
               pipeline=DEFAULT)
    assert str(refused.value.message) == (
        f"stage bug {STAGE_BUG} (RESOLVED FIXED) for {VERSION} is not VERIFIED: "
        f"ask QA to verify it (`/loop verify stage {VERSION}`)"
    )


def test_greenlight_refused_while_a_blocker_is_open() -> None:
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "VERIFIED", "FIXED"),
                           "prod": ticket(PROD_BUG, "NEW")},
                  open_blockers=(Bug(BLOCKER, "Rooms are not created", "ASSIGNED"),))
    with pytest.raises(GuardFailed, match=f"prod is blocked for {VERSION} by bug {BLOCKER} "
                                          r"\(ASSIGNED\)"):
        decide(Action.GREENLIGHT, release(S.PROD_REQUESTED), facts, actor(Role.QA),
               pipeline=DEFAULT)


def test_greenlight_refused_without_a_prod_ticket() -> None:
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "VERIFIED", "FIXED")})
    subject = release(S.PROD_REQUESTED, tickets=(Ticket(Env.STAGE, STAGE_BUG),))
    with pytest.raises(GuardFailed, match="has no prod deployment ticket"):
        decide(Action.GREENLIGHT, subject, facts, actor(Role.QA), pipeline=DEFAULT)


def test_deployed_refused_while_stage_reports_another_version() -> None:
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "NEW")},
                  environment=EnvironmentState("stage", "https://stage", True, "0.12.2"))
    with pytest.raises(GuardFailed, match=r"stage reports 0\.12\.2, not 0\.13\.0: deploy it first"):
        decide(Action.DEPLOYED_STAGE, release(S.STAGE_REQUESTED), facts, actor(Role.OPS),
               pipeline=DEFAULT)


def test_deployed_refused_while_stage_is_unreachable() -> None:
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "NEW")},
                  environment=EnvironmentState("stage", "https://stage", False,
                                               error="connection refused"))
    with pytest.raises(GuardFailed, match="can't read what stage runs: connection refused"):
        decide(Action.DEPLOYED_STAGE, release(S.STAGE_REQUESTED), facts, actor(Role.OPS),
               pipeline=DEFAULT)


def test_verifying_stage_files_the_prod_ticket_unless_qa_files_it() -> None:
    subject = release(S.STAGE_DEPLOYED, tickets=(Ticket(Env.STAGE, STAGE_BUG),))
    facts = good_facts(Action.VERIFY_STAGE)
    decision = decide(Action.VERIFY_STAGE, subject, facts, actor(Role.QA), pipeline=DEFAULT)
    assert decision.effects == (SetTicket(Env.STAGE, "VERIFIED", "FIXED"), FileTicket(Env.PROD))
    assert state_after(decision, facts) is S.PROD_REQUESTED
    separate = Facts(**{**facts.__dict__, "qa_files_prod_ticket": True})
    decision = decide(Action.VERIFY_STAGE, subject, separate, actor(Role.QA), pipeline=DEFAULT)
    assert decision.effects == (SetTicket(Env.STAGE, "VERIFIED", "FIXED"),)
    assert state_after(decision, separate) is S.STAGE_VERIFIED


def test_a_repeat_after_a_half_done_verify_still_passes_its_guards() -> None:
    """The first attempt set the stage ticket VERIFIED, then Bugzilla failed."""
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "VERIFIED", "FIXED")},
                  environment=EnvironmentState("stage", "https://stage", True, VERSION))
    decision = decide(Action.VERIFY_STAGE, release(S.STAGE_DEPLOYED), facts, actor(Role.QA),
                      pipeline=DEFAULT)
    assert decision.to_state is S.STAGE_VERIFIED


def test_prod_deploy_starts_monitoring_and_rerelease_files_before_closing() -> None:
    deploy = decide(Action.DEPLOYED_PROD, release(S.GREENLIT),
                    good_facts(Action.DEPLOYED_PROD), actor(Role.OPS), pipeline=DEFAULT)
    assert deploy.effects == (SetTicket(Env.PROD, "RESOLVED", "FIXED"), StartMonitoring())
    again = decide(Action.RERELEASE, release(S.STAGE_DEPLOYED),
                   good_facts(Action.RERELEASE), actor(Role.OPS), pipeline=DEFAULT)
    assert again.effects == (FileTicket(Env.STAGE), CloseTicketInvalid(Env.STAGE))


def test_block_needs_a_bug_and_records_it() -> None:
    with pytest.raises(GuardFailed, match="`block` needs the bug"):
        decide(Action.BLOCK, release(S.PROD_REQUESTED), Facts(), actor(Role.QA), pipeline=DEFAULT)
    decision = decide(Action.BLOCK, release(S.PROD_REQUESTED), Facts(), actor(Role.QA),
                      bug_id=1107777, pipeline=DEFAULT)
    assert decision.effects == (AddBlocker(1107777),)


def test_unblock_refuses_a_bug_that_does_not_block() -> None:
    with pytest.raises(GuardFailed, match=r"bug 1108888 does not block loop-server 0\.13\.0"):
        decide(Action.UNBLOCK, release(S.PROD_REQUESTED), Facts(), actor(Role.DEV),
               bug_id=1108888, pipeline=DEFAULT)


def test_emergency_override_skips_failing_guards_and_lists_them() -> None:
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "RESOLVED", "FIXED")})
    decision = decide(Action.GREENLIGHT, release(S.STAGE_DEPLOYED), facts,
                      actor(Role.EMERGENCY), override_reason="TokBox outage fix, CVE",
                      pipeline=DEFAULT)
    assert decision.is_override and decision.to_state is S.GREENLIT
    assert decision.override_reason == "TokBox outage fix, CVE"
    assert decision.skipped_guards[0] == "0.13.0 was stage-deployed"
    assert any("not VERIFIED" in g for g in decision.skipped_guards)


def test_an_override_past_a_missing_ticket_files_it_for_the_record() -> None:
    stage_only = release(S.STAGE_DEPLOYED, tickets=(Ticket(Env.STAGE, STAGE_BUG),))
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "RESOLVED", "FIXED")})
    decision = decide(Action.GREENLIGHT, stage_only, facts, actor(Role.EMERGENCY),
                      override_reason="Hawk sessions expire for every user", pipeline=DEFAULT)
    assert decision.effects == (FileTicket(Env.PROD),)


def test_a_step_in_the_wrong_state_says_where_the_release_is_and_what_comes_next() -> None:
    with pytest.raises(WrongState) as refused:
        decide(Action.DEPLOYED_PROD, release(S.PROD_REQUESTED, blockers=()),
               good_facts(Action.DEPLOYED_PROD), actor(Role.OPS), pipeline=DEFAULT)
    assert refused.value.message == (
        "loop-server 0.13.0 is prod-requested: it can't be marked deployed on prod now")
    assert refused.value.hint == "QA: give the green light with `/loop greenlight prod 0.13.0`"


def test_the_next_step_of_a_blocked_release_is_its_blocker() -> None:
    assert next_step(release(S.PROD_REQUESTED, blockers=(1107001, 1107002)), pipeline=DEFAULT) == (
        "DEV: fix bug 1107001, bug 1107002, which blocks prod (or QA lifts it with "
        "`/loop unblock prod 0.13.0 bug N`); then QA gives the green light")


def test_override_needs_the_emergency_role_and_a_reason() -> None:
    with pytest.raises(MissingRole, match="breaking glass needs the emergency role"):
        decide(Action.GREENLIGHT, release(S.STAGE_DEPLOYED), Facts(),
               actor(Role.QA, Role.OPS, Role.DEV), override_reason="hurry", pipeline=DEFAULT)
    with pytest.raises(Refusal, match="needs a written reason"):
        decide(Action.GREENLIGHT, release(S.STAGE_DEPLOYED), Facts(),
               actor(Role.EMERGENCY), override_reason="  ", pipeline=DEFAULT)
    with pytest.raises(WrongState, match="nothing left to override"):
        decide(Action.GREENLIGHT, release(S.DONE), Facts(), actor(Role.EMERGENCY),
               override_reason="why not", pipeline=DEFAULT)


@pytest.mark.parametrize("action", [Action.BLOCK, Action.UNBLOCK])
def test_an_override_of_block_needs_its_bug(action: Action) -> None:
    # issue 18: an emergency block without its bug was announced, yet blocked nothing
    with pytest.raises(Refusal, match=f"`{action.value}` needs the bug, even when breaking"):
        decide(action, release(S.PROD_REQUESTED, blockers=(1107003,)), Facts(),
               actor(Role.EMERGENCY), override_reason="QA is away", pipeline=DEFAULT)


def test_service_change_tickets_are_filed_by_ops_and_need_no_version_check() -> None:
    change = Release("loop-server", "change-1", S.TAGGED, kind=Kind.SERVICE,
                     summary="raise the uWSGI worker count")
    decision = decide(Action.REQUEST_STAGE, change, Facts(), actor(Role.OPS), pipeline=DEFAULT)
    assert decision.effects == (FileTicket(Env.STAGE),)
    deployed = Release("loop-server", "change-1", S.STAGE_REQUESTED, kind=Kind.SERVICE,
                       tickets=(Ticket(Env.STAGE, STAGE_BUG),))
    facts = Facts(tickets={"stage": ticket(STAGE_BUG, "NEW")},
                  environment=EnvironmentState("stage", "https://stage", True, "0.12.2"))
    assert decide(Action.DEPLOYED_STAGE, deployed, facts, actor(Role.OPS),
                  pipeline=DEFAULT).to_state \
        is S.STAGE_DEPLOYED


def test_code_release_stage_ticket_is_not_filed_by_ops() -> None:
    with pytest.raises(MissingRole):
        decide(Action.REQUEST_STAGE, release(S.TAGGED), Facts(), actor(Role.OPS), pipeline=DEFAULT)


def test_stage_request_refused_while_the_tag_was_never_created() -> None:
    with pytest.raises(GuardFailed, match=r"repeat `/loop tag 0\.13\.0` to finish it"):
        decide(Action.REQUEST_STAGE, release(S.TAGGED, tag=None), Facts(), actor(Role.QA),
               pipeline=DEFAULT)


def test_a_patch_supersedes_older_releases_of_its_line_only() -> None:
    patch = release(S.STAGE_REQUESTED, version="0.13.1")
    assert supersedes(patch, release(S.REJECTED), pipeline=DEFAULT)
    assert supersedes(patch, release(S.STAGE_DEPLOYED), pipeline=DEFAULT)
    assert not supersedes(patch, release(S.DONE), pipeline=DEFAULT)
    assert not supersedes(patch, release(S.PROD_DEPLOYED), pipeline=DEFAULT)
    assert not supersedes(patch, release(S.REJECTED, version="0.12.3"), pipeline=DEFAULT)
    assert not supersedes(release(S.STAGE_REQUESTED, version="0.12.3"), release(S.REJECTED),
                          pipeline=DEFAULT)


@pytest.mark.parametrize(("state", "blockers", "owners"), [
    (S.TAGGED, (), {Role.DEV, Role.QA}),
    (S.STAGE_REQUESTED, (), {Role.OPS}),
    (S.STAGE_DEPLOYED, (), {Role.QA}),
    (S.PROD_REQUESTED, (), {Role.QA}),
    (S.PROD_REQUESTED, (BLOCKER,), {Role.DEV}),
    (S.GREENLIT, (), {Role.OPS}),  # PROCESS.md step 6: OPS is told
    (S.PROD_DEPLOYED, (), {Role.QA}),
    (S.REJECTED, (), {Role.DEV}),
    (S.DONE, (), set()),
], ids=["tagged", "stage-requested", "stage-deployed", "prod-requested", "blocked", "greenlit",
        "prod-deployed", "rejected", "done"])
def test_the_people_told_are_those_whose_move_it_is(
    state: State, blockers: tuple[int, ...], owners: set[Role]
) -> None:
    assert next_owners(release(state, blockers=blockers), pipeline=DEFAULT) == owners


def test_qa_rejects_with_a_reason_alone_and_attaches_the_bug_later() -> None:
    """Issue 9: the bug may not be filed yet when QA rejects the stage build."""
    qa = actor(Role.QA)
    first = decide(Action.REJECT, release(S.STAGE_DEPLOYED), good_facts(Action.REJECT), qa,
                   pipeline=DEFAULT)
    assert (first.to_state, first.effects) == (S.REJECTED, (CommentOnTicket(Env.STAGE),))
    rejected = release(S.REJECTED, rejected_for=None)
    later = decide(Action.REJECT, rejected, good_facts(Action.REJECT), qa, bug_id=1105009,
                   pipeline=DEFAULT)
    assert later.effects == (CommentOnTicket(Env.STAGE), AddBlocker(1105009))
    assert later.to_state is S.REJECTED
    with pytest.raises(WrongState, match="already rejected"):  # a bug is attached once
        decide(Action.REJECT, release(S.REJECTED), good_facts(Action.REJECT), qa,
               bug_id=1105010, pipeline=DEFAULT)
    with pytest.raises(WrongState, match="already rejected"):
        decide(Action.REJECT, rejected, good_facts(Action.REJECT), qa, pipeline=DEFAULT)
