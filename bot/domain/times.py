"""How a time or a day is shown to a person: in the team's time zone, in one format.

Every message, reply, mail, refusal and board page that shows a moment goes through
`when` ("Wed 2026-12-09 14:00"), a day through `day` ("Wed 2026-12-09"), a stretch of time
through `span` ("Wed 2026-12-09 14:00 to 16:00", the end's day when it is another day).
Stored times are aware and in UTC; only what a person reads is local. Pure.
"""

from __future__ import annotations

import datetime as dt

DAY = "%a %Y-%m-%d"
TIME = "%H:%M"


def local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """`moment` on the team's clock (a naive one is taken as already local)."""
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def when(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return local(moment, tz).strftime(f"{DAY} {TIME}")


def day(value: dt.date) -> str:
    return value.strftime(DAY)


def time_of_day(value: dt.time | dt.datetime) -> str:
    return value.strftime(TIME)


def span(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    first, last = local(start, tz), local(end, tz)
    until = time_of_day(last) if last.date() == first.date() else when(last, tz)
    return f"{when(first, tz)} to {until}"
