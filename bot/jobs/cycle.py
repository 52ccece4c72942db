"""The calendar's occurrences: the tagging announcement and the prod-push reminder.

For each service and each tagging or prod-push day of the calendar (skips, freezes and
moves applied) from one period back to today, once its announcement hour has passed:
- tagging day: `announce:SERVICE:DAY` posts the announcement (and emails it when a
  mailer is set): the release tagged this cycle (tagged on master from the day before
  the tagging day until now) with its fixed and flagged bugs; else the release of master
  still in flight (tagged earlier, not yet released); else what a plain `/loop tag` would
  tag now (usecases/tagging.py `taggable`, the very rule the command applies) and a word
  to DEV, or why nothing is taggable (master has nothing new); the QA window, the prod
  push, the stage URL. Posted late with a note while the QA window lasts; after it,
  skipped and logged.
- prod-push day: `prodpush:SERVICE:DAY` posts the green light's state of each release
  waiting for prod (given, or what is missing and whose move it is). Posted late with a
  note during that day; after it, skipped and logged.
"""

from __future__ import annotations

import datetime as dt

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.cycle import Cycle, Event, Occurrence
from bot.domain.errors import Refusal
from bot.domain.release import Kind, Release, State
from bot.domain.rules import before_prod_states, not_final_states
from bot.jobs.tick import Tick, entry
from bot.messages.announcements import (
    Announcement,
    CycleDates,
    Rendered,
    day,
    render_announcement,
    render_prod_push,
)
from bot.usecases.ports import PartnerError
from bot.usecases.tagging import taggable


def in_flight_states(service: ServiceSettings) -> tuple[State, ...]:
    """Tagged and not yet released: on any environment of the pipeline up to prod."""
    return (State.TAGGING, State.TAGGED, *before_prod_states(service.pipeline),
            State.PROD_REQUESTED, State.GREENLIT, State.PROD_DEPLOYED)


def waiting_for_prod_states(service: ServiceSettings) -> tuple[State, ...]:
    return (State.TAGGED, *before_prod_states(service.pipeline), State.PROD_REQUESTED,
            State.GREENLIT, State.REJECTED)


MIDNIGHT = dt.time(0, 0)


def cycle_duties(t: Tick, service: ServiceSettings) -> None:
    today = t.today()
    if today < t.calendar.anchor:
        return
    start = max(today - dt.timedelta(weeks=t.calendar.period_weeks), t.calendar.anchor)
    for occurrence in t.calendar.occurrences(start, today):
        due = t.at(occurrence.day)
        if due > t.now:
            continue
        if occurrence.event is Event.TAG:
            announce(t, service, occurrence, due)
        else:
            remind_prod_push(t, service, occurrence, due)


# -- tagging day ------------------------------------------------------------------------
def announce(t: Tick, service: ServiceSettings, occurrence: Occurrence, due: dt.datetime) -> None:
    key = f"announce:{service.name}:{occurrence.day.isoformat()}"
    cycle = t.calendar.cycle(occurrence.cycle)
    qa_over = t.at(cycle.prod or cycle.nominal_prod, MIDNIGHT)
    if t.now >= qa_over:
        why = f"the QA window of cycle {cycle.number} ended {day(qa_over.date())}"
        t.skip_once(key, why, entry("announce", service.name))
        return
    late = t.late(due)

    def build() -> tuple[Rendered, AuditEntry]:
        found = announcement_of(t, service, cycle, late)
        version = found.release.version if found.release else None
        rendered = render_announcement(found, pipeline=service.pipeline)
        return rendered, entry("announce", service.name, version, f"cycle {cycle.number}")

    t.post_once(key, build)


def announcement_of(
    t: Tick, service: ServiceSettings, cycle: Cycle, late: str | None
) -> Announcement:
    release = cycle_release(t, service, cycle)
    tagged_before = None
    if release is None:
        release = in_flight(t, service)
        tagged_before = t.calendar.local_day(release.created_at) if (
            release and release.created_at) else None
    version, nothing = (None, None) if release else next_version(t, service)
    stage = service.environments.get(service.pipeline.first.name)
    return Announcement(
        service=service.name, cycle=cycle_dates(t, cycle), release=release,
        tagged_before=tagged_before, next_version=version, nothing_to_tag=nothing,
        stage_url=stage.url if stage else None, late=late,
        mentions="" if release or nothing else t.mention("DEV", service=service.name),
    )


