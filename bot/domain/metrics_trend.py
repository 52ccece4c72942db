"""The delivery metrics as people read them, the same in chat and on the board: each key
figure now, the same figure over the cycles before, and whether that is better or worse
(more pushes is better; a shorter lead time, a lower failure rate and a quicker restore
are better). Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.metrics import Figures


@dataclass(frozen=True)
class Key:
    name: str
    now: str
    before: str
    trend: str  # "better", "worse", "same", or "" when either side has no figure
    detail: str = ""  # what the figure is made of


def duration(delta: dt.timedelta | None) -> str:
    """"4 d 2 h", "5 h 10 min", "12 min"; "—" when unknown."""
    if delta is None:
        return "—"
    minutes = max(0, round(delta.total_seconds() / 60))
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def _trend(now: float | None, before: float | None, *, higher_is_better: bool) -> str:
    if now is None or before is None:
        return ""
    if abs(now - before) < 1e-9:
        return "same"
    return "better" if (now > before) == higher_is_better else "worse"


def _seconds(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds()


def keys(now: Figures, before: Figures) -> list[Key]:
    """The four keys and the waits, in the order DORA lists them."""
    failed = [*(f"{v} rejected on stage" for v in now.rejected),
              *(f"{f.version} {f.how}" for f in now.failures)]
    found = [
        Key("Deployment frequency",
            f"{now.pushes} prod push(es): {now.per_cycle:.1f} per cycle, "
            f"{now.per_month:.1f} per month",
            f"{before.per_cycle:.1f} per cycle",
            _trend(now.per_cycle, before.per_cycle, higher_is_better=True)
            if now.pushes or before.pushes else ""),
        Key("Lead time for changes",
            f"median {duration(now.lead_median)}, 90th percentile {duration(now.lead_p90)}",
            f"median {duration(before.lead_median)}",
            _trend(_seconds(now.lead_median), _seconds(before.lead_median),
                   higher_is_better=False), f"{now.commits} commit(s) shipped"),
        Key("Change failure rate",
            f"{percent(now.failure_rate)} ({len(failed)} of {now.reached} release(s)); "
            f"prod only {percent(now.prod_failure_rate)}",
            percent(before.failure_rate),
            _trend(now.failure_rate, before.failure_rate, higher_is_better=False),
            "; ".join(failed)),
        Key("Time to restore",
            f"median {duration(now.restore_median)} ({len(now.failures)} prod failure(s), "
            f"{sum(f.time_to_restore is not None for f in now.failures)} restored)",
            f"median {duration(before.restore_median)}",
            _trend(_seconds(now.restore_median), _seconds(before.restore_median),
                   higher_is_better=False)),
    ]
    waits = "; ".join(f"{name} {duration(took)}" for name, took in now.waits.items())
    found.append(Key("Time in each state (median)", waits or "—",
                     "; ".join(f"{n} {duration(t)}" for n, t in before.waits.items()) or "—",
                     ""))
    return found
