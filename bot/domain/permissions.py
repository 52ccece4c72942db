"""Who may take a step: the role checks, always in the release's service.

An actor's roles depend on the service (app.yaml: a service's own `roles` replace the
top-level ones for that service), so every check names the service it asks about, and a
refusal says which service the role is missing for: "`verify stage` needs the QA role for
loop-client; <@U…> is not QA for loop-client (holds DEV there)". Pure: raises
`MissingRole` or returns.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.actions import Action, Actor, MissingRole, Role
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release
from bot.domain.rules import rule_for

_ORDER = (Role.DEV, Role.OPS, Role.QA, Role.EMERGENCY)


def role_names(roles: frozenset[Role]) -> str:
    """"DEV, QA, emergency" in the usual order, or "no role"."""
    return ", ".join(r.value for r in _ORDER if r in roles) or "no role"


def roles_summary(actor: Actor, services: Iterable[str]) -> str:
    """"DEV for loop-server; QA, emergency for loop-client", or "no role"."""
    held = actor.roles_by_service(services)
    return "; ".join(f"{role_names(roles)} for {service}" for service, roles in held.items()
                     ) or "no role"


def check_may_tag(actor: Actor, service: str) -> None:
    """Only DEV tags releases and cuts patches."""
    require(actor, frozenset({Role.DEV}), "tagging", service)


def check_may_backport(actor: Actor, service: str) -> None:
    """Only DEV backports fixes to maintenance branches."""
    require(actor, frozenset({Role.DEV}), "backporting", service)


def check_may_change_service(actor: Actor, service: str) -> None:
    """A service-level change (configuration, capacity) is OPS-driven."""
    require(actor, frozenset({Role.OPS}), "a service change", service)


def check_may_break_glass(actor: Actor, service: str) -> None:
    """Only the emergency people of the service may push a step past its guards."""
    if Role.EMERGENCY not in actor.roles_in(service):
        raise MissingRole(
            f"breaking glass needs the emergency role for {service}; {actor.mention} "
            f"does not have it there",
            hint=f"ask one of {service}'s emergency people listed in app.yaml")


def check_step_role(action: Action, release: Release, actor: Actor, *,
                    pipeline: Pipeline) -> None:
    """May `actor` take `action` on `release` as far as roles go (state, guards aside)?"""
    require(actor, rule_for(action, release, pipeline=pipeline).roles, f"`{action.value}`",
            release.service)


def check_role(action: Action, release: Release, actor: Actor, *, pipeline: Pipeline,
               override: bool = False) -> None:
    """The role check alone (no state, no guard): raises MissingRole as `decide` would."""
    if override:
        check_may_break_glass(actor, release.service)
    else:
        check_step_role(action, release, actor, pipeline=pipeline)


def holds_role_for(action: Action, release: Release, actor: Actor, *,
                   pipeline: Pipeline) -> bool:
    """Whether `actor` holds a role that may do `action` to `release` (guards aside)."""
    return bool(actor.roles_in(release.service)
                & rule_for(action, release, pipeline=pipeline).roles)


def require(actor: Actor, roles: frozenset[Role], what: str, service: str) -> None:
    """Refuses unless `actor` holds one of `roles` for `service`."""
    held = actor.roles_in(service)
    if held & roles:
        return
    needed = " or ".join(r.value for r in _ORDER if r in roles)
    raise MissingRole(
        f"{what} needs the {needed} role for {service}; {actor.mention} is not {needed} "
        f"for {service} (holds {role_names(held)} there)",
        hint=f"ask someone with the {needed} role for {service}")
