"""`FakeStore` and `FakeUnitOfWork`: the store's records in dicts (Cosmic Python's fake unit
of work) with the repositories of the unit-of-work port (bot/usecases/ports/records.py)
and the real store's contract: nothing is kept without `commit()`, a unique rule raises
`AlreadyExists`, a save whose expected state moved raises `StaleRelease`, a release or
step that is not recorded raises `StoreError` (tests/integration/test_store_contract.py)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from bot.domain.audit import AuditEntry
from bot.domain.loadtest import Result, Window
from bot.domain.offer import Offer
from bot.domain.release import Release, State
from bot.domain.signoff import Signoff
from bot.store.errors import AlreadyExists, StaleRelease, StoreError
from bot.store.records import DONE, STARTED
from bot.store.release import new_tickets
from bot.usecases.ports import StepRecord

Clock = Callable[[], dt.datetime]
OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass
class Records:
    """Everything the store keeps; a unit of work works on a copy until it commits."""

    releases: dict[tuple[str, str], Release] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    steps: dict[str, StepRecord] = field(default_factory=dict)
    windows: dict[tuple[str, str, dt.datetime], Window] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    signoffs: dict[tuple[str, str, str], Signoff] = field(default_factory=dict)
    next_id: int = 1

    def copy(self) -> Records:
        return Records(dict(self.releases), list(self.audit), dict(self.steps),
                       dict(self.windows), list(self.results), dict(self.signoffs),
                       self.next_id)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def with_changes(self, start: Records, done: Records) -> Records:
        """These records plus what `done` changed since `start` (another unit of work may
        have committed meanwhile: each keeps its own writes, as rows would)."""
        merged = self.copy()
        for name in ("releases", "steps", "windows", "signoffs"):
            before, after, target = (getattr(start, name), getattr(done, name),
                                     getattr(merged, name))
            target.update({k: v for k, v in after.items() if before.get(k) is not v})
        merged.audit += done.audit[len(start.audit):]
        merged.results += done.results[len(start.results):]
        merged.next_id = max(self.next_id, done.next_id)
        return merged


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _r(self) -> Records:
        return self._uow.working()

    @property
    def _now(self) -> dt.datetime:
        return self._uow.store.clock()


class FakeReleases(_Repository):
    def get(self, service: str, version: str) -> Release | None:
        return self._r.releases.get((service, version))

    def find(self, service: str, states: Iterable[State] | None = None, *,
             since: dt.datetime | None = None, limit: int | None = None) -> list[Release]:
        wanted = None if states is None else {State(s) for s in states}
        found = [r for r in self._r.releases.values() if r.service == service
                 and (wanted is None or r.state in wanted)
                 and (since is None or (r.created_at or OLDEST) >= since)]
        found.sort(key=lambda r: (r.created_at or OLDEST, r.id or 0), reverse=True)
        return found if limit is None else found[:limit]

    def add(self, release: Release) -> Release:
        new_tickets(release, ())
        key = (release.service, release.version)
        if key in self._r.releases:
            raise AlreadyExists(f"{release.service} {release.version} is already recorded")
        stored = replace(release, id=self._r.new_id(),
                         created_at=release.created_at or self._now,
                         updated_at=release.updated_at or self._now)
        self._r.releases[key] = stored
        return stored

    def save(self, release: Release, *, expected_state: State | None = None) -> Release:
        key = (release.service, release.version)
        stored = self._r.releases.get(key)
        if stored is None:
            raise StoreError(f"{release.service} {release.version} is not recorded; "
                             "record it with add_release")
        if expected_state is not None and stored.state != State(expected_state):
            raise StaleRelease(f"{release.service} {release.version} is {stored.state}, not "
                               f"{expected_state}: it moved meanwhile; read it again")
        added = new_tickets(release, stored.tickets)
        saved = replace(release, id=stored.id, created_at=stored.created_at,
                        tickets=(*stored.tickets, *added),
                        updated_at=release.updated_at or self._now)
        self._r.releases[key] = saved
        return saved


class FakeAuditLog(_Repository):
    def add(self, entry: AuditEntry) -> AuditEntry:
        at = entry.at or self._now
        if at.tzinfo is None:
            raise ValueError(f"naive audit time {at.isoformat()}: give a time zone")
        added = replace(entry, id=self._r.new_id(), at=at.astimezone(dt.UTC))
        self._r.audit.append(added)
        return added

    def find(self, service: str, version: str | None = None, *,
             action: str | None = None) -> list[AuditEntry]:
        return [e for e in self._r.audit if e.service == service
                and (version is None or e.version == version)
                and (action is None or e.action == action)]

    def last(self, service: str, action: str, actor: str) -> AuditEntry | None:
        found = self._of(service, action, actor)
        return found[-1] if found else None

    def count(self, service: str, action: str, actor: str) -> int:
        return len(self._of(service, action, actor))

    def first_of_request(self, request_id: str, action: str) -> AuditEntry | None:
        return next((e for e in self._r.audit
                     if e.request_id == request_id and e.action == action), None)

    def _of(self, service: str, action: str, actor: str) -> list[AuditEntry]:
        return [e for e in self._r.audit
                if (e.service, e.action, e.actor) == (service, action, actor)]


class FakeSteps(_Repository):
    def get(self, key: str) -> StepRecord | None:
        return self._r.steps.get(key)

    def start(self, key: str) -> StepRecord:
        return self._r.steps.setdefault(key, StepRecord(key, STARTED, None, self._now))

    def finish(self, key: str, result: Mapping[str, Any]) -> StepRecord:
        record = self._r.steps.get(key)
        if record is None:
            raise StoreError(f"step {key!r} was never started")
        if record.status == STARTED:
            record = replace(record, status=DONE, result=dict(result), finished_at=self._now)
            self._r.steps[key] = record
        return record


class FakeLoadTests(_Repository):
    def add_window(self, window: Window) -> tuple[Window, bool]:
        key = (window.service, window.version, window.start)
        if key in self._r.windows:
            return self._r.windows[key], False
        stored = replace(window, id=self._r.new_id())
        self._r.windows[key] = stored
        return stored, True

    def windows(self, service: str | None = None, version: str | None = None, *,
                ending_after: dt.datetime | None = None) -> list[Window]:
        found = [w for w in self._r.windows.values()
                 if (service is None or w.service == service)
                 and (version is None or w.version == version)
                 and (ending_after is None or w.end >= ending_after)]
        return sorted(found, key=lambda w: (w.start, w.id or 0))

    def add_result(self, result: Result) -> Result:
        stored = replace(result, id=self._r.new_id())
        self._r.results.append(stored)
        return stored

    def results(self, service: str, version: str) -> list[Result]:
        return [r for r in self._r.results if (r.service, r.version) == (service, version)]


class FakeSignoffs(_Repository):
    def add(self, signoff: Signoff, at: dt.datetime) -> bool:
        key = (signoff.service, signoff.version, signoff.team)
        if key in self._r.signoffs:
            return False
        self._r.signoffs[key] = signoff
        return True

    def find(self, service: str, version: str) -> list[Signoff]:
        return [s for s in self._r.signoffs.values()
                if (s.service, s.version) == (service, version)]


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._work: Records | None = None
        self._start = Records()
        self.releases = FakeReleases(self)
        self.audit = FakeAuditLog(self)
        self.steps = FakeSteps(self)
        self.loadtests = FakeLoadTests(self)
        self.signoffs = FakeSignoffs(self)

    def __enter__(self) -> FakeUnitOfWork:
        self.rollback()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._work = None  # whatever was not committed is dropped

    def commit(self) -> None:
        with self.store.lock:
            self.store.records = self.store.records.with_changes(self._start, self.working())
            self._start, self._work = self.store.records, self.store.records.copy()

    def rollback(self) -> None:
        with self.store.lock:
            self._start, self._work = self.store.records, self.store.records.copy()

    def working(self) -> Records:
        if self._work is None:
            raise StoreError("use the unit of work inside `with store.unit_of_work() as uow:`")
        return self._work


class FakeCommitFiles:
    def __init__(self) -> None:
        self.kept: dict[str, tuple[str, ...]] = {}

    def get(self, shas: Iterable[str]) -> dict[str, tuple[str, ...]]:
        return {sha: self.kept[sha] for sha in shas if sha in self.kept}

    def keep(self, files: Mapping[str, Sequence[str]]) -> None:
        for sha, paths in files.items():
            self.kept.setdefault(sha, tuple(paths))


class FakeMetricsReads:
    """The delivery metrics' reads over the committed records (as the real ones, outside a
    unit of work)."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.times: dict[tuple[str, str], tuple[dt.datetime, ...]] = {}

    def steps_since(self, service: str, actions: Iterable[str], since: dt.datetime
                    ) -> list[AuditEntry]:
        wanted = set(actions)
        found = [e for e in self._store.records.audit if e.service == service
                 and e.action in wanted and e.at is not None and e.at >= since]
        return sorted(found, key=lambda e: (e.at or OLDEST, e.id or 0))

    def releases_named(self, service: str, versions: Iterable[str]) -> list[Release]:
        kept = self._store.records.releases
        return [kept[(service, v)] for v in dict.fromkeys(versions) if (service, v) in kept]

    def commit_times(self, service: str, versions: Iterable[str]
                     ) -> dict[str, tuple[dt.datetime, ...]]:
        return {v: self.times[(service, v)] for v in versions if (service, v) in self.times}

    def keep_commit_times(self, service: str,
                          times: Mapping[str, Sequence[dt.datetime]]) -> None:
        for version, moments in times.items():
            self.times.setdefault((service, version), tuple(moments))


