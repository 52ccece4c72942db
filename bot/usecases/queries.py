"""Read-only questions about releases and environments, for status, history, App Home
and the scheduler. Nothing here changes anything."""

from __future__ import annotations

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.facts import EnvironmentState
from bot.domain.release import Release, State
from bot.domain.rules import not_final_states
from bot.domain.version import ReleaseLabel
from bot.usecases.context import Context, ServicePorts, load_release


def history(ctx: Context, ports: ServicePorts, label: ReleaseLabel) -> list[AuditEntry]:
    """Everything that happened to a release, oldest first (`ports`: the service, resolved
    once by the caller)."""
    release = load_release(ctx, ports.config.name, str(label))
    with ctx.store.unit_of_work() as uow:
        return uow.audit.find(release.service, release.version)


def releases_in_flight(ctx: Context, config: ServiceSettings) -> list[Release]:
    """The releases not yet done or superseded, newest first (`config`: the service,
    resolved once by the caller)."""
    with ctx.store.unit_of_work() as uow:
        return uow.releases.find(config.name, states=not_final_states(config.pipeline))


def environments(ctx: Context, config: ServiceSettings) -> list[EnvironmentState]:
    """What each environment of the service runs now (all read at once)."""
    return ctx.read_environments(config)


def recently_released(ctx: Context, config: ServiceSettings, count: int = 5) -> list[Release]:
    """The last `count` releases that reached the end of the process, newest first."""
    with ctx.store.unit_of_work() as uow:
        return uow.releases.find(config.name, states=[State.DONE], limit=count)
