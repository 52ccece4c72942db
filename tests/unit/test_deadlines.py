"""When a step on stage is late, and what may run in prod."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.deadlines import stage_deadlines
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
    assert stage_deadlines(filed, State.STAGE_REQUESTED) == {
        "deploy-stage": deploy_by, "verify-stage": verify_by}


def test_skipped_and_frozen_days_are_not_working_days() -> None:
    holidays = {D(2027, 1, 1)}  # Fri 1 Jan 2027, skipped in app.yaml's way
    due = stage_deadlines(D(2026, 12, 31), State.STAGE_REQUESTED, holidays.__contains__)
    assert due == {"deploy-stage": D(2027, 1, 4), "verify-stage": D(2027, 1, 4)}


def test_once_deployed_only_verification_can_be_late() -> None:
    assert stage_deadlines(D(2026, 12, 8), State.STAGE_DEPLOYED) == {
        "verify-stage": D(2026, 12, 11)}


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_only_a_greenlit_release_may_run_in_prod(state: State) -> None:
    release = Release("loop-server", "0.13.1", state, tag="0.13.1")
    assert cleared_for_prod(release) is (
        state in (State.GREENLIT, State.PROD_DEPLOYED, State.DONE))
    assert cleared_for_prod(None) is False
