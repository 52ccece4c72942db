"""Following a release up: reminders when a stage step is late, and the monitoring window
after a prod deploy. Times come from the audit log (when the release entered its state).

Late steps, for a release on stage with a stage ticket (keys name the ticket, so a
re-release with a new ticket is reminded afresh), the one step it waits for
(bot/domain/deadline.py), from its deadline at the announcement hour:
- `remind:SERVICE:VERSION:deploy-stage:BUG`: still STAGE_REQUESTED on the next working day
  after it was requested: OPS is mentioned;
- `remind:SERVICE:VERSION:verify-stage:BUG`: deployed but not verified on the first Friday
  after it was requested: QA is mentioned.
Nothing is posted on a day that is not a working day (a weekend, a skipped or frozen day)
nor before the announcement hour: a deadline the bot was down for is posted late on the
next working day.

Monitoring, for a release in PROD_DEPLOYED since T, from T to T + monitor_minutes:
- the prod heartbeat is polled once per `monitor_poll_seconds` slot (`...:poll:N` claims
  the slot, so two bot processes poll once between them);
- a failure is posted once per failure streak (`monitor:...:failing:N`), and the
  recovery once (`monitor:...:back:N`), mentioning OPS for the failure;
- at T + monitor_minutes, after a last poll, `monitor:...:closed` posts the closing
  message: "ended quietly" when the heartbeat never failed. A closing more than a day
  late is skipped and logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.calendar import Calendar
from bot.domain.deadline import DayOff, LateStep, is_working_day, stage_deadline
from bot.domain.loadtest import last_load_test_day
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release, State
from bot.domain.rules import waiting_states
from bot.jobs.reads import followed
from bot.jobs.tick import ACTOR, Tick, entered_at, entry
from bot.messages.announcements import (
    day,
    render_heartbeat_back,
    render_heartbeat_failing,
    render_late_step,
    render_monitoring_closed,
)

FAILING = "monitor: heartbeat failing"
BACK = "monitor: heartbeat back"
CLOSE_STALE_AFTER = dt.timedelta(days=1)


# -- late steps -------------------------------------------------------------------------
def stage_reminder(
    calendar: Calendar, release: Release, entries: Sequence[AuditEntry], pipeline: Pipeline,
) -> tuple[LateStep, dt.datetime] | None:
    """The late step a release on an environment before prod can have, and when it is
    due (None: none); a load-test gate there moves QA's deadline past the test days."""
    env = pipeline.env(release.state.env or "")
    if env is None:
        return None
    requested = calendar.local_day(entered_at(entries, release, State.of(env.name, "requested")))
    until = last_load_test_day(calendar, requested) if "load_test" in env.gates else None
    step = stage_deadline(requested, release.state, _skipped(calendar), until,
                          deploys=env.deploys, verifies=env.verifies)
    return None if step is None else (step, calendar.at(step.due, calendar.announce_at))


def late_steps(t: Tick, service: ServiceSettings) -> None:
    today = t.today()
    if not is_working_day(today, _skipped(t.calendar)) or t.now < t.at(today):
        return  # nobody is reminded on a day off; the next working day's hour will do
    pipeline = service.pipeline
    for release, entries in followed(t, service, waiting_states(pipeline)):
        found = stage_reminder(t.calendar, release, entries, pipeline)
        if release.ticket(release.state.env or "") is None or found is None or \
                t.now < found[1]:
            continue
        remind(t, service, release, *found)


def remind(
    t: Tick, service: ServiceSettings, release: Release, step: LateStep, due: dt.datetime
) -> None:
    env = release.state.env or service.pipeline.first.name
    ticket = release.ticket(env)
    assert ticket is not None
    key = f"remind:{service.name}:{release.version}:{step.key}:{ticket.bug_id}"
    detail = f"{env} bug {ticket.bug_id}: {step.owner} to {step.what} by {day(step.due)}"
    t.post_once(key, lambda: (
        render_late_step(release, ticket.bug_id, step,
                         t.mention(step.owner, service=service.name), t.late(due),
                         pipeline=service.pipeline),
        entry(f"remind {step.key}", service.name, release.version, detail)))


