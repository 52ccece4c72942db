"""What `/loop metrics` and the board's /metrics cost over a long history: the same
6 cycles measured on a database holding 1 year of a team's releases (the reference) and
10 years (the figure), each fortnight a release tagged, deployed and verified on stage,
pushed and verified in prod, among 200 other audit entries (announcements, reminders,
dev-lag alerts, load-test windows, history reads).

    .venv/bin/python bench/metrics_cost.py

The figure should stay near the reference: the metrics read the service's steps since
the start of the cycles compared (an indexed range), the releases those name and their
kept commit times, never the whole history; the commits of a release are read from
GitHub once (the timed calls read none). Prints the median of 7 calls and the audit
entries read; exits 1 when 10 years cost more than 3 times 1 year.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.clock import ManualClock
from bot.config.settings import load_settings
from bot.domain.audit import AuditEntry
from bot.domain.release import Release, State
from bot.entrypoints.wiring import build_context
from bot.sandbox.world import Sandbox
from bot.store.schema import upgrade
from bot.usecases.metrics import metrics

NOW = dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)
FORTNIGHT = dt.timedelta(weeks=2)
STEPS = (("tag", dt.timedelta(0)), ("deployed stage", dt.timedelta(hours=3)),
         ("verify stage", dt.timedelta(days=2)), ("deployed prod", dt.timedelta(days=6)),
         ("verify prod", dt.timedelta(days=6, hours=4)))
NOISE = ("announce", "remind prod push", "dev lags master", "load-test window started",
         "monitor: closed")
NOISE_PER_CYCLE = 200
CALLS = 7


def fill(ctx: object, years: int) -> int:
    """Record `years` of fortnightly releases, oldest first; returns the audit entries."""
    store = ctx.store  # type: ignore[attr-defined]
    cycles = years * 26
    count = 0
    with store.unit_of_work() as uow:
        for n in range(cycles):
            tagged = NOW - (cycles - n) * FORTNIGHT
            version, previous = f"{n // 26 + 1}.{n % 26}.0", None
            if n:
                previous = f"{(n - 1) // 26 + 1}.{(n - 1) % 26}.0"
            uow.releases.add(Release("loop-server", version, State.DONE, tag=version,
                                    previous_version=previous, created_at=tagged,
                                    updated_at=tagged))
            for action, after in STEPS:
                uow.audit.add(AuditEntry("U0DEV0001", action, "loop-server", version,
                                         at=tagged + after))
            for i in range(NOISE_PER_CYCLE):
                uow.audit.add(AuditEntry("scheduler", NOISE[i % len(NOISE)], "loop-server",
                                         version, at=tagged + dt.timedelta(minutes=60 * i)))
            count += len(STEPS) + NOISE_PER_CYCLE
        uow.commit()
    store.metrics.keep_commit_times("loop-server", {  # read from GitHub once, long ago
        f"{n // 26 + 1}.{n % 26}.0": [NOW - (cycles - n) * FORTNIGHT - dt.timedelta(days=d)
                                      for d in range(1, 11)] for n in range(cycles)})
    return count


def measure(settings: object, sandbox: Sandbox, tmp: str, years: int) -> tuple[float, int, int]:
    url = f"sqlite:///{tmp}/metrics-{years}.db"
    upgrade(url)
    ctx = build_context(sandbox.settings(settings, database_url=url),  # type: ignore[arg-type]
                        clock=ManualClock(NOW))
    try:
        total = fill(ctx, years)
        metrics(ctx, ctx.service(), cycles=6)  # warm
        took = []
        with sandbox.github.counting() as github:
            for _ in range(CALLS):
                started = time.perf_counter()
                found = metrics(ctx, ctx.service(), cycles=6)
                took.append(time.perf_counter() - started)
        read = len(ctx.store.metrics.steps_since("loop-server", [a for a, _ in STEPS],
                                         NOW - 16 * FORTNIGHT))
        assert found.now.pushes > 0
        print(f"{years:2d} year(s): {total:6d} audit entries, {statistics.median(took) * 1000:6.1f}"
              f" ms per call (median of {CALLS}), about {read} steps read, "
              f"{len(github)} GitHub request(s)")
        return statistics.median(took), read, len(github)
    finally:
        ctx.store.dispose()
        ctx.close()


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    settings = load_settings(root / "app.yaml", environ={})
    with tempfile.TemporaryDirectory() as tmp, \
            Sandbox.start(settings, state_dir=Path(tmp) / "sandbox") as sandbox:
        reference, _, _ = measure(settings, sandbox, tmp, 1)
        figure, _, requests = measure(settings, sandbox, tmp, 10)
    print(f"10 years / 1 year: {figure / reference:.2f}x (budget 3x)")
    return 0 if figure <= 3 * reference and requests == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