class FakeStore:
    """`Store`'s unit of work, claims, offers and commit files, in memory."""

    dialect = "memory"

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.lock = threading.Lock()
        self.records = Records()
        self.claims: dict[str, str] = {}
        self.offers: dict[str, Offer] = {}
        self.commit_files = FakeCommitFiles()
        self.metrics = FakeMetricsReads(self)
        self.leases: dict[str, tuple[str, dt.datetime]] = {}  # name -> holder, expiry

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def claim(self, key: str, owner: str) -> bool:
        with self.lock:  # true for the first caller only, forever (as the real claim)
            if key in self.claims:
                return False
            self.claims[key] = owner
            return True

    def hold_lease(self, name: str, holder: str, seconds: float) -> bool:
        now = self.clock()
        with self.lock:
            held = self.leases.get(name)
            if held is not None and held[0] != holder and held[1] > now:
                return False
            self.leases[name] = (holder, now + dt.timedelta(seconds=seconds))
            return True

    def let_go(self, name: str, holder: str) -> None:
        with self.lock:
            held = self.leases.get(name)
            if held is not None and held[0] == holder:
                self.leases[name] = (holder, self.clock())

    def lease_holder(self, name: str) -> str | None:
        held = self.leases.get(name)
        return held[0] if held is not None and held[1] > self.clock() else None

    def offer(self, offer: Offer) -> None:
        self.offers[offer.id] = offer

    def offered(self, key: str) -> Offer | None:
        return self.offers.get(key)

    def dispose(self) -> None:
        pass
