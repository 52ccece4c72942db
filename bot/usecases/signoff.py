"""Other teams' sign-off on prod: each configured team signs once the release runs in
prod; `verify prod` waits for all of them (bot/domain/signoff.py, bot/domain/guards.py).

`sign_off` records one sign-off per team the person belongs to (a repeat records
nothing new), notes it on the prod ticket, and audits it; it answers who is still
missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.config.settings import ServiceSettings
from bot.domain.actions import Actor
from bot.domain.audit import AuditEntry
from bot.domain.release import Release
from bot.domain.signoff import Signoff, check_may_sign, missing_signoffs
from bot.domain.version import ReleaseLabel
from bot.usecases.context import Context, ServicePorts, load_release


@dataclass(frozen=True)
class SignoffResult:
    release: Release
    signed: tuple[str, ...]  # the teams signed by this request
    already: tuple[str, ...]  # the person's teams that had signed before
    missing: tuple[str, ...]  # the teams still to sign
    env: str = field(kw_only=True)  # where they sign (`Pipeline.signed_off`)


def required_teams(config: ServiceSettings) -> dict[str, tuple[str, ...]]:
    """The teams (name -> Slack user or group IDs) whose sign-off prod waits for."""
    return dict(config.workflow.prod_signoffs)


def sign_off(ctx: Context, ports: ServicePorts, actor: Actor, actor_teams: Sequence[str],
             label: ReleaseLabel, *, request_id: str | None = None) -> SignoffResult:
    """`ports`: the service, resolved once by the caller."""
    version = str(label)
    name = ports.config.name
    required = list(ports.config.workflow.prod_signoffs)
    env = ports.config.pipeline.signed_off.name
    release = load_release(ctx, name, version)
    teams = [t for t in required if t in actor_teams]
    check_may_sign(release, actor, teams, required, env)
    signed: list[str] = []
    with ctx.store.unit_of_work() as uow:
        for team in teams:
            if uow.signoffs.add(Signoff(name, version, team, actor.user_id), ctx.clock()):
                signed.append(team)
        if signed:
            uow.audit.add(AuditEntry(
                actor=actor.user_id, action=f"signoff {env}", service=name, version=version,
                roles=actor.role_values(name),
                from_state=release.state.value, to_state=release.state.value,
                detail="for " + ", ".join(signed), request_id=request_id, at=ctx.clock()))
        done = [s.team for s in uow.signoffs.find(name, version)]
        uow.commit()
    ticket = release.ticket(env)
    if signed and ticket is not None:
        who = actor.name or actor.user_id
        ports.tracker.comment(ticket.bug_id, f"Signed off on {env} for {', '.join(signed)} "
                                             f"by {who} via loopbot.")
    already = tuple(t for t in teams if t not in signed)
    return SignoffResult(release, tuple(signed), already, missing_signoffs(required, done),
                         env=env)
