"""Dev follows master: how far behind it is (one GitHub compare request against the
git-backed stand-in), and the environment watch telling DEV when dev lags too long."""

from __future__ import annotations

import pytest

from bot.usecases.dev_lag import dev_lag
from tests.fixtures.scheduler import SERVICE, Rehearsal


@pytest.fixture
def r(shipped_rehearsal: Rehearsal) -> Rehearsal:
    return shipped_rehearsal


def test_dev_lag_counts_the_commits_master_has_in_one_compare_request(r: Rehearsal) -> None:
    service = r.settings.service(SERVICE)
    first = dev_lag(r.ctx, service)
    assert first is not None and first.rev is not None
    assert first.describe() == f"dev runs {first.rev[:7]}, up to date with master"
    landed = [r.land(f"Bug {1096400 + n} — Change {n}") for n in range(12)]
    with r.sandbox.github.counting() as seen:
        lag = dev_lag(r.ctx, service)
    assert len(seen) == 1 and "/compare/" in str(seen[0])
    assert lag is not None and lag.describe() == f"dev runs {first.rev[:7]}, 12 commits " \
                                                 "behind master"
    r.sandbox.environment(SERVICE, "dev").deploy("0.13.0-dev", landed[-1], "master")
    caught_up = dev_lag(r.ctx, service)
    assert caught_up is not None and caught_up.behind == 0
    client = r.settings.service("loop-client")
    assert dev_lag(r.ctx, client) is None  # no dev environment


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
