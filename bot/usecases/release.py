"""The use cases of the release process, shared by Slack, the CLI and the scheduler.

Each reads the outside facts it guards on afresh, asks the lifecycle (bot/domain), performs
the side effects it was told to in order, and records the outcome and an audit entry in
one transaction. Side effects are idempotent (bot/usecases/ticket.py), so a step that failed
halfway is finished by repeating the same command, never done twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from bot.config.settings import ServiceSettings
from bot.domain.actions import (
    Action,
    Actor,
    Decision,
    Facts,
)
from bot.domain.audit import AuditEntry
from bot.domain.errors import Refusal
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import decide, state_after
from bot.domain.loadtest import has_passed
from bot.domain.next_steps import pending_gate
from bot.domain.permissions import check_may_change_service
from bot.domain.release import Kind, Release, State, Ticket
from bot.domain.rules import check_step_exists
from bot.domain.signoff import missing_signoffs
from bot.domain.version import ReleaseLabel
from bot.usecases.context import Context, Progress, ServicePorts, load_release, quiet
from bot.usecases.effects import audit_entry, perform, supersede_older
from bot.usecases.ports import AlreadyExists, NotFound, StaleRelease, Tracker


@dataclass(frozen=True)
class ActionResult:
    release: Release
    decision: Decision
    filed: tuple[Ticket, ...] = ()
    superseded: tuple[Release, ...] = ()
    environment: EnvironmentState | None = None
    detail: str = ""  # what the audit log keeps: tickets filed, the bug, the reason
    pending: str | None = None  # the gate the next verification waits for (next_steps.py)


def advance(
    ctx: Context,
    ports: ServicePorts,
    action: Action,
    label: ReleaseLabel,
    actor: Actor,
    *,
    bug_id: int | None = None,
    reason: str = "",
    override_reason: str | None = None,
    request_id: str | None = None,
    progress: Progress = quiet,
    env: str | None = None,
) -> ActionResult:
    """Move a release one step of PROCESS.md (everything after tagging). `env`: the
    environment a reject or rerelease names (None: where the release is). `ports`: the
    service, resolved once by the caller."""
    pipeline = ports.config.pipeline
    check_step_exists(action, ports.config.name, pipeline=pipeline)
    release = load_release(ctx, ports.config.name, str(label))
    facts = read_facts(ctx, ports, release, action, bug_id)
    decision = decide(action, release, facts, actor, pipeline=pipeline, bug_id=bug_id,
                      override_reason=override_reason, env=env)
    release, filed = perform(ctx, ports, release, decision, facts, actor, bug_id, reason,
                              progress)
    release = replace(release, state=state_after(decision, facts), updated_at=ctx.clock())
    first = pipeline.first.name
    superseded = supersede_older(ctx, ports, release, actor, progress) if any(
        t.env == first for t in filed) and action == Action.of("request", first) else ()
    detail = _detail(decision, bug_id, reason, filed)
    with ctx.store.unit_of_work() as uow:
        try:
            uow.releases.save(release, expected_state=decision.from_state)
        except StaleRelease:
            raise Refusal(f"{release.service} {release.version} changed while this ran",
                          hint=f"`/loop status {release.version}` shows where it is now") from None
        uow.audit.add(audit_entry(ctx, actor, decision, release, detail, request_id))
        uow.commit()
    return ActionResult(release, decision, filed, superseded, facts.environment, detail,
                        pending=gate_pending(ctx, release))


def gate_pending(ctx: Context, release: Release) -> str | None:
    """The gate in the way of verifying where `release` is deployed (a load test), read
    from the store: the advice and the button name it instead of a refused step."""
    env = release.state.env
    if env is None or not ctx.settings.pipeline(release.service).needs(env, "load_test"):
        return None
    with ctx.store.unit_of_work() as uow:
        window_set = bool(uow.loadtests.windows(release.service, release.version))
        passed = has_passed(uow.loadtests.results(release.service, release.version))
    return pending_gate(release, load_test_required=True, window_set=window_set,
                        passed=passed)


def check_step(
    ctx: Context, ports: ServicePorts, action: Action, label: ReleaseLabel, actor: Actor, *,
    bug_id: int | None = None, override_reason: str | None = None, env: str | None = None,
) -> Decision:
    """What `advance` would decide now, performing nothing: a confirmation is offered only
    for a step that would be allowed (a refusal comes at once, not after the click)."""
    pipeline = ports.config.pipeline
    check_step_exists(action, ports.config.name, pipeline=pipeline)
    release = load_release(ctx, ports.config.name, str(label))
    facts = read_facts(ctx, ports, release, action, bug_id)
    return decide(action, release, facts, actor, pipeline=pipeline, bug_id=bug_id,
                  override_reason=override_reason,
                  env=env)


def read_facts(
    ctx: Context, ports: ServicePorts, release: Release, action: Action, bug_id: int | None
) -> Facts:
    """The outside facts the action guards on, read now (never from a cache). The tickets,
    the named bug and the environment are read at once; a green light's blockers, which
    the prod ticket names, after it. Load-test results and sign-offs come from the store."""
    tracker = ports.tracker
    pipeline = ports.config.pipeline
    ticketed = [(e.name, release.ticket(e.name)) for e in pipeline.ticketed]
    env = _environment_of(action)
    required = action.verb == "verify" and pipeline.needs(str(action.env), "load_test")
    passed, window_set = _load_test(ctx, release) if required else (False, False)
    missing = _signoffs_missing(ctx, ports, release, action)
    *bugs, subject, environment = ctx.fanout.at_once(
        *(partial(_bug_of, tracker, t) for _, t in ticketed),
        lambda: _subject(tracker, bug_id),
        lambda: ctx.read_environment(ports.config, env) if env else None,
    )
    tickets = {name: bug for (name, _), bug in zip(ticketed, bugs, strict=True)
               if bug is not None}
    prod_bug = tickets.get(pipeline.ticketed_names[-1])
    blockers: tuple[Bug, ...] = ()
    if action is Action.GREENLIGHT:
        ids = set(release.blockers) | set(prod_bug.depends_on if prod_bug else ())
        blockers = tuple(b for b in tracker.bugs(sorted(ids)).values() if b.is_open)
    return Facts(open_blockers=blockers, environment=environment,
                 qa_files_prod_ticket=ctx.settings.workflow.qa_files_prod_ticket,
                 bug=subject, load_test_required=required, load_test_passed=passed,
                 signoffs_missing=missing, tickets=tickets, load_test_window_set=window_set)


def _bug_of(tracker: Tracker, ticket: Ticket | None) -> Bug | None:
    return tracker.bug(ticket.bug_id) if ticket else None


def _load_test(ctx: Context, release: Release) -> tuple[bool, bool]:
    """Whether a load test passed, and whether a window was agreed (the store's: local)."""
    with ctx.store.unit_of_work() as uow:
        return (has_passed(uow.loadtests.results(release.service, release.version)),
                bool(uow.loadtests.windows(release.service, release.version)))


def _signoffs_missing(ctx: Context, ports: ServicePorts, release: Release,
                      action: Action) -> tuple[str, ...]:
    required = ports.config.workflow.prod_signoffs
    if action.verb != "verify" or not ports.config.pipeline.needs(
            str(action.env), "signoffs") or not required:
        return ()
    with ctx.store.unit_of_work() as uow:
        signed = [s.team for s in uow.signoffs.find(release.service, release.version)]
    return missing_signoffs(required, signed)


def _subject(tracker: Tracker, bug_id: int | None) -> Bug | None:
    """The bug a step names (reject, block), if any."""
    if bug_id is None:
        return None
    try:
        return tracker.bug(bug_id)
    except NotFound:
        raise Refusal(f"there is no bug {bug_id} in Bugzilla",
                      hint="check the bug number") from None


def _environment_of(action: Action) -> str | None:
    """The environment whose root URL the step guards on (deployed, verify, backoff)."""
    return action.env if action.verb in ("deployed", "verify", "backoff") else None


def _detail(decision: Decision, bug_id: int | None, reason: str,
            filed: tuple[Ticket, ...]) -> str:
    parts = [f"filed {t.env.value} bug {t.bug_id}" for t in filed]
    if bug_id is not None:
        parts.append(f"bug {bug_id}")
    if reason:
        parts.append(reason)
    if decision.skipped_guards:
        parts.append("skipped: " + "; ".join(decision.skipped_guards))
    return "; ".join(parts)




def start_service_change(
    ctx: Context, config: ServiceSettings, actor: Actor, summary: str, *,
    request_id: str | None = None,
) -> Release:
    """An OPS-driven service-level change (configuration, capacity): a release without a
    tag, labelled `change-N`, that then goes through the same stage and prod tickets."""
    name = config.name
    check_may_change_service(actor, name)
    text = summary.strip()
    if not text:
        raise Refusal("a service change needs a description",
                      hint='`/loop change "raise the uWSGI worker count"`')
    for _ in range(3):  # another change may take the same number at the same moment
        with ctx.store.unit_of_work() as uow:
            count = sum(1 for r in uow.releases.find(name) if r.kind is Kind.SERVICE)
            now = ctx.clock()
            change = Release(name, f"change-{count + 1}", State.TAGGED, kind=Kind.SERVICE,
                             summary=text, created_at=now, updated_at=now)
            try:
                change = uow.releases.add(change)
            except AlreadyExists:
                continue
            uow.audit.add(AuditEntry(
                actor=actor.user_id, action="service change", service=name,
                version=change.version, roles=actor.role_values(name),
                to_state=State.TAGGED.value, detail=text, request_id=request_id, at=now,
            ))
            uow.commit()
            return change
    raise Refusal("too many service changes started at once; try again")

