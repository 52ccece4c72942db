"""The audit log in a unit of work: every step taken, appended, never changed.

Its reads whose cost must not grow with years of history (issue 17) are each answered
from an index (see the migration 0006 and tests/integration/test_store_indexes.py),
reading only the rows they return. Entries added are logged once their transaction
commits (bot/store/step_log.py); rolled back, they are not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, insert, select

from bot.domain.audit import AuditEntry
from bot.store import records
from bot.store.session import Session
from bot.store.step_log import log_step
from bot.store.tables import audit


class AuditLog:
    def __init__(self, session: Session) -> None:
        self._s = session
        self._added: list[AuditEntry] = []  # logged once committed

    def add(self, entry: AuditEntry) -> AuditEntry:
        """Append an entry (at defaults to now); returns it with its id and time."""
        at = entry.at or self._s.clock()
        if at.tzinfo is None:
            raise ValueError(f"naive audit time {at.isoformat()}: give a time zone")
        at = at.astimezone(dt.UTC)
        append = insert(audit).values(records.audit_values(entry, at)).returning(audit.c.id)
        added = replace(entry, id=self._s.execute(append).scalar_one(), at=at)
        self._added.append(added)
        return added

    def find(self, service: str, version: str | None = None, *,
             action: str | None = None) -> list[AuditEntry]:
        """The service's entries (only this version's, this action's, if given), oldest
        first."""
        query = select(audit).where(audit.c.service == service)
        if version is not None:
            query = query.where(audit.c.version == version)
        if action is not None:
            query = query.where(audit.c.action == action)
        return [records.audit_from_row(r) for r in self._s.rows(query.order_by(audit.c.id))]

    def last(self, service: str, action: str, actor: str) -> AuditEntry | None:
        """The service's newest entry of `actor` with `action`."""
        match = (audit.c.service == service, audit.c.action == action, audit.c.actor == actor)
        newest = self._s.rows(select(audit).where(*match).order_by(audit.c.id.desc()).limit(1))
        return records.audit_from_row(newest[0]) if newest else None

    def count(self, service: str, action: str, actor: str) -> int:
        """How many entries of `actor` with `action` the service has (grows with them)."""
        match = (audit.c.service == service, audit.c.action == action, audit.c.actor == actor)
        counted: int = self._s.execute(
            select(func.count()).select_from(audit).where(*match)).scalar_one()
        return counted

    def first_of_request(self, request_id: str, action: str) -> AuditEntry | None:
        """The oldest entry recorded under `request_id` (an occurrence's key) with `action`."""
        query = (select(audit).where(audit.c.request_id == request_id, audit.c.action == action)
                 .order_by(audit.c.id).limit(1))
        found = self._s.rows(query)
        return records.audit_from_row(found[0]) if found else None

    def log_added(self) -> None:
        """Log the entries added since the last commit (called once it committed)."""
        taken, self._added = self._added, []
        for entry in taken:
            log_step(entry)

    def forget_added(self) -> None:
        self._added = []
