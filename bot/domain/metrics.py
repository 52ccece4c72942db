"""Delivery metrics (DORA's four keys, and where releases wait), from what the bot knows:
each release's story read from the audit log, and the times of the commits it shipped.
Pure: times are given, the clock is never read.

- A release's story (`story_of`): when it was tagged, verified on each environment before
  prod, first pushed to prod, rejected on stage, backed off from prod.
- Deployment frequency: prod pushes per cycle and per month.
- Lead time for changes: from each commit's time on the branch to the first prod push of
  the release that shipped it; median and 90th percentile (nearest rank) per release and
  over the window.
- Change failure rate: releases rejected on stage, backed off from prod, or pushed and
  then followed by a patch on their line (a prod bug's fix), over the releases that
  reached stage or prod. The prod-only rate (DORA's) leaves the stage rejections out.
- Time to restore: from a prod failure's report (the back-off, else the earliest known
  report of a bug the patch fixes, else the patch's tag) to the patch's first prod push.
- Time in each state: tag -> verified on each environment before prod -> prod push.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from bot.domain.audit import AuditEntry
from bot.domain.pipeline import PROD
from bot.domain.version import BadVersion, Version


@dataclass(frozen=True)
class Story:
    """One release's life in times (None: it has not happened, or is not known)."""

    version: str
    tagged: dt.datetime | None = None
    verified: Mapping[str, dt.datetime] = field(default_factory=dict)  # env -> first time
    pushed: dt.datetime | None = None  # first prod push
    rejected: dt.datetime | None = None  # rejected on stage
    backed_off: dt.datetime | None = None
    reached_stage: bool = False  # deployed to an environment before prod
    commits: tuple[dt.datetime, ...] = ()  # times of the commits it ships
    fixed_bugs: tuple[int, ...] = ()

    @property
    def line(self) -> tuple[int, int] | None:
        try:
            v = Version.parse(self.version)
        except BadVersion:
            return None
        return v.major, v.minor

    @property
    def patch(self) -> int | None:
        try:
            return Version.parse(self.version).patch
        except BadVersion:
            return None

    def lead_times(self) -> list[dt.timedelta]:
        if self.pushed is None:
            return []
        pushed = self.pushed
        return [max(pushed - c, dt.timedelta(0)) for c in self.commits]

    def waits(self, order: Sequence[str]) -> list[tuple[str, dt.timedelta]]:
        """(stretch, time) from the tag through each verified environment to prod."""
        marks = [("tag", self.tagged)] + [(f"{env} verified", self.verified.get(env))
                                          for env in order] + [(PROD, self.pushed)]
        known = [(name, at) for name, at in marks if at is not None]
        return [(f"{a} → {b}", tb - ta) for (a, ta), (b, tb) in pairwise(known)]


def story_of(version: str, entries: Iterable[AuditEntry], commits: Sequence[dt.datetime] = (),
             fixed_bugs: Sequence[int] = (), prod: str = PROD) -> Story:
    """Read a release's story from its audit entries (overrides count as the step);
    `prod` names the service's last environment."""
    tagged = pushed = rejected = backed_off = None
    verified: dict[str, dt.datetime] = {}
    reached_stage = False
    timed = [(e.at, e.action.removeprefix("override ")) for e in entries if e.at is not None]
    for at, action in sorted(timed):
        verb, _, env = action.partition(" ")
        if action == "tag":
            tagged = tagged or at
        elif verb == "deployed":
            if env == prod:
                pushed = pushed or at
            else:
                reached_stage = True
        elif verb == "verify" and env != prod:
            verified.setdefault(env, at)
        elif action == "reject":
            rejected = rejected or at
            reached_stage = True
        elif action == "backoff prod":
            backed_off = backed_off or at
    return Story(version, tagged, verified, pushed, rejected, backed_off,
                 reached_stage or pushed is not None or bool(verified), tuple(sorted(commits)),
                 tuple(fixed_bugs))


def shipped_since(version: str, pushed: Iterable[str], previous: str | None,
                  never_pushed: Mapping[str, str | None] | None = None) -> str | None:
    """The release a release's shipped commits are counted from: the newest older one
    that reached prod (the commits of a release rejected on the way ship with the next
    one pushed), else the release before it, passing over those `never_pushed` names
    (a release that never reached prod -> the release before it)."""
    skipped = never_pushed or {}
    seen: set[str] = set()
    while previous is not None and previous in skipped and previous not in seen:
        seen.add(previous)
        previous = skipped[previous]
    try:
        mine = Version.parse(version)
        older = [v for p in pushed if (v := _version(p)) is not None and v < mine]
    except BadVersion:
        return previous
    return str(max(older)) if older else previous


def _version(text: str) -> Version | None:
    try:
        return Version.parse(text)
    except BadVersion:
        return None


# -- figures over a window ---------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """One cycle: from its first day (included) to the next cycle's first day."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end


