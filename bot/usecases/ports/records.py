"""The port of the bot's own records: the unit of work and its repositories, the calls
that are each their own transaction (claims, leases, offers, the metrics' reads, the
commit files), and the errors they raise. bot/store/ implements it over SQLAlchemy;
tests/fakes/store.py in dicts. No message of these errors shows a database password.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from bot.domain.audit import AuditEntry
from bot.domain.loadtest import Result, Window
from bot.domain.offer import Offer
from bot.domain.release import Release, State
from bot.domain.signoff import Signoff


class StoreError(Exception):
    """The database cannot do what was asked (unreachable, misconfigured, misused). None
    of these errors' messages ever carries a database password."""


class Unreachable(StoreError):
    """The database could not be reached (down, refused, the connection dropped): the
    call that raised it committed nothing (its transaction is rolled back), so the same
    command is safe to repeat once the database is back."""


class AlreadyExists(StoreError):
    """A unique rule of the schema refused the write: the release (service, version) or
    the ticket (release, env, attempt) is already recorded. Nothing of the refused write
    was stored and the unit of work stays usable."""


class StaleRelease(StoreError):
    """The release changed in the database since it was read (another command moved it):
    read it again and decide again. Nothing of the refused save was stored."""


@dataclass(frozen=True)
class StepRecord:
    """A side effect recorded before ("started") and after ("done", with its result)."""

    key: str
    status: str
    result: Mapping[str, Any] | None
    started_at: dt.datetime
    finished_at: dt.datetime | None = None

    @property
    def done(self) -> bool:
        return self.status == "done"


class Releases(Protocol):
    """One record per (service, version), with its tickets (only ever added)."""

    def get(self, service: str, version: str) -> Release | None: ...
    def find(self, service: str, states: Iterable[State] | None = None, *,
             since: dt.datetime | None = None, limit: int | None = None) -> list[Release]:
        """Newest first; only those in `states`, created at `since` or later, the first
        `limit`, when given."""
        ...
    def add(self, release: Release) -> Release: ...
    def save(self, release: Release, *, expected_state: State | None = None) -> Release: ...


class AuditLog(Protocol):
    """Every step taken, appended; entries are logged once their transaction commits."""

    def add(self, entry: AuditEntry) -> AuditEntry: ...
    def find(self, service: str, version: str | None = None, *,
             action: str | None = None) -> list[AuditEntry]:
        """Oldest first."""
        ...
    def last(self, service: str, action: str, actor: str) -> AuditEntry | None: ...
    def count(self, service: str, action: str, actor: str) -> int: ...
    def first_of_request(self, request_id: str, action: str) -> AuditEntry | None: ...


class Steps(Protocol):
    """Side effects by key: `start` keeps an existing record, `finish` keeps the first
    result (StoreError for a step never started)."""

    def get(self, key: str) -> StepRecord | None: ...
    def start(self, key: str) -> StepRecord: ...
    def finish(self, key: str, result: Mapping[str, Any]) -> StepRecord: ...


class LoadTests(Protocol):
    def add_window(self, window: Window) -> tuple[Window, bool]:
        """(the stored window, True if it was new): one per (service, version, start)."""
        ...
    def windows(self, service: str | None = None, version: str | None = None, *,
                ending_after: dt.datetime | None = None) -> list[Window]:
        """Earliest first."""
        ...
    def add_result(self, result: Result) -> Result: ...
    def results(self, service: str, version: str) -> list[Result]: ...


class Signoffs(Protocol):
    def add(self, signoff: Signoff, at: dt.datetime) -> bool:
        """False when the team had signed already (the first sign-off stays)."""
        ...
    def find(self, service: str, version: str) -> list[Signoff]: ...


class UnitOfWork(Protocol):
    """One transaction over the repositories: kept only by `commit()` (callable more than
    once), rolled back when the `with` block ends otherwise."""

    @property
    def releases(self) -> Releases: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def steps(self) -> Steps: ...
    @property
    def loadtests(self) -> LoadTests: ...
    @property
    def signoffs(self) -> Signoffs: ...

    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class MetricsReads(Protocol):
    """The delivery metrics' reads, outside a unit of work (they only read and cache)."""

    def steps_since(self, service: str, actions: Iterable[str], since: dt.datetime
                    ) -> list[AuditEntry]: ...
    def releases_named(self, service: str, versions: Iterable[str]) -> list[Release]: ...
    def commit_times(self, service: str, versions: Iterable[str]
                     ) -> dict[str, tuple[dt.datetime, ...]]: ...
    def keep_commit_times(self, service: str,
                          times: Mapping[str, Sequence[dt.datetime]]) -> None: ...


class CommitFiles(Protocol):
    """The files each commit touched, kept once read from the forge."""

    def get(self, shas: Iterable[str]) -> dict[str, tuple[str, ...]]: ...
    def keep(self, files: Mapping[str, Sequence[str]]) -> None: ...


class RecordStore(Protocol):
    """The bot's own records (bot/store/database.py:Store): units of work, claims (a key
    is claimed once, forever), leases, the confirmations offered."""

    @property
    def metrics(self) -> MetricsReads: ...
    @property
    def commit_files(self) -> CommitFiles: ...
    def unit_of_work(self) -> UnitOfWork: ...
    def claim(self, key: str, owner: str) -> bool: ...
    def hold_lease(self, name: str, holder: str, seconds: float) -> bool: ...
    def let_go(self, name: str, holder: str) -> None: ...
    def lease_holder(self, name: str) -> str | None: ...
    def offer(self, offer: Offer) -> None: ...
    def offered(self, key: str) -> Offer | None: ...
    def dispose(self) -> None: ...
