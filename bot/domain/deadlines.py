"""When a step of a release on stage is late (issue 5's reminders): OPS deploys a stage
ticket by the next working day after it was filed, QA verifies it by the Friday of that
week (the QA window ends before the Monday push). Days only; the caller adds the hour."""

from __future__ import annotations

import datetime as dt

from bot.domain.release import State

FRIDAY = 4
SATURDAY = 5


def next_weekday(after: dt.date) -> dt.date:
    following = after + dt.timedelta(days=1)
    while following.weekday() >= SATURDAY:
        following += dt.timedelta(days=1)
    return following


def next_friday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(FRIDAY - after.weekday()) % 7 or 7)


def stage_deadlines(requested: dt.date, state: State) -> dict[str, dt.date]:
    """{step: the day it is due} for a release whose stage ticket was filed on
    `requested`; deploying is due only while the ticket waits for OPS."""
    due = {"verify-stage": next_friday(requested)}
    if state is State.STAGE_REQUESTED:
        due["deploy-stage"] = next_weekday(requested)
    return due
