"""The /metrics page's charts, from a service's delivery metrics: prod pushes and the
change failure rate per cycle (the earlier cycles beside the recent ones), lead time and
time in each state per release, time to restore per prod failure. Pure."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from bot.board.charts import Chart, Column, Segment, columns, rows
from bot.domain.metrics_trend import duration, percent
from bot.domain.pipeline import PROD
from bot.usecases.metrics import Metrics

HOUR = 3600.0


def _hours(delta: dt.timedelta | None) -> float:
    return 0.0 if delta is None else max(delta.total_seconds() / HOUR, 0.0)


def _as_time(hours: float) -> str:
    return duration(dt.timedelta(hours=hours))


def charts(found: Metrics) -> list[Chart]:
    recent = {p.start for p in found.window}
    cycles = [(p, f, "now" if p.start in recent else "before") for p, f in found.each]
    label = "%m-%d"
    pushes = columns(
        "pushes", "Prod pushes per cycle",
        "Each column is one cycle, labelled with its first day; the darker ones are the "
        "cycles measured, the lighter ones the cycles before them.",
        [Column(p.start.strftime(label), f.pushes, css,
                f"cycle from {p.start.isoformat()}: {f.pushes} prod push(es)")
         for p, f, css in cycles], lambda v: f"{v:g}", "no prod push in these cycles")
    failing = columns(
        "failures", "Change failure rate per cycle",
        "Releases rejected on stage, backed off, or patched for a prod bug, over the "
        "releases that reached stage or prod in the cycle.",
        [Column(p.start.strftime(label), f.failure_rate, css,
                f"cycle from {p.start.isoformat()}: {percent(f.failure_rate)} "
                f"({len(f.rejected) + len(f.failures)} of {f.reached})")
         for p, f, css in cycles], lambda v: f"{round(100 * v)}%",
        "no release reached stage or prod in these cycles, or none failed")
    pushed = [r for r in reversed(found.rows) if r.story.pushed is not None]
    lead = rows(
        "lead", "Lead time for changes per release",
        "The median time from a commit to the prod push that shipped it; the lighter part "
        "reaches the 90th percentile.",
        [(r.story.version, [
            Segment(_hours(r.lead_median), "now",
                    f"{r.story.version}: median {duration(r.lead_median)}"),
            Segment(_hours(r.lead_p90) - _hours(r.lead_median), "before",
                    f"{r.story.version}: 90th percentile {duration(r.lead_p90)}")])
         for r in pushed if r.lead_median is not None], _as_time,
        "no commit times known for the releases pushed",
        [("now", "median"), ("before", "up to the 90th percentile")])
    restore = rows(
        "restore", "Time to restore per prod failure",
        "From the failure's report (the back-off, or the bug) to its fix running in prod.",
        [(f.version, [Segment(_hours(f.time_to_restore), "bad",
                              f"{f.version} {f.how}: {duration(f.time_to_restore)}")])
         for f in found.now.failures if f.time_to_restore is not None], _as_time,
        "no prod failure restored in these cycles")
    names = ["tag", *(f"{e} verified" for e in found.order), PROD]
    stretches = [f"{a} → {b}" for a, b in pairwise(names)]
    waits = rows(
        "waits", "Time in each state per release",
        "Where each release waited: " + ", then ".join(stretches) + ".",
        [(r.story.version, [Segment(_hours(took), f"stretch{stretches.index(name) % 4}"
                                    if name in stretches else "before",
                                    f"{r.story.version}: {name} {duration(took)}")
                            for name, took in r.waits])
         for r in pushed if r.waits], _as_time, "no release went through every state yet",
        [(f"stretch{i % 4}", name) for i, name in enumerate(stretches)])
    return [pushes, lead, failing, restore, waits]
