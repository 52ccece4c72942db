"""Delivery metrics of one service (issue 22): the last N cycles and the N before them,
computed by bot/domain/metrics.py from the audit log, the release records and the times
of the commits each release shipped.

Cost, bounded whatever the length of the history: one indexed read of the service's
steps since the start of the earlier window (less a margin for releases tagged before
it), one read of the releases those steps name, one of their kept commit times; then one
GitHub comparison per pushed release whose commit times were never read (at most
`MAX_COMPARES` per call, all at once), kept for good: a release's commits never change;
and one Bugzilla request for when the bugs the patches fix were reported.
A comparison that fails is not fatal: that release's lead time is left out, and
`unread` says how many were.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from bot.domain import times
from bot.domain.audit import AuditEntry
from bot.domain.errors import Refusal
from bot.domain.metrics import (
    Figures,
    Period,
    Row,
    Story,
    figures,
    periods,
    rows,
    shipped_since,
    story_of,
)
from bot.domain.release import Release, State
from bot.domain.version import Version
from bot.usecases.context import Context, ServicePorts
from bot.usecases.ports import PartnerError

log = logging.getLogger(__name__)
DEFAULT_CYCLES = 6
MAX_CYCLES = 26  # a year of fortnights
MAX_COMPARES = 12
MARGIN_CYCLES = 4  # a release pushed in the window was tagged at most this long before
FIXED = ("tag", "reject", "backoff prod")


class BadCycles(Refusal):
    """A number of cycles out of range."""


@dataclass(frozen=True)
class Metrics:
    service: str
    tz: dt.tzinfo
    window: tuple[Period, ...]  # the last N cycles, oldest first
    now: Figures
    before: Figures  # the N cycles before them
    rows: tuple[Row, ...]  # the releases of the window, newest first
    unread: int = 0  # pushed releases whose commits could not be read (lead time left out)
    order: tuple[str, ...] = ()  # the environments verified before prod
    each: tuple[tuple[Period, Figures], ...] = ()  # every cycle of both windows, oldest first


def check_cycles(cycles: int) -> int:
    if not 1 <= cycles <= MAX_CYCLES:
        raise BadCycles(f"couldn't use {cycles} cycles: give 1 to {MAX_CYCLES}",
                        hint=f"like `/loop metrics --cycles {DEFAULT_CYCLES}`")
    return cycles


def metrics(ctx: Context, ports: ServicePorts, *, cycles: int = DEFAULT_CYCLES) -> Metrics:
    """The figures of the last `cycles` cycles, and of the `cycles` before, for comparison
    (`ports`: the service, resolved once by the caller)."""
    check_cycles(cycles)
    config = ports.config
    tz = ctx.settings.tz
    calendar = ctx.settings.calendar
    today = times.local(ctx.clock(), tz).date()
    both = periods(calendar.anchor, calendar.period_weeks, today, 2 * cycles)
    earlier, window = both[:cycles], both[cycles:]
    prod = config.pipeline.ticketed[-1].name
    # the ticketed environments before prod that the configuration lists
    order = tuple(e.name for e in config.pipeline.before_prod if e.name in config.environments)
    since = dt.datetime.combine(both[0].start, dt.time(), tz) - MARGIN_CYCLES * (
        both[0].end - both[0].start)
    actions = [*FIXED, *(f"{verb} {env}" for env in (*order, prod)
                         for verb in ("deployed", "verify"))]
    overrides = [f"override {a}" for a in actions]
    entries = ctx.store.metrics.steps_since(config.name, [*actions, *overrides], since)
    by_version: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        if entry.version:
            by_version.setdefault(entry.version, []).append(entry)
    released = {r.version: r for r in ctx.store.metrics.releases_named(config.name, by_version)}
    pushed = [v for v, es in by_version.items() if any(
        e.action.removeprefix("override ") == f"deployed {prod}" for e in es)]
    never_pushed = {r.version: r.previous_version for r in released.values()
                    if r.state in (State.REJECTED, State.SUPERSEDED)}
    commit_times, unread = _commit_times(ctx, ports, [released[v] for v in pushed
                                                      if v in released], never_pushed)
    stories = [story_of(v, es, commit_times.get(v, ()),
                        released[v].fixed_bugs if v in released else (), prod)
               for v, es in by_version.items()]
    reported = _reported(ports, [s for s in stories if s.patch])
    return Metrics(config.name, tz, window, figures(stories, window, tz, order, reported),
                   figures(stories, earlier, tz, order, reported),
                   tuple(rows(stories, window, tz, order, reported)), unread, order,
                   tuple((p, figures(stories, [p], tz, order, reported)) for p in both))


def _reported(ports: ServicePorts, patches: list[Story]) -> dict[int, dt.datetime]:
    """When the bugs the patches fix were reported (one Bugzilla request); nothing when
    Bugzilla cannot say: time to restore then starts at the back-off or the patch's tag."""
    ids = sorted({b for s in patches for b in s.fixed_bugs})
    if not ids:
        return {}
    try:
        bugs = ports.tracker.bugs(ids)
    except PartnerError as exc:
        log.warning("%s", exc)
        return {}
    return {i: b.created_at for i, b in bugs.items() if b.created_at is not None}


def _commit_times(ctx: Context, ports: ServicePorts, pushed: list[Release],
                  never_pushed: dict[str, str | None]
                  ) -> tuple[dict[str, tuple[dt.datetime, ...]], int]:
    name = ports.config.name
    kept = ctx.store.metrics.commit_times(name, (r.version for r in pushed))
    versions = [r.version for r in pushed]
    bases = {r.version: shipped_since(r.version, versions, r.previous_version, never_pushed)
             for r in pushed}
    missing = [r for r in pushed if r.version not in kept and r.tag and bases[r.version]]
    reads = missing[:MAX_COMPARES]
    found = ctx.fanout.map(lambda r: _read(ports, r, bases[r.version]), reads)
    fresh = {r.version: t for r, t in zip(reads, found, strict=True) if t is not None}
    ctx.store.metrics.keep_commit_times(name, fresh)
    return {**kept, **fresh}, len(missing) - len(fresh)


def _read(ports: ServicePorts, release: Release, since: str | None
          ) -> tuple[dt.datetime, ...] | None:
    assert release.tag is not None and since is not None
    base = Version.parse(since).tag_name(ports.config.tag_pattern)
    try:
        commits = ports.forge.commits_between(base, release.tag)
    except PartnerError as exc:
        log.warning("%s", exc)
        return None
    return tuple(c.committed_at for c in commits if c.committed_at is not None)
