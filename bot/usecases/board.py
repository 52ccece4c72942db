"""What the web board shows, read from the store and the partners: the environments grid
(with the drift of prod behind the environment before it), the releases in flight with
their tickets' status, one release's page (notes, commits, audit trail) and the
calendar. Nothing here changes anything.

Guarantees: a partner that fails is shown, never raised: a cell, a drift or a ticket
status then says what could not be read. Values are plain frozen dataclasses; escaping is
the renderer's (bot/board/render.py). Slow reads go through `BoardReads`, which keeps
each for a few seconds (bot/board/cache.py) so a page or a poll never waits on them twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

from bot.config.settings import ServiceSettings
from bot.domain import times
from bot.domain.audit import AuditEntry
from bot.domain.changelog import bug_ids
from bot.domain.cycle import Cycle, Phase
from bot.domain.errors import Refusal
from bot.domain.facts import Bug, Commit, EnvironmentState
from bot.domain.next_steps import next_step
from bot.domain.release import Kind, Release
from bot.domain.version import ReleaseLabel, Version
from bot.usecases import queries
from bot.usecases.calendar_feed import calendar_from_settings, select_cycles
from bot.usecases.context import Context, load_release
from bot.usecases.dev_lag import dev_lag, following
from bot.usecases.ports import PartnerError

T = TypeVar("T")


class Cached(Protocol):
    """A read kept for `ttl` seconds under `key` (bot/board/cache.py, or none)."""

    def __call__(self, key: tuple[object, ...], ttl: float, read: Callable[[], T], /) -> T: ...


SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")  # an audit actor that is a person in Slack


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class EnvCell:
    state: EnvironmentState
    tag: Link | None = None  # the release the environment reports, on GitHub
    behind_master: int | None = None  # dev only; counted by issue 12's dev-follows-master


@dataclass(frozen=True)
class Drift:
    """What the environment before prod runs that prod does not ("stage runs 0.13.1, prod
    0.12.2"; real-stage where the pipeline has it)."""

    env: str
    upcoming: str
    prod: str
    compare: Link
    commits: int | None = None
    bugs: tuple[int, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ServiceGrid:
    service: str
    cells: tuple[EnvCell, ...]
    drift: Drift | None
    upcoming: str  # the environment before prod, whose version the drift compares

    def cell(self, env: str) -> EnvCell | None:
        return next((c for c in self.cells if c.state.name == env), None)

    @property
    def same_upcoming_and_prod(self) -> bool:
        upcoming, prod = self.cell(self.upcoming), self.cell("prod")
        return (upcoming is not None and prod is not None
                and upcoming.state.version is not None
                and upcoming.state.version == prod.state.version)


@dataclass(frozen=True)
class TicketView:
    label: str  # "stage ticket", "blocker"
    bug_id: int
    url: str
    bug: Bug | None  # None when Bugzilla could not be read


@dataclass(frozen=True)
class Flight:
    release: Release
    whose: str  # "OPS", "DEV or QA"; "" when nobody has a move
    next_step: str  # what they do
    tickets: tuple[TicketView, ...]
    blockers: tuple[TicketView, ...]
    since_last_step: dt.timedelta | None
    error: str | None = None  # why ticket statuses are missing


@dataclass(frozen=True)
class ReleasePage:
    flight: Flight
    commits: tuple[Commit, ...]
    commits_error: str | None
    compare: Link | None
    tag: Link | None
    audit: tuple[AuditEntry, ...]
    names: Mapping[str, str] = field(default_factory=dict)  # Slack user id -> display name


@dataclass(frozen=True)
class CalendarView:
    today: dt.date
    phase: Phase
    cycle: int | None
    cycles: tuple[Cycle, ...]
    announce_at: dt.time
    windows: tuple[object, ...] = field(default=())  # load-test windows (issue 12)


def no_cache(_key: tuple[object, ...], _ttl: float, read: Callable[[], T]) -> T:
    return read()


@dataclass
class BoardReads:
    """The board's reads, each kept `cached` for its time to live (seconds)."""

    ctx: Context
    cached: Cached = no_cache
    environment_ttl: float = 5.0
    ticket_ttl: float = 10.0
    history_ttl: float = 300.0  # commits between two tags hardly ever change
    name: Callable[[str], str] | None = None  # a Slack user id -> their display name
    name_ttl: float = 300.0  # a poll never asks Slack again for a name it has

    def grids(self) -> list[ServiceGrid]:
        services = self.ctx.settings.services
        pairs = [(s, env) for s in services for env in s.environments]
        states = self.ctx.fanout.map(lambda p: self._environment(*p), pairs)
        return [self._grid(s, [st for (svc, _), st in zip(pairs, states, strict=True)
                               if svc is s]) for s in services]

    def flights(self) -> list[Flight]:
        releases = [(s, r) for s in self.ctx.settings.services
                    for r in queries.releases_in_flight(self.ctx, s)]
        return [self._flight(s, r) for s, r in releases]

    def released(self, count: int = 5) -> list[Release]:
        """Each service's last releases done, newest first per service."""
        return [r for s in self.ctx.settings.services
                for r in queries.recently_released(self.ctx, s, count)]

    def release_page(self, service: str, label: ReleaseLabel) -> ReleasePage:
        ports = self.ctx.service(service)
        config = ports.config
        release = load_release(self.ctx, config.name, str(label))
        commits, error, compare = self._commits(config, release)
        tag = Link(release.tag, ports.forge.tag_url(release.tag)) if release.tag else None
        audit = queries.history(self.ctx, ports, label)
        return ReleasePage(self._flight(config, release), tuple(commits), error, compare,
                           tag, tuple(audit), self._names(audit))

    def calendar(self, count: int = 6) -> CalendarView:
        calendar = calendar_from_settings(self.ctx.settings)
        today = self.ctx.clock().astimezone(self.ctx.settings.tz).date()
        cycle = calendar.cycle_on(today).number if today >= calendar.anchor else None
        return CalendarView(today, calendar.phase_on(today), cycle,
                            tuple(select_cycles(calendar, today, count=count)),
                            calendar.announce_at, tuple(self._windows(today)))

    def _windows(self, today: dt.date) -> list[str]:
        """The load-test windows not yet over, as people read them."""
        tz = self.ctx.settings.tz
        with self.ctx.store.unit_of_work() as uow:  # a day's margin for any time zone
            recorded = uow.loadtests.windows(ending_after=self.ctx.clock() - dt.timedelta(days=2))
        return [f"{w.service} {w.version}: {times.span(w.start, w.end, tz)}"
                + (f" with {', '.join(w.partners)}" if w.partners else "")
                for w in recorded if w.end.astimezone(tz).date() >= today]

    def _names(self, audit: Sequence[AuditEntry]) -> dict[str, str]:
        """The display name of each person in the audit trail, asked once per person (not
        per row), all at once, each kept `name_ttl` seconds."""
        name = self.name
        if name is None:
            return {}
        people = list(dict.fromkeys(e.actor for e in audit if SLACK_USER.fullmatch(e.actor)))
        if not people:
            return {}
        names = self.ctx.fanout.map(lambda user: self.cached(("name", user), self.name_ttl,
                                                             partial(name, user)), people)
        return dict(zip(people, names, strict=True))

    def _behind_master(self, config: ServiceSettings) -> int | None:
        lag = self.cached(("dev-lag", config.name), self.environment_ttl,
                          lambda: dev_lag(self.ctx, config))
        return lag.behind if lag is not None else None

    # -- environments ------------------------------------------------------------------
    def environments(self, config: ServiceSettings) -> list[EnvironmentState]:
        return [self._environment(config, env) for env in config.environments]

    def bugs(self, config: ServiceSettings, ids: tuple[int, ...]) -> dict[int, Bug]:
        tracker = self.ctx.ports_for(config).tracker
        return self.cached(("bugs", config.name, ids), self.ticket_ttl,
                           lambda: tracker.bugs(ids))

    def _environment(self, config: ServiceSettings, env: str) -> EnvironmentState:
        return self.cached(("env", config.name, env), self.environment_ttl,
                           lambda: self.ctx.read_environment(config, env))

    def _grid(self, config: ServiceSettings, states: list[EnvironmentState]) -> ServiceGrid:
        forge = self.ctx.ports_for(config).forge
        cells = []
        for state in states:
            tag = _tag_name(config, state.version)
            behind = self._behind_master(config) if state.name == following(config) else None
            cells.append(EnvCell(state, Link(tag, forge.tag_url(tag)) if tag else None,
                                 behind))
        by_name = {s.name: s for s in states}
        upcoming = _upcoming(config)
        return ServiceGrid(config.name, tuple(cells),
                           self._drift(config, by_name.get(upcoming), by_name.get("prod")),
                           upcoming)

    def _drift(self, config: ServiceSettings, stage: EnvironmentState | None,
               prod: EnvironmentState | None) -> Drift | None:
        if stage is None or prod is None or not stage.version or not prod.version:
            return None
        base, head = _tag_name(config, prod.version), _tag_name(config, stage.version)
        if base is None or head is None or base == head:
            return None
        forge = self.ctx.ports_for(config).forge
        compare = Link(f"{base}...{head}", forge.compare_url(base, head))
        try:
            commits = self.between(config, base, head)
        except PartnerError as exc:
            return Drift(stage.name, stage.version, prod.version, compare, error=str(exc))
        return Drift(stage.name, stage.version, prod.version, compare, len(commits),
                     bug_ids(commits))

    def between(self, config: ServiceSettings, base: str | None, head: str) -> list[Commit]:
        forge = self.ctx.ports_for(config).forge
        return self.cached(("commits", config.name, base, head), self.history_ttl,
                           lambda: forge.commits_between(base, head))

    # -- releases ----------------------------------------------------------------------
    def _flight(self, config: ServiceSettings, release: Release) -> Flight:
        tracker = self.ctx.ports_for(config).tracker
        tickets = [(f"{env} ticket", t.bug_id) for env in config.pipeline.ticketed_names
                   if (t := release.ticket(env)) is not None]
        blockers = [("blocker", b) for b in release.blockers]
        ids = tuple(sorted({b for _, b in tickets + blockers}))
        bugs: dict[int, Bug] = {}
        error = None
        try:
            if ids:
                bugs = self.bugs(config, ids)
        except PartnerError as exc:
            error = str(exc)

        def view(label: str, bug_id: int) -> TicketView:
            return TicketView(label, bug_id, tracker.bug_url(bug_id), bugs.get(bug_id))

        since = self.ctx.clock() - release.updated_at if release.updated_at else None
        whose, step = _whose(next_step(release, pipeline=config.pipeline))
        return Flight(release, whose, step,
                      tuple(view(*t) for t in tickets), tuple(view(*b) for b in blockers),
                      since, error)

    def _commits(self, config: ServiceSettings, release: Release
                 ) -> tuple[Sequence[Commit], str | None, Link | None]:
        if release.kind is Kind.SERVICE or not release.tag:
            return (), None, None
        forge = self.ctx.ports_for(config).forge
        base = _tag_name(config, release.previous_version)
        compare = Link(f"{base}...{release.tag}", forge.compare_url(base, release.tag)
                       ) if base else None
        try:
            return self.between(config, base, release.tag), None, compare
        except PartnerError as exc:
            return (), str(exc), compare


def _whose(step: str) -> tuple[str, str]:
    """next_step() says whose move it is first ("OPS: deploy ..."), as announcements read it."""
    who, sep, what = step.partition(": ")
    if sep and who != "nothing" and who.replace(" or ", "").isupper():
        return who, what
    return "", step


def _tag_name(config: ServiceSettings, version: str | None) -> str | None:
    """The tag of a version an environment reports, or None when it is no release."""
    if not version:
        return None
    try:
        return Version.parse(version).tag_name(config.tag_pattern)
    except Refusal:
        return None


def _upcoming(config: ServiceSettings) -> str:
    """The environment holding what goes to prod next: the last before it (stage, or
    real-stage where there is one)."""
    return config.pipeline.before_prod[-1].name
