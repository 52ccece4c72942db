"""How far the environment that follows the main branch (dev) is behind it: one GitHub
compare request (dev's rev...main branch), read now. Services without a dev environment
have none; an unreachable dev, one that hides its rev, or a failed comparison gives a lag
that says why it is unknown.

`environments_and_lag` is what `/loop envs` and App Home show: every environment read at
once, then the one comparison that needs dev's rev (two partner waits, not three)."""

from __future__ import annotations

from bot.config.settings import ServiceSettings
from bot.domain.dev_lag import DevLag
from bot.domain.facts import EnvironmentState
from bot.usecases.context import Context
from bot.usecases.ports import PartnerError

DEV = "dev"


def dev_lag(ctx: Context, service: ServiceSettings, dev: EnvironmentState | None = None
            ) -> DevLag | None:
    """`dev`: dev's state when it was just read (else it is read now)."""
    if DEV not in service.environments:
        return None
    state = dev if dev is not None else ctx.read_environment(service, DEV)
    branch = service.main_branch
    if not state.reachable:
        return DevLag(DEV, branch, None, error=state.error or "unreachable")
    if state.runs_nothing:
        return None  # no release yet: nothing to compare
    if not state.rev:
        return DevLag(DEV, branch, None, error="dev does not say which commit it runs")
    try:
        ancestry = ctx.ports_for(service).forge.ancestry(state.rev, branch)
    except PartnerError as exc:
        return DevLag(DEV, branch, state.rev, error=str(exc))
    return DevLag(DEV, branch, state.rev, ancestry.ahead_by)


def environments_and_lag(ctx: Context, service: ServiceSettings
                         ) -> tuple[list[EnvironmentState], DevLag | None]:
    states = ctx.read_environments(service)
    dev = next((s for s in states if s.name == DEV), None)
    return states, dev_lag(ctx, service, dev)
