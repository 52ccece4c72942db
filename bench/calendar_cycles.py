"""What `loopbot calendar --cycles N` costs: the time to select and render N cycles in each
format, for 1,000 and 10,000 cycles (ICS: 100 and 1,000), the first size being the
reference measured in the same run (growth per cycle, not the machine's speed).

    .venv/bin/python bench/calendar_cycles.py

Linear means the per-cycle time stays flat as N grows (issue 9: 1,000 cycles took 0.3 s
and 20,000 took 30 s, quadratic). Exits 1 if 10,000 cycles of text or JSON cost more
than 3 times per cycle what 1,000 do. The command itself caps --cycles at 1,000
(MAX_CYCLES in bot/usecases/calendar_feed.py); this measures beyond the cap on purpose.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from bot.config.settings import load_settings
from bot.usecases import calendar_feed as feed

SIZES = (1_000, 10_000)
ICS_SIZES = (100, 1_000)  # icalendar's own cost per event dominates; shown, not judged
REPEATS = 3  # the best of three: the machine is shared
LINEAR_SLACK = 3.0


def seconds_for(count: int, fmt: str) -> float:
    settings = load_settings(Path(__file__).resolve().parents[1] / "app.yaml", environ={})
    calendar = feed.calendar_from_settings(settings)
    stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    started = time.perf_counter()
    cycles = feed.select_cycles(calendar, dt.date(2026, 12, 1), count=count)
    feed.render(fmt, calendar, cycles, "loop-server", stamp)
    return time.perf_counter() - started


def main() -> int:
    worst = 0.0
    for fmt in feed.FORMATS:
        sizes = ICS_SIZES if fmt == "ics" else SIZES
        timings = {count: min(seconds_for(count, fmt) for _ in range(REPEATS))
                   for count in sizes}
        reference = timings[sizes[0]] / sizes[0]
        for count, seconds in timings.items():
            ratio = seconds / count / reference
            print(f"calendar --cycles {count:>6} --format {fmt:<4}: {seconds:7.3f} s "
                  f"({seconds / count * 1e6:7.1f} µs per cycle, {ratio:4.2f}x the "
                  f"{sizes[0]}-cycle reference)")
            worst = max(worst, ratio) if fmt != "ics" else worst
    if worst > LINEAR_SLACK:
        print(f"not linear: up to {worst:.1f}x the per-cycle reference", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
