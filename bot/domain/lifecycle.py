"""The release lifecycle: every rule of PROCESS.md about who may move a release where.

`decide(action, release, facts, actor, pipeline=...)` is the one question every entry
point asks, with the pipeline of the release's service (its settings carry it). It
answers with a `Decision` (the next state and the side effects to perform, in order) or
raises a `Refusal` that says what is wrong and what to do instead. It is pure: the facts
(ticket statuses, what an environment runs) are read by the caller just before asking,
and nothing here performs I/O or reads the clock.

Guards are monotone: a fact that a step itself produces (a ticket already VERIFIED by a
first, interrupted attempt) still satisfies the guard, so repeating a step after a crash
or a partner's outage reaches the same decision and finishes the work.

Roles count in the release's service (bot/domain/permissions.py; the table of who may
take which step is bot/domain/rules.py). An emergency override is an action of its own
(`override_reason` set): only the service's emergency people may use it, it needs a
written reason, and it skips the guards that fail, listing them in the decision so they
can be announced and audited.
"""

from __future__ import annotations

from bot.domain.actions import (
    Action,
    Actor,
    AddBlocker,
    CloseTicketInvalid,
    CommentOnTicket,
    Decision,
    Effect,
    Facts,
    FileTicket,
    GuardFailed,
    RemoveBlocker,
    ReopenTicket,
    SetTicket,
    StartMonitoring,
    WrongState,
)
from bot.domain.errors import Refusal
from bot.domain.guards import failing_guards
from bot.domain.next_steps import next_step, pending_gate
from bot.domain.permissions import check_may_break_glass, check_step_role
from bot.domain.pipeline import Pipeline
from bot.domain.release import Env, Kind, Release, State
from bot.domain.rules import StepRule, before_prod_states, rule_for, sent_back_on, step_target
from bot.domain.version import BadVersion, Version


def decide(
    action: Action,
    release: Release,
    facts: Facts,
    actor: Actor,
    *,
    pipeline: Pipeline,
    bug_id: int | None = None,
    override_reason: str | None = None,
    env: str | None = None,
) -> Decision:
    """May `actor` do `action` to `release` given `facts`? The decision, or a Refusal.
    `env`: the environment a reject or re-release names (None: where the release is)."""
    rule = rule_for(action, release, pipeline=pipeline)
    _check_sent_back_env(action, release, env, pipeline)
    if override_reason is not None:
        return _override(action, rule, release, facts, actor, bug_id, override_reason,
                         pipeline)
    check_step_role(action, release, actor, pipeline=pipeline)
    if not _attaches_rejection_bug(action, release, bug_id):
        _check_state(action, rule, release, pipeline)
    failures = failing_guards(action, release, facts, bug_id, pipeline=pipeline)
    if failures:
        pending = pending_gate(release, load_test_required=facts.load_test_required,
                               window_set=facts.load_test_window_set,
                               passed=facts.load_test_passed)
        raise GuardFailed("; ".join(failures),
                          hint=next_step(release, pending, pipeline=pipeline))
    return Decision(
        action, release.state, _target(action, release, pipeline),
        _effects(action, release, facts, bug_id, pipeline),
    )


def _target(action: Action, release: Release, pipeline: Pipeline) -> State:
    return step_target(action, release, pipeline) or release.state


def _check_sent_back_env(action: Action, release: Release, env: str | None,
                         pipeline: Pipeline) -> None:
    """A rejection or re-release names the environment the release is on."""
    if env is None or action not in (Action.REJECT, Action.RERELEASE):
        return
    where = sent_back_on(release, pipeline)
    if env != where:
        raise WrongState(f"{release.service} {release.version} is on {where} "
                         f"({release.state.value}), not {env}",
                         hint=f"`/loop {action.value} {where} {release.version} ...`")


def _override(
    action: Action, rule: StepRule, release: Release, facts: Facts, actor: Actor,
    bug_id: int | None, reason: str, pipeline: Pipeline,
) -> Decision:
    check_may_break_glass(actor, release.service)
    if not reason.strip():
        raise Refusal("an emergency override needs a written reason",
                      hint=f"add the reason: `/loop {action.value} {release.version} "
                           "--emergency \"why\"`")
    if action in (Action.BLOCK, Action.UNBLOCK) and bug_id is None:
        # breaking glass skips guards, not the step's subject: no blocker, nothing to do
        raise Refusal(f"`{action.value}` needs the bug, even when breaking glass",
                      hint=f"`/loop {action.value} prod {release.version} bug N "
                           "--emergency \"why\"`")
    if release.state.is_final:
        raise WrongState(f"{release.service} {release.version} is {release.state.value}: "
                         "nothing left to override")
    skipped = tuple(failing_guards(action, release, facts, bug_id, pipeline=pipeline))
    if release.state not in rule.from_states and rule.to_state is not None:
        skipped = (f"{release.version} was {release.state.value}", *skipped)
    effects = (*_missing_tickets(action, release),
               *_effects(action, release, facts, bug_id, pipeline))
    return Decision(
        action, release.state, _target(action, release, pipeline), effects, skipped,
        reason.strip(),
    )


def _missing_tickets(action: Action, release: Release) -> tuple[Effect, ...]:
    """Breaking glass skips checks, not the record: a step past a missing ticket files it,
    so OPS and QA still have the ticket they act on and Bugzilla keeps the history."""
    env = action.env if action.verb in ("deployed", "verify") else (
        Env.PROD if action is Action.GREENLIGHT else None)
    if env is None or release.ticket(env) is not None:
        return ()
    return (FileTicket(env),)


