"""Dev follows master: the environment watch telling DEV when dev lags too long (the
scheduler against the stand-ins). How far behind it is: tests/unit/test_dev_lag.py."""

from __future__ import annotations

import pytest

from tests.fixtures.scheduler import SERVICE, Rehearsal


@pytest.fixture
def r(shipped_rehearsal: Rehearsal) -> Rehearsal:
    return shipped_rehearsal


def test_dev_told_once_when_dev_lags_master_longer_than_allowed(r: Rehearsal) -> None:
    allowed = r.settings.service(SERVICE).workflow.dev_max_lag_minutes
    assert allowed == 120
    r.land("Bug 1096500 — Rooms keep their names")
    assert not any("dev runs" in t for t in r.run("2026-12-07 13:05"))  # seen silently
    assert not any("dev runs" in t for t in r.run("2026-12-07 15:04"))
    alerts = [t for t in r.run("2026-12-07 15:10") if "dev runs" in t]
    assert len(alerts) == 1
    assert "1 commit behind master, for more than 2 h" in alerts[0]
    assert "<@U0DEV0001>" in alerts[0]
    assert not any("dev runs" in t for t in r.run("2026-12-07 18:00"))  # once
    head = r.ctx.service().forge.branch_head("master")
    r.sandbox.environment(SERVICE, "dev").deploy("0.13.0-dev", head, "master")
    assert not any("dev runs" in t for t in r.run("2026-12-08 09:00"))
