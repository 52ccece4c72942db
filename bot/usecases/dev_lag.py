"""How far the environment that follows the main branch (dev) is behind it: one GitHub
compare request (dev's rev...main branch), read now. Services without a dev environment
have none; an unreachable dev, one that hides its rev, or a failed comparison gives a lag
that says why it is unknown."""

from __future__ import annotations

from bot.config import ServiceSettings
from bot.domain.dev_lag import DevLag
from bot.ports import PartnerError
from bot.usecases.context import Context

DEV = "dev"


def dev_lag(ctx: Context, service: ServiceSettings) -> DevLag | None:
    if DEV not in service.environments:
        return None
    state = ctx.read_environment(service, DEV)
    branch = service.main_branch
    if not state.reachable:
        return DevLag(DEV, branch, None, error=state.error or "unreachable")
    if not state.rev:
        return DevLag(DEV, branch, None, error="dev does not say which commit it runs")
    try:
        ancestry = ctx.service(service.name).forge.ancestry(state.rev, branch)
    except PartnerError as exc:
        return DevLag(DEV, branch, state.rev, error=str(exc))
    return DevLag(DEV, branch, state.rev, ancestry.ahead_by)