def cleared_for_prod(release: Release | None) -> bool:
    """May this release run in prod? Only once QA gave the green light (or someone broke
    glass): a version that appears in prod otherwise raises the alarm."""
    return release is not None and release.state in (State.GREENLIT, State.PROD_DEPLOYED,
                                                     State.DONE)


def went_back_from(pushed: Release, running: str) -> bool:
    """Does prod running `running` after `pushed` look like a back-off of `pushed`: it
    was pushed (and not yet recorded as backed off), and prod runs the release before it
    (or, when the bot does not know that one, an older version)?"""
    if pushed.kind is not Kind.CODE or pushed.state not in (State.PROD_DEPLOYED, State.DONE):
        return False
    if pushed.previous_version is not None:
        return running == pushed.previous_version
    try:
        return Version.parse(running) < Version.parse(pushed.version)
    except BadVersion:
        return False


def _check_state(action: Action, rule: StepRule, release: Release,
                 pipeline: Pipeline) -> None:
    if release.state in rule.from_states:
        return
    name = f"{release.service} {release.version}"
    hint = next_step(release, pipeline=pipeline)
    if rule.to_state == release.state:
        raise WrongState(f"{name} is already {release.state.value}", hint=hint)
    waiting = _unverified_before_greenlight(release, pipeline)
    if action is Action.GREENLIGHT and waiting:
        raise WrongState(f"{name} is {release.state.value}: the green light for prod waits "
                         f"until {' and '.join(waiting)} {'is' if len(waiting) == 1 else 'are'}"
                         " verified", hint=hint)
    if action is Action.BACKOFF:
        raise WrongState(f"{name} never reached prod ({release.state.value}): there is "
                         "nothing to back off", hint=hint)
    raise WrongState(f"{name} is {release.state.value}: it can't {action.outcome} now",
                     hint=hint)


def _unverified_before_greenlight(release: Release, pipeline: Pipeline) -> list[str]:
    """The environments the green light waits for that the release has not passed yet
    (judged by its state: a release on real-stage has passed stage)."""
    env = release.state.env
    if env is None or env == Env.PROD:
        return [e.name for e in pipeline.greenlight_waits_for] if release.state in (
            State.TAGGING, State.TAGGED) else []
    names = pipeline.ticketed_names
    here = names.index(env) if env in names else 0
    passed = here + (release.state.phase == "verified")
    return [e.name for e in pipeline.greenlight_waits_for if names.index(e.name) >= passed]


def _attaches_rejection_bug(action: Action, release: Release, bug_id: int | None) -> bool:
    """QA may reject before the bug is filed; the same command with `bug N` attaches it."""
    return (action is Action.REJECT and release.state is State.REJECTED
            and release.rejected_for is None and bug_id is not None)


def _effects(
    action: Action, release: Release, facts: Facts, bug_id: int | None, pipeline: Pipeline
) -> tuple[Effect, ...]:
    env = action.env
    if action.verb == "request" and env is not None:
        return (FileTicket(env),)
    if action.verb == "deployed" and env is not None:
        monitor = (StartMonitoring(),) if env == Env.PROD else ()
        return (SetTicket(env, "RESOLVED", "FIXED"), *monitor)
    if action.verb == "verify" and env is not None:
        verified = SetTicket(env, "VERIFIED", "FIXED")
        after = pipeline.after(env)
        if after is None or facts.qa_files_prod_ticket:
            return (verified,)
        return (verified, FileTicket(Env(after.name)))  # verifying files the next ticket
    where = Env(sent_back_on(release, pipeline))
    match action:
        case Action.RERELEASE:  # file first, so the old ticket can point at the new one
            return (FileTicket(where), CloseTicketInvalid(where))
        case Action.REJECT:
            blocker = (AddBlocker(bug_id),) if bug_id is not None else ()
            return (CommentOnTicket(where), *blocker)
        case Action.BLOCK:
            return (AddBlocker(bug_id),) if bug_id is not None else ()
        case Action.UNBLOCK:
            return (RemoveBlocker(bug_id),) if bug_id is not None else ()
        case Action.BACKOFF:
            return (ReopenTicket(Env.PROD),)
        case _:
            return ()


def state_after(decision: Decision, facts: Facts) -> State:
    """Verifying an environment moves on to the next one's ticket when it files it
    (verifying stage files prod's: PROD_REQUESTED)."""
    if decision.action.verb != "verify":
        return decision.to_state
    filed = [e.env for e in decision.effects
             if isinstance(e, FileTicket) and e.env != decision.action.env]
    return State.of(filed[-1], "requested") if filed else decision.to_state


def supersedable_states(pipeline: Pipeline) -> frozenset[State]:
    """Where a release can still be replaced by a newer one of its line: not yet in prod."""
    return frozenset({State.TAGGED, *before_prod_states(pipeline), State.REJECTED,
                      State.PROD_REQUESTED, State.GREENLIT, State.BACKED_OFF})


def supersedes(new: Release, old: Release, *, pipeline: Pipeline) -> bool:
    """A new stage release replaces an older one of the same service and release line
    that has not reached prod (PROCESS.md: 'the previous stage ticket is closed RESOLVED
    INVALID, pointing at the new one'). Service changes replace older service changes.
    `pipeline`: their service's."""
    if new.service != old.service or new.version == old.version or new.kind != old.kind:
        return False
    if old.state not in supersedable_states(pipeline):
        return False
    if new.kind is Kind.SERVICE:
        return True
    older, newer = Version.parse(old.version), Version.parse(new.version)
    return older.line == newer.line and older < newer
