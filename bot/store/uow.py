"""The unit of work: one transaction over the release records, audit log and steps.

It commits only when `commit()` is called; leaving the `with` block any other way (an
exception, or simply no commit) rolls back whatever was not committed. `commit()` may be
called more than once: each call keeps what was done so far (record a step as started,
commit, call the partner, finish the step, commit).

A write refused by a unique rule raises `AlreadyExists`, a save whose expected state no
longer holds raises `StaleRelease`; either way nothing of that write is stored and the
unit of work stays usable. On SQLite a unit of work holds the database's write lock from
its first statement to its end: keep it short, with no partner call inside.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Executable, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.audit import AuditEntry
from bot.domain.release import Release, State, Ticket
from bot.store import records
from bot.store.engine import insert_ignoring
from bot.store.errors import AlreadyExists, StaleRelease, StoreError
from bot.store.history import HistoryReads
from bot.store.loadtests import LoadTestRecords
from bot.store.records import StepRecord
from bot.store.signoffs import SignoffRecords
from bot.store.steps_log import log_step
from bot.store.tables import audit, releases, steps, tickets

Clock = Callable[[], dt.datetime]


class UnitOfWork(LoadTestRecords, SignoffRecords, HistoryReads):
    def __init__(self, connect: Callable[[], Connection], clock: Clock) -> None:
        self._connect = connect
        self._clock = clock
        self._conn: Connection | None = None
        self._audit_added: list[AuditEntry] = []  # logged once committed

    def __enter__(self) -> UnitOfWork:
        self._conn = self._connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        self._audit_added = []
        if conn is not None:
            try:
                conn.rollback()
            finally:
                conn.close()

    def commit(self) -> None:
        self._connection.commit()
        taken, self._audit_added = self._audit_added, []
        for entry in taken:
            log_step(entry)

    def rollback(self) -> None:
        self._connection.rollback()
        self._audit_added = []

    # -- releases -------------------------------------------------------------------------
    def get_release(self, service: str, version: str) -> Release | None:
        query = select(releases).where(
            releases.c.service == service, releases.c.version == version
        )
        return self._first_release(query)

    def releases(self, service: str, states: Iterable[State] | None = None, *,
                 since: dt.datetime | None = None, limit: int | None = None) -> list[Release]:
        """The service's releases, newest first, optionally only those in `states`, those
        created at `since` or later, the first `limit` (each an index's range)."""
        query = select(releases).where(releases.c.service == service)
        if states is not None:
            query = query.where(releases.c.state.in_([State(s).value for s in states]))
        if since is not None:
            query = query.where(releases.c.created_at >= since)
        query = query.order_by(releases.c.created_at.desc(), releases.c.id.desc())
        return self._with_tickets(self._rows(query if limit is None else query.limit(limit)))

    def add_release(self, release: Release) -> Release:
        """Record a new release; returns it as stored, with its id (created_at and
        updated_at default to now). AlreadyExists if (service, version) is recorded, or if
        two of its tickets share an (env, attempt): nothing is written."""
        new_tickets(release, ())
        now = self._clock()
        values = {
            **records.release_values(release),
            "created_at": release.created_at or now,
            "updated_at": release.updated_at or now,
        }
        insert_release = insert_ignoring(
            self._dialect, releases, values, ["service", "version"]
        ).returning(releases.c.id)
        release_id = self._execute(insert_release).scalar()
        if release_id is None:
            raise AlreadyExists(f"{release.service} {release.version} is already recorded")
        self._insert_tickets(release_id, release.tickets)
        return self._release_by_id(release_id)

    def save_release(self, release: Release, *, expected_state: State | None = None) -> Release:
        """Store the state and fields of the recorded release (service, version), and add
        its tickets not stored yet (stored tickets are never removed); updated_at defaults
        to now. Returns the release as stored. All or nothing:
        - StaleRelease when `expected_state` is given and the stored state differs (another
          command moved the release since it was read);
        - AlreadyExists when a new ticket takes the (env, attempt) of another bug;
        - StoreError when the release is not recorded (use add_release)."""
        values = records.release_values(release)
        del values["service"], values["version"]
        values["updated_at"] = release.updated_at or self._clock()
        match = [releases.c.service == release.service, releases.c.version == release.version]
        if expected_state is not None:
            match.append(releases.c.state == State(expected_state).value)
        change = update(releases).where(*match).values(values).returning(releases.c.id)
        try:
            with self._connection.begin_nested():
                release_id = self._execute(change).scalar()
                if release_id is None:
                    raise self._not_saved(release, expected_state)
                added = new_tickets(release, self._tickets_of(release_id))
                self._insert_tickets(release_id, added)
        except IntegrityError:
            raise AlreadyExists(f"{release.service} {release.version}: a ticket for the same "
                                "environment and attempt was recorded meanwhile") from None
        return self._release_by_id(release_id)

    # -- audit ----------------------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> AuditEntry:
        """Append an entry (at defaults to now); returns it with its id and time."""
        at = entry.at or self._clock()
        if at.tzinfo is None:
            raise ValueError(f"naive audit time {at.isoformat()}: give a time zone")
        at = at.astimezone(dt.UTC)
        append = insert(audit).values(records.audit_values(entry, at)).returning(audit.c.id)
        added = replace(entry, id=self._execute(append).scalar_one(), at=at)
        self._audit_added.append(added)
        return added

    def audit(self, service: str, version: str | None = None, *,
              action: str | None = None) -> list[AuditEntry]:
        """The service's entries (only this version's, this action's, if given), oldest
        first."""
        query = select(audit).where(audit.c.service == service)
        if version is not None:
            query = query.where(audit.c.version == version)
        if action is not None:
            query = query.where(audit.c.action == action)
        return [records.audit_from_row(r) for r in self._rows(query.order_by(audit.c.id))]

    # -- steps ----------------------------------------------------------------------------
    def step(self, key: str) -> StepRecord | None:
        row = self._execute(select(steps).where(steps.c.key == key)).mappings().first()
        return None if row is None else records.step_from_row(row)

    def start_step(self, key: str) -> StepRecord:
        """Record the step as started, unless it is already recorded: returns the record
        as it stands ("done" means: do not repeat the side effect, use its result)."""
        values = {"key": key, "status": records.STARTED, "started_at": self._clock()}
        self._execute(insert_ignoring(self._dialect, steps, values, ["key"]))
        return self._existing_step(key)

    def finish_step(self, key: str, result: Mapping[str, Any]) -> StepRecord:
        """Mark a started step done with its result; a step already done keeps its first
        result. StoreError if the step was never started."""
        finish = (
            update(steps)
            .where(steps.c.key == key, steps.c.status == records.STARTED)
            .values(status=records.DONE, result=dict(result), finished_at=self._clock())
        )
        self._execute(finish)
        return self._existing_step(key)

    # -- helpers --------------------------------------------------------------------------
    @property
    def _connection(self) -> Connection:
        if self._conn is None:
            raise StoreError("use the unit of work inside `with store.unit_of_work() as uow:`")
        return self._conn

    @property
    def _dialect(self) -> str:
        return self._connection.dialect.name

    def _execute(self, statement: Executable) -> Any:
        return self._connection.execute(statement)

    def _rows(self, statement: Executable) -> Sequence[RowMapping]:
        return self._execute(statement).mappings().all()

    def _not_saved(self, release: Release, expected: State | None) -> StoreError:
        stored = self.get_release(release.service, release.version)
        if stored is None:
            return StoreError(f"{release.service} {release.version} is not recorded; "
                              "record it with add_release")
        return StaleRelease(f"{release.service} {release.version} is {stored.state}, not "
                            f"{expected}: it moved meanwhile; read it again")

    def _existing_step(self, key: str) -> StepRecord:
        record = self.step(key)
        if record is None:
            raise StoreError(f"step {key!r} was never started")
        return record

    def _first_release(self, query: Any) -> Release | None:
        found = self._with_tickets(self._rows(query.limit(1)))
        return found[0] if found else None

    def _release_by_id(self, release_id: int) -> Release:
        release = self._first_release(select(releases).where(releases.c.id == release_id))
        assert release is not None, "a release written in this transaction is readable"
        return release

    def _with_tickets(self, rows: Sequence[RowMapping]) -> list[Release]:
        if not rows:
            return []
        query = select(tickets).where(tickets.c.release_id.in_([r["id"] for r in rows]))
        by_release: dict[int, list[RowMapping]] = defaultdict(list)
        for ticket in self._rows(query.order_by(tickets.c.id)):
            by_release[ticket["release_id"]].append(ticket)
        return [records.release_from_row(r, by_release[r["id"]]) for r in rows]

    def _tickets_of(self, release_id: int) -> list[Ticket]:
        query = select(tickets).where(tickets.c.release_id == release_id)
        return [records.ticket_from_row(r) for r in self._rows(query.order_by(tickets.c.id))]

    def _insert_tickets(self, release_id: int, added: Iterable[Ticket]) -> None:
        for ticket in added:
            self._execute(insert(tickets).values(records.ticket_values(release_id, ticket)))


def new_tickets(release: Release, stored: Iterable[Ticket]) -> list[Ticket]:
    """The release's tickets not yet among `stored`; AlreadyExists if one of them takes
    the (env, attempt) of another ticket with a different bug."""
    taken = {(t.env, t.attempt): t.bug_id for t in stored}
    added: list[Ticket] = []
    for ticket in release.tickets:
        key = (ticket.env, ticket.attempt)
        if key not in taken:
            taken[key] = ticket.bug_id
            added.append(ticket)
        elif taken[key] != ticket.bug_id:
            raise AlreadyExists(
                f"{release.service} {release.version} already has a {ticket.env} ticket "
                f"for attempt {ticket.attempt}: bug {taken[key]}"
            )
    return added
