"""The environment watch's word to DEV when dev stops following master.

For each service with a dev environment and `workflow.dev_max_lag_minutes` set, every
tick (one compare request):
- `devlag-seen:SERVICE:REV`: the first tick that finds dev (running REV) behind the main
  branch records it in the audit log ("dev behind master"), silently;
- `devlag-alert:SERVICE:REV`: once the lag first seen at REV has lasted more than the
  allowed minutes, DEV is told once ("dev runs 5af4054, 12 commits behind master, for
  more than 2 h"). A new deploy of dev (a new REV) starts afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bot.config.settings import ServiceSettings
from bot.domain.dev_lag import DevLag, overdue
from bot.jobs.tick import Tick, entry
from bot.messages.announcements import Rendered
from bot.messages.blocks import escape, section
from bot.usecases.context import Context
from bot.usecases.dev_lag import dev_lag, following

SEEN = "dev behind master"


def watch_dev_lag(t: Tick, service: ServiceSettings) -> None:
    allowed = service.workflow.dev_max_lag_minutes
    if allowed is None:
        return
    follower = following(service)
    lag = dev_lag(t.ctx, service, t.environment(service, follower) if follower else None)
    if lag is None or not lag.lagging or lag.rev is None:
        return
    seen_key = f"devlag-seen:{service.name}:{lag.rev}"
    if t.claim(seen_key):
        t.record(entry(SEEN, service.name, detail=lag.describe()), seen_key)
        return
    first_seen = _first_seen(t.ctx, service.name, seen_key)
    if first_seen is None or not overdue(first_seen, t.now, dt.timedelta(minutes=allowed)):
        return
    t.post_once(f"devlag-alert:{service.name}:{lag.rev}", lambda: (
        _alert(service.name, lag, allowed, t.mention("DEV", service=service.name)),
        entry("dev lags master", service.name, detail=lag.describe())))


def dev_lag_instants(ctx: Context, service: ServiceSettings) -> Iterator[dt.datetime]:
    """When a lag already seen becomes overdue (for the sandbox's `!clock`)."""
    allowed = service.workflow.dev_max_lag_minutes
    if allowed is None:
        return
    with ctx.store.unit_of_work() as uow:
        entries = uow.audit.find(service.name, action=SEEN)
    for e in entries:
        if e.at is not None:
            yield e.at + dt.timedelta(minutes=allowed, seconds=1)


def _first_seen(ctx: Context, service: str, key: str) -> dt.datetime | None:
    with ctx.store.unit_of_work() as uow:
        found = uow.audit.first_of_request(key, SEEN)
    return found.at if found is not None and found.service == service else None


def _alert(service: str, lag: DevLag, allowed: int, people: str) -> Rendered:
    hours = f"{allowed // 60} h" if allowed % 60 == 0 else f"{allowed} min"
    text = (f":hourglass: {service}: {lag.describe()}, for more than {hours}. DEV: "
            f"{lag.env} should follow {lag.branch}; update it (or find out why it is stuck).")
    return Rendered(f"{text} {people}".rstrip(), [section(f"{escape(text)} {people}".rstrip())])
