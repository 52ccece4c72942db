"""The side effects the lifecycle decides, performed in order against the partners.

Each is idempotent: a ticket is filed once per release, environment and attempt
(bot/usecases/ticket.py), a status is set only when the ticket is not there already, a blocker
added twice is one dependency. So a step that failed halfway is finished by repeating it.
"""

from __future__ import annotations

from dataclasses import replace

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
    ReopenTicket,
    SetTicket,
)
from bot.domain.audit import AuditEntry
from bot.domain.lifecycle import supersedable_states, supersedes
from bot.domain.release import Env, Release, State, Ticket
from bot.usecases.context import Context, Progress, ServicePorts
from bot.usecases.ticket import file_once, move_ticket, ticket_description, ticket_summary


def perform(
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
                ticket = file_ticket(ctx, ports, release, env)
                release, filed = release.with_ticket(ticket), [*filed, ticket]
                progress(f"filed {env.value} bug {ticket.bug_id}")
            case SetTicket(env=env, status=status, resolution=resolution):
                bug = facts.ticket(env)
                if bug is not None and move_ticket(
                    tracker, bug, status, resolution,
                    f"{decision.action.value} by {who} via loopbot",
                ):
                    progress(f"{env.value} bug {bug.id} is {status} {resolution}".strip())
            case CloseTicketInvalid(env=env):
                old = before.ticket(env)
                new = release.ticket(env)
                if old is not None and (bug := facts.ticket(env)) is not None:
                    pointer = f"bug {new.bug_id}" if new and new != old else "a new ticket"
                    move_ticket(tracker, bug, "RESOLVED", "INVALID",
                                f"Re-released by {who}: superseded by {pointer}")
                    progress(f"closed {env.value} bug {old.bug_id} INVALID")
            case CommentOnTicket(env=env):
                current = release.ticket(env)
                if current is not None:
                    tracker.comment(current.bug_id, _comment(decision, who, bug_id, reason))
            case ReopenTicket(env=env):
                bug = facts.ticket(env)
                if bug is not None and not bug.is_open:  # a repeat finds it open: done
                    tracker.reopen(bug.id, _comment(decision, who, bug_id, reason))
                    progress(f"{env.value} bug {bug.id} reopened")
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
    if decision.action in (Action.REJECT, Action.BACKOFF) and bug_id is not None:
        release = replace(release, rejected_for=bug_id)
    return release, tuple(filed)


def file_ticket(ctx: Context, ports: ServicePorts, release: Release, env: Env) -> Ticket:
    existing = release.ticket(env)
    attempt = existing.attempt + 1 if existing else 1
    depends = release.fixed_bugs if env != Env.PROD else (*release.fixed_bugs,
                                                          *release.blockers)
    pipeline = ports.config.pipeline
    came_from = pipeline.before(env)
    verified = release.ticket(came_from.name) if came_from is not None else None
    bug_id = file_once(
        ctx.store, ports.tracker, release, env, attempt=attempt,
        summary=ticket_summary(release, env, pipeline=pipeline),
        description=ticket_description(release, env, ports.forge,
                                       verified.bug_id if verified else None,
                                       pipeline=pipeline),
        depends_on=tuple(sorted(set(depends))),
    )
    return Ticket(env, bug_id, attempt)


def supersede_older(
    ctx: Context, ports: ServicePorts, new: Release, actor: Actor, progress: Progress
) -> tuple[Release, ...]:
    """Older releases of the same line still short of prod give way to the new one."""
    pipeline = ports.config.pipeline
    with ctx.store.unit_of_work() as uow:
        older = [r for r in uow.releases.find(new.service,
                                              states=supersedable_states(pipeline))
                 if supersedes(new, r, pipeline=pipeline)]
    first = pipeline.first.name
    new_ticket = new.ticket(first)
    # a backed-off release's tickets tell their story (stage VERIFIED, prod reopened)
    tickets = [old.ticket(first) if new_ticket and old.state is not State.BACKED_OFF
               else None for old in older]
    bugs = ctx.fanout.map(lambda t: ports.tracker.bug(t.bug_id) if t else None, tickets)
    done = []
    for old, ticket, bug in zip(older, tickets, bugs, strict=True):  # the reads were at once
        if ticket is not None and bug is not None and new_ticket is not None:
            move_ticket(ports.tracker, bug, "RESOLVED", "INVALID",
                        f"Superseded by bug {new_ticket.bug_id} ({new.service} {new.version})")
            progress(f"closed {first} bug {ticket.bug_id} of {old.version} INVALID")
        replaced = replace(old, state=State.SUPERSEDED, superseded_by=new.version,
                           updated_at=ctx.clock())
        decision = Decision(Action.of("request", first), old.state, State.SUPERSEDED)
        with ctx.store.unit_of_work() as uow:
            uow.releases.save(replaced)
            uow.audit.add(audit_entry(ctx, actor, decision, replaced,
                                 f"superseded by {new.version}", None, action="supersede"))
            uow.commit()
        done.append(replaced)
    return tuple(done)


def _comment(decision: Decision, who: str, bug_id: int | None, reason: str) -> str:
    text = f"{decision.action.value} by {who} via loopbot"
    if bug_id is not None:
        text += f": bug {bug_id}"
    return f"{text}. {reason}".strip() if reason else text


def audit_entry(
    ctx: Context, actor: Actor, decision: Decision, release: Release, detail: str,
    request_id: str | None, action: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=ctx.clock(),
        actor=actor.user_id,
        roles=actor.role_values(release.service),
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

