"""The records a tick's duties read, read once per tick in one unit of work (at the first
duty that asks, before that duty calls any partner): each service's releases that the
late steps and the monitoring follow, with their audit logs, and the load-test windows
still worth news. Claims, the watch's sightings and the messages' own reads stay where
they are: each asks the store when it needs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.loadtest import Window
from bot.domain.release import Release, State
from bot.domain.rules import waiting_states
from bot.jobs.tick import Tick
from bot.usecases.ports import RecordStore, UnitOfWork

Followed = list[tuple[Release, list[AuditEntry]]]
STALE_AFTER = dt.timedelta(days=1)  # a load-test window's news is stale a day after


def followed_states(service: ServiceSettings) -> tuple[State, ...]:
    """Where the late steps (waiting before prod) and the monitoring (in prod) look."""
    return (*waiting_states(service.pipeline), State.PROD_DEPLOYED)


def releases_with_audit(store: RecordStore, service: str, states: Sequence[State]) -> Followed:
    """The service's releases in `states`, each with its audit log."""
    with store.unit_of_work() as uow:
        return with_audit(uow, service, states)


def with_audit(uow: UnitOfWork, service: str, states: Sequence[State]) -> Followed:
    releases = uow.releases.find(service, states=states)
    return [(r, uow.audit.find(service, r.version)) for r in releases]


@dataclass(frozen=True)
class TickReads:
    followed: dict[str, Followed]  # by service
    windows: list[Window]  # every service's, ending two days before the tick or later


def tick_reads(t: Tick) -> TickReads:
    return t.once(TickReads, lambda: _read(t))


def followed(t: Tick, service: ServiceSettings, states: Sequence[State]) -> Followed:
    """The tick's read of the service's followed releases, those in `states`."""
    found = tick_reads(t).followed.get(service.name, [])
    return [(release, entries) for release, entries in found if release.state in states]


def _read(t: Tick) -> TickReads:
    with t.ctx.store.unit_of_work() as uow:
        found = {s.name: with_audit(uow, s.name, followed_states(s))
                 for s in t.ctx.settings.services}
        windows = uow.loadtests.windows(ending_after=t.now - 2 * STALE_AFTER)  # end's index
    return TickReads(found, windows)
