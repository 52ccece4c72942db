"""The release records and their deployment tickets, in a unit of work.

A release is recorded once per (service, version); its tickets are only ever added, in
the order they came, one per (env, attempt). Rows become bot.domain.release values here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.release import Release, State, Ticket
from bot.store import records
from bot.store.engine import insert_ignoring
from bot.store.errors import AlreadyExists, StaleRelease, StoreError
from bot.store.session import Session
from bot.store.tables import releases, tickets


class Releases:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, service: str, version: str) -> Release | None:
        query = select(releases).where(
            releases.c.service == service, releases.c.version == version
        )
        return self._first(query)

    def find(self, service: str, states: Iterable[State] | None = None, *,
             since: dt.datetime | None = None, limit: int | None = None) -> list[Release]:
        """The service's releases, newest first, optionally only those in `states`, those
        created at `since` or later, the first `limit` (each an index's range)."""
        query = select(releases).where(releases.c.service == service)
        if states is not None:
            query = query.where(releases.c.state.in_([State(s).value for s in states]))
        if since is not None:
            query = query.where(releases.c.created_at >= since)
        query = query.order_by(releases.c.created_at.desc(), releases.c.id.desc())
        return self._with_tickets(self._s.rows(query if limit is None else query.limit(limit)))

    def add(self, release: Release) -> Release:
        """Record a new release; returns it as stored, with its id (created_at and
        updated_at default to now). AlreadyExists if (service, version) is recorded, or if
        two of its tickets share an (env, attempt): nothing is written."""
        new_tickets(release, ())
        now = self._s.clock()
        values = {
            **records.release_values(release),
            "created_at": release.created_at or now,
            "updated_at": release.updated_at or now,
        }
        insert_release = insert_ignoring(
            self._s.dialect, releases, values, ["service", "version"]
        ).returning(releases.c.id)
        release_id = self._s.execute(insert_release).scalar()
        if release_id is None:
            raise AlreadyExists(f"{release.service} {release.version} is already recorded")
        self._insert_tickets(release_id, release.tickets)
        return self._by_id(release_id)

    def save(self, release: Release, *, expected_state: State | None = None) -> Release:
        """Store the state and fields of the recorded release (service, version), and add
        its tickets not stored yet (stored tickets are never removed); updated_at defaults
        to now. Returns the release as stored. All or nothing:
        - StaleRelease when `expected_state` is given and the stored state differs (another
          command moved the release since it was read);
        - AlreadyExists when a new ticket takes the (env, attempt) of another bug;
        - StoreError when the release is not recorded (use `add`)."""
        values = records.release_values(release)
        del values["service"], values["version"]
        values["updated_at"] = release.updated_at or self._s.clock()
        match = [releases.c.service == release.service, releases.c.version == release.version]
        if expected_state is not None:
            match.append(releases.c.state == State(expected_state).value)
        change = update(releases).where(*match).values(values).returning(releases.c.id)
        try:
            with self._s.connection.begin_nested():
                release_id = self._s.execute(change).scalar()
                if release_id is None:
                    raise self._not_saved(release, expected_state)
                added = new_tickets(release, self._tickets_of(release_id))
                self._insert_tickets(release_id, added)
        except IntegrityError:
            raise AlreadyExists(f"{release.service} {release.version}: a ticket for the same "
                                "environment and attempt was recorded meanwhile") from None
        return self._by_id(release_id)

    def _not_saved(self, release: Release, expected: State | None) -> StoreError:
        stored = self.get(release.service, release.version)
        if stored is None:
            return StoreError(f"{release.service} {release.version} is not recorded; "
                              "record it with releases.add")
        return StaleRelease(f"{release.service} {release.version} is {stored.state}, not "
                            f"{expected}: it moved meanwhile; read it again")

    def _first(self, query: Any) -> Release | None:
        found = self._with_tickets(self._s.rows(query.limit(1)))
        return found[0] if found else None

    def _by_id(self, release_id: int) -> Release:
        release = self._first(select(releases).where(releases.c.id == release_id))
        assert release is not None, "a release written in this transaction is readable"
        return release

    def _with_tickets(self, rows: Sequence[RowMapping]) -> list[Release]:
        if not rows:
            return []
        query = select(tickets).where(tickets.c.release_id.in_([r["id"] for r in rows]))
        by_release: dict[int, list[RowMapping]] = defaultdict(list)
        for ticket in self._s.rows(query.order_by(tickets.c.id)):
            by_release[ticket["release_id"]].append(ticket)
        return [records.release_from_row(r, by_release[r["id"]]) for r in rows]

    def _tickets_of(self, release_id: int) -> list[Ticket]:
        query = select(tickets).where(tickets.c.release_id == release_id)
        return [records.ticket_from_row(r) for r in self._s.rows(query.order_by(tickets.c.id))]

    def _insert_tickets(self, release_id: int, added: Iterable[Ticket]) -> None:
        for ticket in added:
            self._s.execute(insert(tickets).values(records.ticket_values(release_id, ticket)))


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
