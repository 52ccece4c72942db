"""When a step of a release on stage is late (issue 5's reminders): OPS deploys a stage
ticket by the next working day after it was filed, QA verifies it by the Friday of that
week (the QA window ends before the Monday push). Weekends and the calendar's skipped or
frozen days are not working days: a deadline on one moves to the next working day.

Prod goes out on the calendar's prod-push day (PROCESS.md: "Monday: push to prod"). A
green light given earlier is for that day; a push on any other day is off the calendar,
what the emergency path is for: `off_calendar_push` says so, for the green light and for
the push itself, and says nothing on the push day.

A release on stage has one step that can be late, the one it waits for: deploying while
its ticket waits for OPS, verifying once it runs on stage. QA is never told that a build
OPS has not deployed yet is late. Days only; the caller adds the hour, and posts nothing
on a day that is not a working day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.release import State

FRIDAY = 4
SATURDAY = 5
DayOff = Callable[[dt.date], bool]


@dataclass(frozen=True)
class LateStep:
    """The step a release on stage waits for, whose it is, and the day it is due."""

    key: str  # "deploy-stage", "verify-stage": part of the reminder's claim key
    owner: str  # the one role whose move it is
    what: str  # "deploy it to stage"
    due: dt.date


def _no_holidays(_: dt.date) -> bool:
    return False


def is_working_day(day: dt.date, day_off: DayOff = _no_holidays) -> bool:
    return day.weekday() < SATURDAY and not day_off(day)


def next_working_day(after: dt.date, day_off: DayOff = _no_holidays) -> dt.date:
    following = after + dt.timedelta(days=1)
    while not is_working_day(following, day_off):
        following += dt.timedelta(days=1)
    return following


def next_friday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(FRIDAY - after.weekday()) % 7 or 7)


def stage_deadline(
    requested: dt.date, state: State, day_off: DayOff = _no_holidays,
    load_tests_until: dt.date | None = None, *, deploys: str = "OPS", verifies: str = "QA",
) -> LateStep | None:
    """The step that can be late for a release in `state` whose ticket on its environment
    before prod (stage, real-stage) was filed on `requested`, or None when it is not
    waiting on one. A gate of a passed load test gives `load_tests_until`, the last
    load-test day open to the build: QA is not due before it (a ticket filed before the
    cycle's QA window, or after it, waits for the window)."""
    env, phase = state.env, state.phase
    if env is None or env == "prod":
        return None
    if phase == "requested":
        return LateStep(f"deploy-{env}", deploys, f"deploy it to {env}",
                        next_working_day(requested, day_off))
    if phase == "deployed":
        friday = max(next_friday(requested), load_tests_until or requested)
        if day_off(friday):
            friday = next_working_day(friday, day_off)
        return LateStep(f"verify-{env}", verifies, f"verify it on {env}", friday)
    return None


def _day(day: dt.date) -> str:
    return f"{day:%a %Y-%m-%d}"


def off_calendar_push(
    today: dt.date, next_push: dt.date | None, *, pushed: bool, emergency: bool
) -> str | None:
    """What to say of a green light (`pushed` False) or a prod push (`pushed` True) on
    `today`, when the calendar's next prod-push day on or after it is `next_push`; None
    on the push day itself."""
    if next_push == today:
        return None
    following = f"the next is {_day(next_push)}" if next_push else "none is on the calendar"
    if pushed:
        why = "as an emergency" if emergency else "with no emergency given"
        return (f"Pushed off the calendar, {why}: {_day(today)} is not a prod-push day "
                f"({following}).")
    if emergency:
        return (f"Off the calendar: {_day(today)} is not a prod-push day ({following}); "
                "as an emergency, OPS may push now.")
    when = f"on {_day(next_push)}, the next prod-push day" if next_push else (
        "on the next prod-push day (none is on the calendar yet)")
    return (f"{_day(today)} is not a prod-push day: OPS pushes {when}; pushing sooner "
            "is an emergency (`--emergency \"REASON\"`).")
