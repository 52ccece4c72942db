"""When a step on stage is late, and what may run in prod."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.deadlines import LateStep, is_working_day, stage_deadline
from bot.domain.lifecycle import cleared_for_prod
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