def _skipped(calendar: Calendar) -> DayOff:
    """The calendar's skipped and frozen days (weekends are the domain's)."""
    return lambda on: calendar.skip_reason(on) is not None


# -- monitoring -------------------------------------------------------------------------
def monitoring(t: Tick, service: ServiceSettings) -> None:
    settings = t.ctx.settings.workflow
    window = dt.timedelta(minutes=service.pipeline.monitor_minutes(settings.monitor_minutes))
    for release, entries in followed(t, service, (State.PROD_DEPLOYED,)):
        start = entered_at(entries, release, State.PROD_DEPLOYED)
        end = start + window
        prefix = f"monitor:{service.name}:{release.version}"
        if t.now < start:
            continue
        if t.now < end:
            slot = int((t.now - start).total_seconds() // settings.monitor_poll_seconds)
            if t.claim(f"{prefix}:poll:{slot}"):
                poll(t, service, release, entries, end)
        else:
            close(t, service, release, entries, end)


def streak(entries: Sequence[AuditEntry]) -> tuple[int, bool]:
    """(failure streaks so far, failing now?) from the scheduler's monitoring entries."""
    marks = [e.action for e in entries if e.actor == ACTOR and e.action in (FAILING, BACK)]
    return marks.count(FAILING), bool(marks) and marks[-1] == FAILING


def poll(
    t: Tick, service: ServiceSettings, release: Release, entries: Sequence[AuditEntry],
    end: dt.datetime,
) -> bool:
    """Read prod's heartbeat; post a new failure streak or a recovery. True if failing."""
    state = t.ctx.read_environment(service, "prod")  # its heartbeat: the watch's has none
    failing = not state.reachable or state.healthy is False
    failures, was_failing = streak(entries)
    prefix = f"monitor:{service.name}:{release.version}"
    if failing and not was_failing:
        reason = state.error or _heartbeat_message(state.details) or "the heartbeat failed"
        t.post_once(f"{prefix}:failing:{failures + 1}", lambda: (
            render_heartbeat_failing(release, reason, end, t.tz,
                                     t.mention_in(service.name)),
            entry(FAILING, service.name, release.version, reason)))
    elif was_failing and not failing:
        t.post_once(f"{prefix}:back:{failures}", lambda: (
            render_heartbeat_back(release), entry(BACK, service.name, release.version)))
    return failing


def close(
    t: Tick, service: ServiceSettings, release: Release, entries: Sequence[AuditEntry],
    end: dt.datetime,
) -> None:
    key = f"monitor:{service.name}:{release.version}:closed"
    if t.now - end > CLOSE_STALE_AFTER:
        why = f"the monitoring window ended {day(t.calendar.local_day(end))}"
        t.skip_once(key, why, entry("monitor: closed", service.name, release.version))
        return
    if not t.claim(key):
        return
    failing = poll(t, service, release, entries, end)
    with t.ctx.store.unit_of_work() as uow:
        failures, _ = streak(uow.audit.find(service.name, release.version))
    rendered = render_monitoring_closed(
        release, service.pipeline.monitor_minutes(t.ctx.settings.workflow.monitor_minutes),
        failures, failing, t.late(end), pipeline=service.pipeline)
    detail = "quiet" if failures == 0 else f"{failures} failure streak(s)"
    t.deliver(key, rendered, entry("monitor: closed", service.name, release.version, detail))


def _heartbeat_message(details: dict[str, object]) -> str | None:
    body = details.get("heartbeat")
    status = details.get("heartbeat_status")
    message = body.get("message") if isinstance(body, dict) else None
    if message and status:
        return f"/__heartbeat__ answered {status}: {message}"
    return f"/__heartbeat__ answered {status}" if status else None
