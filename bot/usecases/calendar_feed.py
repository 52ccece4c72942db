"""The cycle calendar as the use cases read it: the configured calendar and the cycles
asked for, as plain domain values (`Cycle`). Rendering them as text, JSON or iCalendar is
bot/messages/calendar.py's.

Nothing here reads the clock: the caller passes the start day.
"""

from __future__ import annotations

import datetime as dt

from bot.config.settings import Settings
from bot.domain.calendar import Calendar
from bot.domain.cycle import Cycle, Freeze

DEFAULT_CYCLES = 6
MAX_CYCLES = 1_000  # about 38 years of two-week cycles: more is a typo


def calendar_from_settings(settings: Settings, *, anchor: dt.date | None = None) -> Calendar:
    """The domain calendar of the configuration (`anchor` overrides the configured one)."""
    conf = settings.calendar
    return Calendar.build(
        anchor=anchor or conf.anchor,
        tz=settings.tz,
        period_weeks=conf.period_weeks,
        prod_offset_days=conf.prod_offset_days,
        announce_at=conf.announce_at,
        skip=conf.skip,
        freezes=[Freeze(f.start, f.end, f.reason) for f in conf.freezes],
        moves=conf.moves,
    )


def select_cycles(
    calendar: Calendar, start: dt.date, *, end: dt.date | None = None,
    count: int = DEFAULT_CYCLES,
) -> tuple[Cycle, ...]:
    """The cycles from `start` up to `end` when given, else the next `count`."""
    if end is not None:
        return calendar.cycles_between(start, end)
    return calendar.upcoming(start, count)