def periods(anchor: dt.date, weeks: int, today: dt.date, count: int) -> tuple[Period, ...]:
    """The `count` cycles ending with the one `today` is in, oldest first (cycles before
    the calendar's anchor continue its rhythm: imported history is older)."""
    length = dt.timedelta(weeks=weeks)
    current = anchor + ((today - anchor) // length) * length
    starts = [current - i * length for i in range(count - 1, -1, -1)]
    return tuple(Period(s, s + length) for s in starts)


@dataclass(frozen=True)
class Failure:
    version: str  # the release that failed in prod
    how: str  # "backed off" or "patched by X.Y.Z"
    restored_by: str | None  # the patch whose push restored it
    time_to_restore: dt.timedelta | None


@dataclass(frozen=True)
class Figures:
    """The four keys (and the waits) over some cycles."""

    cycles: int
    days: int
    pushes: int
    pushed_per_cycle: tuple[int, ...]  # one count per cycle, oldest first
    lead_median: dt.timedelta | None
    lead_p90: dt.timedelta | None
    commits: int
    reached: int  # releases that reached stage or prod
    rejected: tuple[str, ...]
    failures: tuple[Failure, ...]  # prod failures: backed off or followed by a patch
    waits: Mapping[str, dt.timedelta]  # median per stretch

    @property
    def per_cycle(self) -> float:
        return self.pushes / self.cycles if self.cycles else 0.0

    @property
    def per_month(self) -> float:
        return self.pushes * 30.44 / self.days if self.days else 0.0

    @property
    def failure_rate(self) -> float | None:
        failed = len(self.rejected) + len(self.failures)
        return failed / self.reached if self.reached else None

    @property
    def prod_failure_rate(self) -> float | None:
        return len(self.failures) / self.pushes if self.pushes else None

    @property
    def restore_median(self) -> dt.timedelta | None:
        return median([f.time_to_restore for f in self.failures
                       if f.time_to_restore is not None])


def median(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    return statistics.median_low(sorted(values)) if values else None


def p90(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    """The 90th percentile by nearest rank: a time one change in ten took longer than."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def figures(stories: Sequence[Story], window: Sequence[Period], tz: dt.tzinfo,
            order: Sequence[str],
            reported: Mapping[int, dt.datetime] | None = None) -> Figures:
    """The figures of the releases whose outcome (push, rejection) falls in `window`;
    `stories` may hold more (the patches that follow them, for the failures)."""
    def inside(at: dt.datetime | None) -> bool:
        return at is not None and any(at.astimezone(tz).date() in p for p in window)

    pushed = [s for s in stories if inside(s.pushed)]
    per_cycle = tuple(sum(1 for s in pushed if s.pushed is not None
                          and s.pushed.astimezone(tz).date() in p) for p in window)
    leads = [t for s in pushed for t in s.lead_times()]
    rejected = tuple(s.version for s in stories if inside(s.rejected) and not inside(s.pushed))
    failures = tuple(f for s in pushed if (f := failure(s, stories, reported or {})))
    reached = len({s.version for s in stories if inside(s.pushed) or s.version in rejected})
    stretches: dict[str, list[dt.timedelta]] = {}
    for s in pushed:
        for name, took in s.waits(order):
            stretches.setdefault(name, []).append(took)
    days = (window[-1].end - window[0].start).days if window else 0
    return Figures(len(window), days, len(pushed), per_cycle, median(leads), p90(leads),
                   len(leads), reached, rejected, failures,
                   {name: m for name, took in stretches.items() if (m := median(took))
                    is not None})


def failure(release: Story, stories: Sequence[Story], reported: Mapping[int, dt.datetime]
            ) -> Failure | None:
    """How `release` failed in prod, if it did, and the time to restore it."""
    if release.pushed is None:
        return None
    patch = next_patch(release, stories)
    if release.backed_off is None and patch is None:
        return None
    how = "backed off" if release.backed_off or patch is None else f"patched by {patch.version}"
    if patch is None or patch.pushed is None:
        return Failure(release.version, how, None, None)
    signals = [release.backed_off, patch.tagged,
               *(reported[b] for b in patch.fixed_bugs if b in reported)]
    start = min((s for s in signals if s is not None and s >= release.pushed), default=None)
    took = patch.pushed - start if start is not None else None
    return Failure(release.version, how, patch.version, took)


def next_patch(release: Story, stories: Sequence[Story]) -> Story | None:
    """The first patch on the release's line tagged after it reached prod."""
    line, patch = release.line, release.patch
    if line is None or patch is None or release.pushed is None:
        return None
    after = [s for s in stories if s.line == line and (s.patch or 0) > patch
             and (s.tagged is None or s.tagged >= release.pushed)]
    return min(after, key=lambda s: s.patch or 0, default=None)


@dataclass(frozen=True)
class Row:
    """One release in the table behind the charts."""

    story: Story
    lead_median: dt.timedelta | None
    lead_p90: dt.timedelta | None
    waits: tuple[tuple[str, dt.timedelta], ...]
    outcome: str


def rows(stories: Sequence[Story], window: Sequence[Period], tz: dt.tzinfo,
         order: Sequence[str],
         reported: Mapping[int, dt.datetime] | None = None) -> list[Row]:
    """The releases tagged, pushed or rejected in `window`, newest first."""
    def inside(at: dt.datetime | None) -> bool:
        return at is not None and any(at.astimezone(tz).date() in p for p in window)

    shown = [s for s in stories if inside(s.tagged) or inside(s.pushed) or inside(s.rejected)]
    table = []
    for s in shown:
        leads = s.lead_times()
        failed = failure(s, stories, reported or {})
        outcome = (failed.how if failed else "pushed" if s.pushed
                   else "rejected on stage" if s.rejected else "in flight")
        table.append(Row(s, median(leads), p90(leads), tuple(s.waits(order)), outcome))
    return sorted(table, key=lambda r: _newest(r.story), reverse=True)


def _newest(story: Story) -> dt.datetime:
    known = [t for t in (story.pushed, story.rejected, story.tagged) if t is not None]
    return max(known) if known else dt.datetime.min.replace(tzinfo=dt.UTC)
