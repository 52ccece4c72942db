"""The cycle calendar as people and programs read it: text, JSON and iCalendar
(the cycles come from bot/usecases/calendar_feed.py).

Guarantees:
- Every output is built from the same `Cycle` values (bot.domain.calendar), so text, JSON
  and ICS never disagree.
- JSON is a list of `{"cycle": N, "tag": "YYYY-MM-DD", "prod": "YYYY-MM-DD"}`, with null
  for a skipped date.
- ICS (via the `icalendar` library) has one VEVENT per tagging day, timed at the
  announcement in the team's time zone (with its VTIMEZONE), and one all-day VEVENT per
  prod push. UIDs are built from the service and the *nominal* date
  (`loop-server-tag-2026-12-08@loopbot`), so a moved date updates the same event in
  subscribers' calendars instead of adding a second one. A skipped date has no event.
- Load-test windows agreed with partners are events too (`loop-server-loadtest-7@loopbot`,
  timed in the team's time zone); a window's own ICS (mailed to partners) carries the same
  UID, so the feed and the invitation name one event.
- Nothing here reads the clock: the caller passes the start day and the stamp time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.domain import times
from bot.domain.calendar import Calendar
from bot.domain.cycle import Cycle
from bot.domain.loadtest import Window

if TYPE_CHECKING:  # imported where an ICS is built: every `loopbot` command reads FORMATS
    import icalendar

FORMATS = ("text", "json", "ics")
TAG_EVENT_LENGTH = dt.timedelta(hours=1)


def render(
    fmt: str, calendar: Calendar, cycles: Sequence[Cycle], service: str, stamp: dt.datetime,
    windows: Sequence[Window] = (),
) -> bytes:
    """The cycles in one of FORMATS, as bytes to write out."""
    if fmt == "ics":
        return render_ics(calendar, cycles, service, stamp, windows)
    if fmt == "json":
        return render_json(cycles).encode()
    return render_text(calendar, cycles, service).encode()


def render_text(calendar: Calendar, cycles: Sequence[Cycle], service: str) -> str:
    """One line per cycle, for people."""
    title = f"{service} release calendar ({calendar.tz.key})"
    lines = [f"cycle {c.number:>3}: {_tag_text(calendar, c)}; {_prod_text(calendar, c)}"
             for c in cycles]
    return "\n".join([title, *lines]) + "\n"


def render_json(cycles: Sequence[Cycle]) -> str:
    """A JSON list of {"cycle", "tag", "prod"}, for scripts."""
    rows = [{"cycle": c.number, "tag": _iso(c.tag), "prod": _iso(c.prod)} for c in cycles]
    return json.dumps(rows, indent=2) + "\n"


def render_ics(
    calendar: Calendar, cycles: Sequence[Cycle], service: str, stamp: dt.datetime,
    windows: Sequence[Window] = (),
) -> bytes:
    """An iCalendar feed of the cycles' tagging days, prod pushes and load-test windows."""
    feed = _feed(f"{service} releases", calendar)
    for cycle in cycles:
        for event in _events(calendar, cycle, service, stamp):
            feed.add_component(event)
    for window in windows:
        feed.add_component(window_event(calendar, window, stamp))
    if cycles:
        first, last = cycles[0].first_day, cycles[-1].last_day
        feed.add_missing_timezones(first_date=first - dt.timedelta(days=366),
                                   last_date=last + dt.timedelta(days=366))
    return feed.to_ical()


def render_window_ics(calendar: Calendar, window: Window, stamp: dt.datetime) -> bytes:
    """One load-test window as an iCalendar file (the attachment mailed to partners)."""
    feed = _feed(f"{window.service} load test", calendar)
    feed.add("method", "PUBLISH")
    feed.add_component(window_event(calendar, window, stamp))
    feed.add_missing_timezones(first_date=window.start.date() - dt.timedelta(days=366),
                               last_date=window.end.date() + dt.timedelta(days=366))
    return feed.to_ical()


def window_event(calendar: Calendar, window: Window, stamp: dt.datetime) -> icalendar.Event:
    with_whom = f" with {', '.join(window.partners)}" if window.partners else ""
    return _event(
        uid=f"{window.service}-loadtest-{window.id}@loopbot",
        summary=f"{window.service} {window.version}: load test on stage{with_whom}",
        start=window.start.astimezone(calendar.tz), end=window.end.astimezone(calendar.tz),
        stamp=stamp,
        description=f"QA load-tests {window.label} on stage{with_whom}; partners: expect "
                    "load from the stage environment during this window.",
    )


def _feed(name: str, calendar: Calendar) -> icalendar.Calendar:
    import icalendar

    feed = icalendar.Calendar()
    feed.add("prodid", "-//loopbot//release calendar//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", calendar.tz.key)
    return feed


def _events(
    calendar: Calendar, cycle: Cycle, service: str, stamp: dt.datetime
) -> list[icalendar.Event]:
    events = []
    if cycle.tag is not None:
        start = calendar.at(cycle.tag, calendar.announce_at)
        events.append(_event(
            uid=f"{service}-tag-{cycle.nominal_tag.isoformat()}@loopbot",
            summary=f"{service}: tagging day (cycle {cycle.number})",
            start=start, end=start + TAG_EVENT_LENGTH, stamp=stamp,
            description="DEV tags the release from master; it goes to stage and is announced.",
        ))
    if cycle.prod is not None:
        events.append(_event(
            uid=f"{service}-prod-{cycle.nominal_prod.isoformat()}@loopbot",
            summary=f"{service}: prod push (cycle {cycle.number})",
            start=cycle.prod, end=cycle.prod + dt.timedelta(days=1), stamp=stamp,
            description="OPS pushes the release to prod if QA found no regression on stage.",
        ))
    return events


def _event(
    *, uid: str, summary: str, start: dt.date, end: dt.date, stamp: dt.datetime,
    description: str,
) -> icalendar.Event:
    import icalendar

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def _tag_text(calendar: Calendar, cycle: Cycle) -> str:
    if cycle.tag is None:
        why = calendar.skip_reason(cycle.nominal_tag)
        return f"no tagging ({_day(cycle.nominal_tag)} {why})"
    text = f"tagging {_day(cycle.tag)} at {times.time_of_day(calendar.announce_at)}"
    return text + (f" (moved from {_day(cycle.nominal_tag)})" if cycle.tag_moved else "")


def _prod_text(calendar: Calendar, cycle: Cycle) -> str:
    if cycle.prod is None:
        why = calendar.skip_reason(cycle.nominal_prod)
        return f"no prod push ({_day(cycle.nominal_prod)} {why})"
    text = f"prod push {_day(cycle.prod)}"
    return text + (f" (moved from {_day(cycle.nominal_prod)})" if cycle.prod_moved else "")


def _day(day: dt.date) -> str:
    return times.day(day)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
