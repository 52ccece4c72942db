"""Load-test duties: QA is reminded when a release on the load-tested environment (stage,
or the one with the load_test gate) has no window on the tagging
day, and the channel hears when each window starts and ends.

For each service, at the tick's instant:
- `loadtest-remind:SERVICE:VERSION:DAY`: on a tagging day (the cycle's Tuesday) from
  `loadtest.remind_at` until midnight, for each release there with no window, when
  the service requires a load test: QA is mentioned. Not posted after that day.
- `loadtest-start:ID` at the window's start (skipped once it is over), and
  `loadtest-end:ID` at its end, asking QA for the result (skipped a day later).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.calendar import Calendar
from bot.domain.cycle import Event
from bot.domain.loadtest import Window
from bot.domain.release import Release, State
from bot.domain.rules import waiting_on
from bot.jobs.reads import STALE_AFTER, tick_reads
from bot.jobs.tick import Tick, entry
from bot.messages.announcements import Rendered, day
from bot.messages.blocks import escape, section
from bot.messages.loadtest import window_span
from bot.usecases.context import Context


def loadtest_duties(t: Tick, service: ServiceSettings) -> None:
    remind_without_window(t, service)
    for window in tick_reads(t).windows:
        if window.service == service.name:
            _window_news(t, service, window)


def remind_without_window(t: Tick, service: ServiceSettings) -> None:
    if not service.pipeline.gated("load_test"):
        return
    env = service.pipeline.load_tested.name
    for tag_day in _tag_days(t.calendar, t.today()):
        due = t.at(tag_day, t.ctx.settings.loadtest.remind_at)
        if t.now < due:
            continue
        over = t.at(tag_day + dt.timedelta(days=1), dt.time(0, 0)) <= t.now
        for release in _without_window(t.ctx, service):
            key = f"loadtest-remind:{service.name}:{release.version}:{tag_day.isoformat()}"
            what = entry("remind load-test window", service.name, release.version)
            if over:
                t.skip_once(key, f"the tagging day {day(tag_day)} is over", what)
                continue
            t.post_once(key, partial(_reminded, t, release, env, what))


def loadtest_instants(ctx: Context, calendar: Calendar, service: ServiceSettings,
                      start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
    """When these duties become due between start and end (for the sandbox's `!clock`)."""
    remind_at = ctx.settings.loadtest.remind_at
    first, last = calendar.local_day(start), calendar.local_day(end)
    if service.pipeline.gated("load_test"):
        for occurrence in calendar.occurrences(max(first, calendar.anchor), last):
            if occurrence.event is Event.TAG and last >= calendar.anchor:
                yield calendar.at(occurrence.day, remind_at)
    with ctx.store.unit_of_work() as uow:
        for window in uow.loadtests.windows(service.name):
            yield from (window.start, window.end)


def _tag_days(calendar: Calendar, today: dt.date) -> list[dt.date]:
    if today < calendar.anchor:
        return []
    start = max(today - dt.timedelta(days=1), calendar.anchor)
    return [o.day for o in calendar.occurrences(start, today) if o.event is Event.TAG]


def _without_window(ctx: Context, service: ServiceSettings) -> list[Release]:
    with ctx.store.unit_of_work() as uow:
        releases = uow.releases.find(service.name, states=_on_load_tested(service))
        return [r for r in releases if not uow.loadtests.windows(service.name, r.version)]


def _on_load_tested(service: ServiceSettings) -> tuple[State, ...]:
    """On the load-tested environment, before its verification: where QA load-tests."""
    return waiting_on(service.pipeline.load_tested.name)


def _reminded(t: Tick, release: Release, env: str, what: AuditEntry
              ) -> tuple[Rendered, AuditEntry]:
    return _reminder(t, release, env), what


def _reminder(t: Tick, release: Release, env: str) -> Rendered:
    v = release.version
    text = (f"{release.service} {v} is on {env} and no load-test window is set: QA, agree "
            f"one with the partners and record it with `/loop loadtest {env} {v} window "
            f"FROM TO [PARTNER...]`.")
    return _with_mention(text, t.mention("QA", service=release.service))


def _with_mention(text: str, people: str) -> Rendered:
    """The text escaped, then the mentions (already Slack syntax) after it."""
    return Rendered(f"{text} {people}".rstrip(),
                    [section(f"{escape(text)} {people}".rstrip())])


def _window_news(t: Tick, service: ServiceSettings, window: Window) -> None:
    name = f"{window.service} {window.version}"
    span = window_span(window, t.tz)
    with_whom = f" with {', '.join(window.partners)}" if window.partners else ""
    if t.now >= window.start:
        key = f"loadtest-start:{window.id}"
        what = entry("load-test window started", service.name, window.version)
        if t.now >= window.end:
            t.skip_once(key, "the window is over", what)
        else:
            text = f":stopwatch: The load-test window of {name}{with_whom} starts now: {span}."
            t.post_once(key, lambda: (Rendered(text, [section(escape(text))]), what))
    if t.now >= window.end:
        key = f"loadtest-end:{window.id}"
        what = entry("load-test window ended", service.name, window.version)
        if t.now - window.end > STALE_AFTER:
            t.skip_once(key, "the window ended more than a day ago", what)
            return
        v = window.version
        text = (f"The load-test window of {name}{with_whom} is over. QA: record the result "
                f"with `/loop loadtest {service.pipeline.load_tested.name} {v} pass` (or "
                "`fail [REASON] [bug N]`).")
        t.post_once(key, lambda: (_with_mention(text, t.mention("QA", service=service.name)),
                                   what))