def cycle_dates(t: Tick, cycle: Cycle) -> CycleDates:
    assert cycle.tag is not None
    push = cycle.prod or cycle.nominal_prod
    days = [cycle.tag + dt.timedelta(days=n) for n in range(1, (push - cycle.tag).days)]
    weekdays = [d for d in days if d.weekday() < 5]
    note = ""
    if cycle.prod is None:
        reason = t.calendar.skip_reason(cycle.nominal_prod) or "skipped"
        following = t.calendar.next_prod_dates(cycle.nominal_prod, 1)
        note = f"none this cycle ({day(cycle.nominal_prod)} is {reason})"
        if following:
            note += f"; the next is {day(following[0])}"
    return CycleDates(cycle.number, cycle.tag, weekdays[0] if weekdays else None,
                      weekdays[-1] if weekdays else None, cycle.prod, note)


def cycle_release(t: Tick, service: ServiceSettings, cycle: Cycle) -> Release | None:
    """The newest code release tagged on the main branch since the day before tagging,
    still on its way to prod."""
    assert cycle.tag is not None
    since = t.at(cycle.tag - dt.timedelta(days=1), MIDNIGHT)
    with t.ctx.store.unit_of_work() as uow:
        releases = uow.releases.find(service.name, states=not_final_states(service.pipeline),
                                since=since)
    for release in releases:  # not released, nor imported as released
        created = release.created_at
        if (release.kind is Kind.CODE and created is not None and since <= created <= t.now
                and release.branch in (None, service.main_branch)):
            return release
    return None


def in_flight(t: Tick, service: ServiceSettings) -> Release | None:
    """The newest code release of the main branch tagged and not yet released."""
    with t.ctx.store.unit_of_work() as uow:
        releases = uow.releases.find(service.name, states=in_flight_states(service))
    return next((r for r in releases if r.kind is Kind.CODE
                 and r.branch in (None, service.main_branch)
                 and r.created_at is not None and r.created_at <= t.now), None)


def next_version(t: Tick, service: ServiceSettings) -> tuple[str | None, str | None]:
    """(what a plain `/loop tag` would tag now, why nothing is taggable); both None when
    a partner cannot tell."""
    try:
        return str(taggable(t.ctx, t.ctx.ports_for(service)).version), None
    except Refusal as refusal:
        return None, refusal.message
    except PartnerError:
        return None, None


# -- prod-push day ----------------------------------------------------------------------
def remind_prod_push(
    t: Tick, service: ServiceSettings, occurrence: Occurrence, due: dt.datetime
) -> None:
    key = f"prodpush:{service.name}:{occurrence.day.isoformat()}"
    if t.now >= t.at(occurrence.day + dt.timedelta(days=1), MIDNIGHT):
        why = f"the prod-push day {day(occurrence.day)} is over"
        t.skip_once(key, why, entry("remind prod push", service.name))
        return

    def build() -> tuple[Rendered, AuditEntry]:
        waiting = waiting_for_prod(t, service, occurrence)
        rendered = render_prod_push(service.name, occurrence.day, waiting,
                                    t.mention_in(service.name), t.late(due),
                                    pipeline=service.pipeline)
        detail = ", ".join(f"{r.version} {r.state.value}" for r in waiting) or "nothing waiting"
        return rendered, entry("remind prod push", service.name, detail=detail)

    t.post_once(key, build)


def waiting_for_prod(t: Tick, service: ServiceSettings, occurrence: Occurrence) -> list[Release]:
    """Releases short of prod; a rejected one only if rejected during this cycle."""
    cycle = t.calendar.cycle(occurrence.cycle)
    since = t.at(cycle.nominal_tag, MIDNIGHT)
    with t.ctx.store.unit_of_work() as uow:
        releases = uow.releases.find(service.name, states=waiting_for_prod_states(service))
    return [r for r in releases if r.state is not State.REJECTED
            or (r.updated_at is not None and r.updated_at >= since)]
