"""When a step of a release on stage is late (issue 5's reminders): OPS deploys a stage
ticket by the next working day after it was filed, QA verifies it by the Friday of that
week (the QA window ends before the Monday push). Weekends and the calendar's skipped or
frozen days are not working days: a deadline on one moves to the next working day. Days
only; the caller adds the hour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.domain.release import State

FRIDAY = 4
SATURDAY = 5
DayOff = Callable[[dt.date], bool]


def _no_holidays(_: dt.date) -> bool:
    return False


def next_working_day(after: dt.date, day_off: DayOff = _no_holidays) -> dt.date:
    following = after + dt.timedelta(days=1)
    while following.weekday() >= SATURDAY or day_off(following):
        following += dt.timedelta(days=1)
    return following


def next_friday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(FRIDAY - after.weekday()) % 7 or 7)


def stage_deadlines(
    requested: dt.date, state: State, day_off: DayOff = _no_holidays
) -> dict[str, dt.date]:
    """{step: the day it is due} for a release whose stage ticket was filed on
    `requested`; deploying is due only while the ticket waits for OPS."""
    friday = next_friday(requested)
    if day_off(friday):
        friday = next_working_day(friday, day_off)
    due = {"verify-stage": friday}
    if state is State.STAGE_REQUESTED:
        due["deploy-stage"] = next_working_day(requested, day_off)
    return due
