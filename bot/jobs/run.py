"""Running the scheduler's duties: now (`run_due`), or every instant due between the
clock's current time and a later one (`run_until`, for the sandbox's `!clock`).

`run_due(ctx, chat, mailer, now)` asks the calendar and the store what is due at `now`
for every configured service (announcements and prod-push reminders, late-step
reminders, the environment watch and dev's lag, monitoring, load-test windows, the
go/no-go before each push) and acts on each
occurrence that nobody claimed yet. It is what the scheduler's one job runs every
minute, safe to run as often as anyone likes, from any number of threads or bot
processes: claims in the database make each occurrence happen once. A duty that fails
(a partner down) is logged and the others still run; the next tick tries again what was
not claimed. While the database is unreachable a tick stops at the first duty that
meets it and logs one line.

`run_until(ctx, chat, mailer, clock, until)` moves a `ManualClock` forward to `until`,
stopping at each instant at which something becomes due (announcement hours, late-step
deadlines, the end of a monitoring window), running `run_due` there, and once more at
`until`. A jump of weeks costs a few dozen runs. Environments and heartbeats are read
live at each stop: a jump does not poll at instants it skips over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator

from bot.clock import ManualClock
from bot.config.settings import ServiceSettings
from bot.domain.calendar import Calendar
from bot.domain.errors import Refusal
from bot.domain.release import State
from bot.jobs.cycle import cycle_duties
from bot.jobs.dev_lag import dev_lag_instants, watch_dev_lag
from bot.jobs.followup import late_steps, monitoring, stage_reminder
from bot.jobs.gonogo import gonogo_duties, gonogo_instants
from bot.jobs.loadtest import loadtest_duties, loadtest_instants
from bot.jobs.reads import followed_states, releases_with_audit
from bot.jobs.tick import Tick, entered_at
from bot.jobs.watch import watch_environments
from bot.logs import log_context
from bot.store import StoreError, Unreachable
from bot.usecases.calendar_feed import calendar_from_settings
from bot.usecases.context import Context
from bot.usecases.ports import Chat, Mail, PartnerError

log = logging.getLogger("loopbot.scheduler")

Duty = Callable[[Tick, ServiceSettings], None]
DUTIES: tuple[Duty, ...] = (cycle_duties, late_steps, watch_environments, monitoring,
                            loadtest_duties, watch_dev_lag, gonogo_duties)


def run_due(
    ctx: Context, chat: Chat, mailer: Mail | None = None, now: dt.datetime | None = None
) -> None:
    """Everything due at `now` (default: the context's clock), for every service."""
    moment = now or ctx.clock()
    tick = Tick(ctx, chat, mailer, moment.astimezone(dt.UTC), _calendar(ctx))
    try:
        for service in ctx.settings.services:
            for duty in DUTIES:
                _guarded(duty, tick, service)
    except Unreachable as exc:  # the other duties would only fail the same way
        log.warning("tick at %s not run: the database is unreachable (%s); the next tick "
                    "tries again", tick.now.isoformat(timespec="minutes"), exc)


def run_until(
    ctx: Context, chat: Chat, mailer: Mail | None, clock: ManualClock, until: dt.datetime
) -> None:
    """Move `clock` to `until`, running what is due at each instant on the way, in order."""
    for instant in due_instants(ctx, clock(), until):
        clock.set(instant)
        run_due(ctx, chat, mailer, instant)
    clock.set(until)
    run_due(ctx, chat, mailer, until)


def due_instants(ctx: Context, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants strictly between `start` and `end` at which something becomes due."""
    calendar = _calendar(ctx)
    found = set(_calendar_instants(calendar, start, end))
    found.update(gonogo_instants(ctx, calendar, start, end))
    for service in ctx.settings.services:
        found.update(_release_instants(ctx, calendar, service))
        found.update(loadtest_instants(ctx, calendar, service, start, end))
        found.update(dev_lag_instants(ctx, service))
    return sorted(i for i in found if start < i < end)


def _calendar_instants(
    calendar: Calendar, start: dt.datetime, end: dt.datetime
) -> Iterator[dt.datetime]:
    first = max(calendar.local_day(start), calendar.anchor)
    for occurrence in calendar.occurrences(first, calendar.local_day(end)):
        yield calendar.at(occurrence.day, calendar.announce_at)


def _release_instants(
    ctx: Context, calendar: Calendar, settings: ServiceSettings
) -> Iterator[dt.datetime]:
    service = settings.name
    pipeline = settings.pipeline
    window = dt.timedelta(minutes=settings.pipeline.monitor_minutes(
        ctx.settings.workflow.monitor_minutes))
    for release, entries in releases_with_audit(ctx.store, service, followed_states(settings)):
        if release.state is State.PROD_DEPLOYED:
            yield entered_at(entries, release, State.PROD_DEPLOYED) + window
            continue
        found = stage_reminder(calendar, release, entries, pipeline)
        if found is not None:
            yield found[1]


def _guarded(duty: Duty, tick: Tick, service: ServiceSettings) -> None:
    with log_context(rid=f"tick@{tick.now.isoformat()}", uid="scheduler",
                     service=service.name):
        try:
            duty(tick, service)
        except PartnerError as exc:
            log.warning("%s for %s failed: %s", duty.__name__, service.name, exc,
                        extra={"partner": exc.partner})
        except Unreachable:
            raise
        except (Refusal, StoreError) as exc:
            log.warning("%s for %s failed: %s", duty.__name__, service.name, exc)
        except Exception:
            log.exception("%s for %s failed", duty.__name__, service.name)


def _calendar(ctx: Context) -> Calendar:
    return calendar_from_settings(ctx.settings)
