"""When a step on stage is late, and what may run in prod."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import Calendar
from bot.domain.deadline import LateStep, is_working_day, off_calendar_push, stage_deadline
from bot.domain.lifecycle import cleared_for_prod
from bot.domain.loadtest import last_load_test_day
from bot.domain.release import Release, State

D = dt.date


@pytest.mark.parametrize(("filed", "deploy_by", "verify_by"), [
    (D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 11)),  # tagging Tuesday
    (D(2026, 12, 11), D(2026, 12, 14), D(2026, 12, 18)),  # a Friday: Monday, next Friday
    (D(2026, 12, 12), D(2026, 12, 14), D(2026, 12, 18)),  # a Saturday
    (D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1)),  # over the year end
])
def test_ops_deploys_by_the_next_working_day_and_qa_verifies_by_friday(
    filed: dt.date, deploy_by: dt.date, verify_by: dt.date
) -> None:
    assert stage_deadline(filed, State.STAGE_REQUESTED) == LateStep(
        "deploy-stage", "OPS", "deploy it to stage", deploy_by)
    assert stage_deadline(filed, State.STAGE_DEPLOYED) == LateStep(
        "verify-stage", "QA", "verify it on stage", verify_by)


def test_skipped_and_frozen_days_are_not_working_days() -> None:
    holidays = {D(2027, 1, 1)}  # Fri 1 Jan 2027, skipped in app.yaml's way
    for state in (State.STAGE_REQUESTED, State.STAGE_DEPLOYED):
        step = stage_deadline(D(2026, 12, 31), state, holidays.__contains__)
        assert step is not None and step.due == D(2027, 1, 4)
    assert not is_working_day(D(2027, 1, 1), holidays.__contains__)
    assert not is_working_day(D(2027, 1, 2)) and is_working_day(D(2027, 1, 4))


def test_only_the_step_the_release_waits_for_can_be_late() -> None:
    """Issue 9: a build OPS never deployed was "not verified" on Friday, for QA."""
    step = stage_deadline(D(2026, 12, 8), State.STAGE_REQUESTED)
    assert step is not None and (step.key, step.owner) == ("deploy-stage", "OPS")
    for state in State:
        if state not in (State.STAGE_REQUESTED, State.STAGE_DEPLOYED):
            assert stage_deadline(D(2026, 12, 8), state) is None


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_only_a_greenlit_release_may_run_in_prod(state: State) -> None:
    release = Release("loop-server", "0.13.1", state, tag="0.13.1")
    assert cleared_for_prod(release) is (
        state in (State.GREENLIT, State.PROD_DEPLOYED, State.DONE))
    assert cleared_for_prod(None) is False


MONDAY, NEXT_PUSH = D(2026, 12, 14), D(2026, 12, 28)  # app.yaml's first two push days


@pytest.mark.parametrize("pushed", [False, True])
@pytest.mark.parametrize("emergency", [False, True])
def test_nothing_is_said_of_a_green_light_or_push_on_the_push_day(
    pushed: bool, emergency: bool
) -> None:
    assert off_calendar_push(MONDAY, MONDAY, pushed=pushed, emergency=emergency) is None


def test_a_green_light_before_the_push_day_is_for_that_day() -> None:
    said = off_calendar_push(D(2026, 12, 11), MONDAY, pushed=False, emergency=False)
    assert said == ("Fri 2026-12-11 is not a prod-push day: OPS pushes on Mon 2026-12-14, "
                    "the next prod-push day; pushing sooner is an emergency "
                    "(`--emergency \"REASON\"`).")


def test_an_emergency_off_the_push_day_is_said_to_be_off_the_calendar() -> None:
    tuesday = D(2026, 12, 15)
    assert off_calendar_push(tuesday, NEXT_PUSH, pushed=False, emergency=True) == (
        "Off the calendar: Tue 2026-12-15 is not a prod-push day (the next is Mon "
        "2026-12-28); as an emergency, OPS may push now.")
    assert off_calendar_push(tuesday, NEXT_PUSH, pushed=True, emergency=True) == (
        "Pushed off the calendar, as an emergency: Tue 2026-12-15 is not a prod-push day "
        "(the next is Mon 2026-12-28).")


def test_a_push_off_the_push_day_without_an_emergency_is_said_so() -> None:
    said = off_calendar_push(D(2026, 12, 16), None, pushed=True, emergency=False)
    assert said == ("Pushed off the calendar, with no emergency given: Wed 2026-12-16 is "
                    "not a prod-push day (none is on the calendar).")


CALENDAR = Calendar.build(anchor=D(2026, 12, 8), tz=ZoneInfo("Europe/Paris"),
                          skip=[D(2026, 12, 22)])  # as app.yaml


@pytest.mark.parametrize(("on_stage", "load_tests_until"), [
    (D(2026, 12, 1), D(2026, 12, 11)),  # before the first cycle: its window
    (D(2026, 12, 9), D(2026, 12, 11)),  # within the window
    (D(2026, 12, 15), D(2026, 12, 25)),  # after it: the next cycle's (its tagging skipped)
])
def test_a_build_on_stage_can_be_load_tested_until_its_cycles_window_ends(
    on_stage: dt.date, load_tests_until: dt.date
) -> None:
    assert last_load_test_day(CALENDAR, on_stage) == load_tests_until


def test_qa_is_not_due_to_verify_before_the_load_test_window_ends() -> None:
    """Issue 20: a stage ticket filed on Tue 2026-12-01 was "late" on Fri 2026-12-04,
    though its load test could only run from Tue 2026-12-08."""
    filed = D(2026, 12, 1)
    until = last_load_test_day(CALENDAR, filed)
    step = stage_deadline(filed, State.STAGE_DEPLOYED, load_tests_until=until)
    assert step is not None and step.due == D(2026, 12, 11)
    assert stage_deadline(D(2026, 12, 8), State.STAGE_DEPLOYED,
                          load_tests_until=D(2026, 12, 11)) == LateStep(
        "verify-stage", "QA", "verify it on stage", D(2026, 12, 11))  # unchanged in-cycle
