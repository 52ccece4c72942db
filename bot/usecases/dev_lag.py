"""How far the environment that follows the main branch (dev, or whichever the pipeline
says `follows` it) is behind it: one GitHub compare request (its rev...main branch), read
now. Services without such an environment have none; an unreachable dev, one that hides
its rev, or a failed comparison gives a lag that says why it is unknown.

`environments_and_lag` is what `/loop envs` and App Home show: every environment read at
once, then the one comparison that needs dev's rev (two partner waits, not three)."""

from __future__ import annotations

from bot.config.settings import ServiceSettings
from bot.domain.dev_lag import DevLag
from bot.domain.facts import EnvironmentState
from bot.usecases.context import Context
from bot.usecases.ports import PartnerError


def following(service: ServiceSettings) -> str | None:
    """The configured environment that follows a branch instead of taking releases."""
    return next((e.name for e in service.pipeline.environments
                 if e.follows is not None and e.name in service.environments), None)


def dev_lag(ctx: Context, service: ServiceSettings, dev: EnvironmentState | None = None
            ) -> DevLag | None:
    """`dev`: its state when it was just read (else it is read now)."""
    name = following(service)
    if name is None:
        return None
    state = dev if dev is not None else ctx.read_environment(service, name)
    branch = service.main_branch
    if not state.reachable:
        return DevLag(name, branch, None, error=state.error or "unreachable")
    if state.runs_nothing:
        return None  # no release yet: nothing to compare
    if not state.rev:
        return DevLag(name, branch, None, error=f"{name} does not say which commit it runs")
    try:
        ancestry = ctx.ports_for(service).forge.ancestry(state.rev, branch)
    except PartnerError as exc:
        return DevLag(name, branch, state.rev, error=str(exc))
    return DevLag(name, branch, state.rev, ancestry.ahead_by)


def environments_and_lag(ctx: Context, service: ServiceSettings
                         ) -> tuple[list[EnvironmentState], DevLag | None]:
    states = ctx.read_environments(service)
    dev = next((s for s in states if s.name == following(service)), None)
    return states, dev_lag(ctx, service, dev)
