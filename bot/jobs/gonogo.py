"""The go/no-go before each prod push (issue 22): posted to the service's channel and
mailed to its list on the last working day before each push day of the calendar (skips,
freezes and moves applied), at `calendar.gonogo_at` in the team's time zone.

`gonogo:SERVICE:PUSHDAY` is claimed once (bot/jobs/tick.py), so the post goes out once
across restarts and bot processes. Posted late with a note until the push day begins;
from then on it is skipped and logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.calendar import Calendar
from bot.domain.cycle import Event
from bot.domain.gonogo import post_day
from bot.jobs.tick import Tick, entry
from bot.messages.announcements import Rendered, day
from bot.messages.gonogo import render_gonogo, title
from bot.usecases.context import Context
from bot.usecases.gonogo import gonogo

MIDNIGHT = dt.time(0, 0)


def gonogo_duties(t: Tick, service: ServiceSettings) -> None:
    at = t.ctx.settings.calendar.gonogo_at
    for push in _push_days(t.calendar, t.today() - dt.timedelta(days=1), t.today()):
        due = t.at(post_day(push, _day_off(t.calendar)), at)
        if t.now < due:
            continue
        key = f"gonogo:{service.name}:{push.isoformat()}"
        if t.now >= t.at(push, MIDNIGHT):
            t.skip_once(key, f"the push day {day(push)} has come",
                        entry("gonogo", service.name))
            continue
        t.post_once(key, partial(_build, t, service, push, t.late(due)))


def gonogo_instants(ctx: Context, calendar: Calendar, start: dt.datetime,
                    end: dt.datetime) -> Iterator[dt.datetime]:
    """When a go/no-go becomes due between start and end (for the sandbox's `!clock`)."""
    at = ctx.settings.calendar.gonogo_at
    first, last = calendar.local_day(start), calendar.local_day(end)
    for push in _push_days(calendar, first, last):
        yield calendar.at(post_day(push, _day_off(calendar)), at)


def _build(t: Tick, service: ServiceSettings, push: dt.date, late: str | None
           ) -> tuple[Rendered, AuditEntry]:
    found = gonogo(t.ctx, t.ctx.ports_for(service), push_day=push)
    rendered = render_gonogo(found, t.mention_in(service.name), late)
    version = found.candidate.version if found.candidate else None
    gates = ", ".join(dict.fromkeys(r.gate for r in found.failing))
    detail = f"{found.verdict.value} for {day(push)}" + (f": {gates}" if gates else "")
    return (Rendered(rendered.text, rendered.blocks, subject=title(found)),
            entry("gonogo", service.name, version, detail))


def _push_days(calendar: Calendar, first: dt.date, last: dt.date) -> list[dt.date]:
    """The push days whose go/no-go falls from `first` to `last`: those up to a period
    (plus a fortnight of days off) after `last`, and those from `first` on."""
    ahead = last + dt.timedelta(weeks=calendar.period_weeks + 2)
    start = max(first, calendar.anchor)
    if ahead < start:
        return []
    return [o.day for o in calendar.occurrences(start, ahead) if o.event is Event.PROD]


def _day_off(calendar: Calendar) -> Callable[[dt.date], bool]:
    return lambda on: calendar.skip_reason(on) is not None
