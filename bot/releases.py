"""The use cases of the release process, shared by Slack, the CLI and the scheduler.

Each reads the outside facts it guards on afresh, asks the lifecycle (bot/domain), performs
the side effects it was told to in order, and records the outcome and an audit entry in
one transaction. Side effects are idempotent (bot/tickets.py), so a step that failed
halfway is finished by repeating the same command, never done twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.config import ConfigError, ServiceSettings, Settings
from bot.domain.actions import (
    Action,
    Actor,
    AddBlocker,
    CloseTicketInvalid,
    CommentOnTicket,
    Decision,
    Facts,
    FileTicket,
    RemoveBlocker,
    SetTicket,
)
from bot.domain.audit import AuditEntry
from bot.domain.errors import Refusal
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import check_may_change_service, decide, state_after, supersedes
from bot.domain.release import Env, Kind, Release, State, Ticket
from bot.ports import Environments, Forge, NotFound, Tracker
from bot.store import AlreadyExists, StaleRelease, Store
from bot.tickets import file_once, move_ticket, ticket_description, ticket_summary

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class UnknownRelease(Refusal):
    pass


@dataclass(frozen=True)
class ServicePorts:
    config: ServiceSettings
    forge: Forge
    tracker: Tracker


@dataclass
class Context:
    """Everything a use case needs: settings, the store, the partners, the clock."""

    settings: Settings
    store: Store
    environments: Environments
    ports_for: Callable[[ServiceSettings], ServicePorts]
    clock: Callable[[], dt.datetime]

    def service(self, name: str | None = None) -> ServicePorts:
        try:
            return self.ports_for(self.settings.service(name))
        except ConfigError as exc:
            raise Refusal(str(exc), hint="`/loop help` lists the commands") from None

    def read_environment(self, config: ServiceSettings, env: str) -> EnvironmentState:
        if env not in config.environments:
            raise Refusal(f"{config.name} has no {env} environment in the configuration")
        return self.environments.read(env, config.environments[env].url)


@dataclass(frozen=True)
class ActionResult:
    release: Release
    decision: Decision
    filed: tuple[Ticket, ...] = ()
    superseded: tuple[Release, ...] = ()
    environment: EnvironmentState | None = None


def load_release(ctx: Context, service: str, version: str) -> Release:
    with ctx.store.unit_of_work() as uow:
        release = uow.get_release(service, version)
    if release is None:
        raise UnknownRelease(f"{service} has no release {version}",
                             hint="`/loop status` lists the releases in flight")
    return release


def advance(
    ctx: Context,
    action: Action,
    version: str,
    actor: Actor,
    *,
    service: str | None = None,
    bug_id: int | None = None,
    reason: str = "",
    override_reason: str | None = None,
    request_id: str | None = None,
    progress: Progress = _quiet,
) -> ActionResult:
    """Move a release one step of PROCESS.md (everything after tagging)."""
    ports = ctx.service(service)
    release = load_release(ctx, ports.config.name, version)
    facts = read_facts(ctx, ports, release, action, bug_id)
    decision = decide(action, release, facts, actor, bug_id=bug_id,
                      override_reason=override_reason)
    release, filed = _perform(ctx, ports, release, decision, facts, actor, bug_id, reason,
                              progress)
    release = replace(release, state=state_after(decision, facts), updated_at=ctx.clock())
    superseded = _supersede_older(ctx, ports, release, actor, progress) if any(
        t.env is Env.STAGE for t in filed) and action is Action.REQUEST_STAGE else ()
    detail = _detail(decision, bug_id, reason, filed)
    with ctx.store.unit_of_work() as uow:
        try:
            uow.save_release(release, expected_state=decision.from_state)
        except StaleRelease:
            raise Refusal(f"{release.service} {release.version} changed while this ran",
                          hint=f"`/loop status {release.version}` shows where it is now") from None
        uow.add_audit(_audit(ctx, actor, decision, release, detail, request_id))
        uow.commit()
    return ActionResult(release, decision, filed, superseded, facts.environment)


def check_step(
    ctx: Context, action: Action, version: str, actor: Actor, *, service: str | None = None,
    bug_id: int | None = None, override_reason: str | None = None,
) -> Decision:
    """What `advance` would decide now, performing nothing: a confirmation is offered only
    for a step that would be allowed (a refusal comes at once, not after the click)."""
    ports = ctx.service(service)
    release = load_release(ctx, ports.config.name, version)
    facts = read_facts(ctx, ports, release, action, bug_id)
    return decide(action, release, facts, actor, bug_id=bug_id, override_reason=override_reason)


def read_facts(
    ctx: Context, ports: ServicePorts, release: Release, action: Action, bug_id: int | None
) -> Facts:
    """The outside facts the action guards on, read now (never from a cache)."""
    tracker = ports.tracker
    stage = release.ticket(Env.STAGE)
    prod = release.ticket(Env.PROD)
    stage_bug = tracker.bug(stage.bug_id) if stage else None
    prod_bug = tracker.bug(prod.bug_id) if prod else None
    blockers: tuple[Bug, ...] = ()
    if action is Action.GREENLIGHT:
        ids = set(release.blockers) | set(prod_bug.depends_on if prod_bug else ())
        blockers = tuple(b for b in tracker.bugs(sorted(ids)).values() if b.is_open)
    subject = None
    if bug_id is not None:
        try:
            subject = tracker.bug(bug_id)
        except NotFound:
            raise Refusal(f"there is no bug {bug_id} in Bugzilla",
                          hint="check the bug number") from None
    env = _environment_of(action)
    environment = ctx.read_environment(ports.config, env) if env else None
    return Facts(stage_bug, prod_bug, blockers, environment,
                 ctx.settings.workflow.qa_files_prod_ticket, subject)


def _environment_of(action: Action) -> str | None:
    if action in (Action.DEPLOYED_STAGE, Action.VERIFY_STAGE):
        return "stage"
    if action in (Action.DEPLOYED_PROD, Action.VERIFY_PROD):
        return "prod"
    return None


def _perform(
    ctx: Context, ports: ServicePorts, release: Release, decision: Decision, facts: Facts,
    actor: Actor, bug_id: int | None, reason: str, progress: Progress,
) -> tuple[Release, tuple[Ticket, ...]]:
    tracker = ports.tracker
    filed: list[Ticket] = []
    before = release
    who = actor.name or actor.user_id
    for effect in decision.effects:
        match effect:
            case FileTicket(env=env):
                ticket = _file(ctx, ports, release, env, facts)
                release, filed = release.with_ticket(ticket), [*filed, ticket]
                progress(f"filed {env.value} bug {ticket.bug_id}")
            case SetTicket(env=env, status=status, resolution=resolution):
                bug = facts.stage_ticket if env is Env.STAGE else facts.prod_ticket
                if bug is not None and move_ticket(
                    tracker, bug, status, resolution,
                    f"{decision.action.value} by {who} via loopbot",
                ):
                    progress(f"{env.value} bug {bug.id} is {status} {resolution}".strip())
            case CloseTicketInvalid(env=env):
                old = before.ticket(env)
                new = release.ticket(env)
                if old is not None and facts.stage_ticket is not None:
                    pointer = f"bug {new.bug_id}" if new and new != old else "a new ticket"
                    move_ticket(tracker, facts.stage_ticket, "RESOLVED", "INVALID",
                                f"Re-released by {who}: superseded by {pointer}")
                    progress(f"closed {env.value} bug {old.bug_id} INVALID")
            case CommentOnTicket(env=env):
                ticket = release.ticket(env)
                if ticket is not None:
                    tracker.comment(ticket.bug_id, _comment(decision, who, bug_id, reason))
            case AddBlocker(bug_id=blocker):
                prod = release.ticket(Env.PROD)
                if prod is not None:
                    tracker.add_blocker(prod.bug_id, blocker)
                release = replace(release, blockers=tuple(sorted({*release.blockers, blocker})))
                progress(f"bug {blocker} blocks prod for {release.version}")
            case RemoveBlocker(bug_id=blocker):
                prod = release.ticket(Env.PROD)
                if prod is not None:
                    tracker.remove_blocker(prod.bug_id, blocker)
                release = replace(release, blockers=tuple(b for b in release.blockers
                                                          if b != blocker))
                progress(f"bug {blocker} no longer blocks prod for {release.version}")
    if decision.action is Action.REJECT:
        release = replace(release, rejected_for=bug_id)
    return release, tuple(filed)


def _file(ctx: Context, ports: ServicePorts, release: Release, env: Env, facts: Facts) -> Ticket:
    existing = release.ticket(env)
    attempt = existing.attempt + 1 if existing else 1
    depends = release.fixed_bugs if env is Env.STAGE else (*release.fixed_bugs,
                                                            *release.blockers)
    stage = release.ticket(Env.STAGE)
    bug_id = file_once(
        ctx.store, ports.tracker, release, env, attempt=attempt,
        summary=ticket_summary(release, env),
        description=ticket_description(release, env, ports.forge,
                                       stage.bug_id if stage and env is Env.PROD else None),
        depends_on=tuple(sorted(set(depends))),
    )
    return Ticket(env, bug_id, attempt)


def _supersede_older(
    ctx: Context, ports: ServicePorts, new: Release, actor: Actor, progress: Progress
) -> tuple[Release, ...]:
    """Older releases of the same line still short of prod give way to the new one."""
    with ctx.store.unit_of_work() as uow:
        older = [r for r in uow.releases(new.service) if supersedes(new, r)]
    new_ticket = new.ticket(Env.STAGE)
    done = []
    for old in older:
        ticket = old.ticket(Env.STAGE)
        if ticket is not None and new_ticket is not None:
            bug = ports.tracker.bug(ticket.bug_id)
            move_ticket(ports.tracker, bug, "RESOLVED", "INVALID",
                        f"Superseded by bug {new_ticket.bug_id} ({new.service} {new.version})")
            progress(f"closed stage bug {ticket.bug_id} of {old.version} INVALID")
        replaced = replace(old, state=State.SUPERSEDED, superseded_by=new.version,
                           updated_at=ctx.clock())
        decision = Decision(Action.REQUEST_STAGE, old.state, State.SUPERSEDED)
        with ctx.store.unit_of_work() as uow:
            uow.save_release(replaced)
            uow.add_audit(_audit(ctx, actor, decision, replaced,
                                 f"superseded by {new.version}", None, action="supersede"))
            uow.commit()
        done.append(replaced)
    return tuple(done)


def _comment(decision: Decision, who: str, bug_id: int | None, reason: str) -> str:
    text = f"{decision.action.value} by {who} via loopbot"
    if bug_id is not None:
        text += f": bug {bug_id}"
    return f"{text}. {reason}".strip() if reason else text


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


def _audit(
    ctx: Context, actor: Actor, decision: Decision, release: Release, detail: str,
    request_id: str | None, action: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=ctx.clock(),
        actor=actor.user_id,
        roles=tuple(sorted(r.value for r in actor.roles)),
        action=action or (f"override {decision.action.value}" if decision.is_override
                          else decision.action.value),
        service=release.service,
        version=release.version,
        from_state=decision.from_state.value,
        to_state=release.state.value,
        detail=detail,
        request_id=request_id,
        override_reason=decision.override_reason,
    )


def start_service_change(
    ctx: Context, actor: Actor, summary: str, *, service: str | None = None,
    request_id: str | None = None,
) -> Release:
    """An OPS-driven service-level change (configuration, capacity): a release without a
    tag, labelled `change-N`, that then goes through the same stage and prod tickets."""
    check_may_change_service(actor)
    text = summary.strip()
    if not text:
        raise Refusal("a service change needs a description",
                      hint='`/loop change "raise the uWSGI worker count"`')
    ports = ctx.service(service)
    name = ports.config.name
    for _ in range(3):  # another change may take the same number at the same moment
        with ctx.store.unit_of_work() as uow:
            count = sum(1 for r in uow.releases(name) if r.kind is Kind.SERVICE)
            now = ctx.clock()
            change = Release(name, f"change-{count + 1}", State.TAGGED, kind=Kind.SERVICE,
                             summary=text, created_at=now, updated_at=now)
            try:
                change = uow.add_release(change)
            except AlreadyExists:
                continue
            uow.add_audit(AuditEntry(
                actor=actor.user_id, action="service change", service=name,
                version=change.version, roles=tuple(sorted(r.value for r in actor.roles)),
                to_state=State.TAGGED.value, detail=text, request_id=request_id, at=now,
            ))
            uow.commit()
            return change
    raise Refusal("too many service changes started at once; try again")

