"""Reads whose cost must not grow with years of history (issue 17), a mixin of
`UnitOfWork`: each is answered from an index (see the migration 0006 and
tests/integration/test_store_indexes.py), reading only the rows it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, RowMapping, func, select

from bot.domain.audit import AuditEntry
from bot.store import records
from bot.store.tables import audit


class HistoryReads:
    """Needs `_execute` and `_rows` from the unit of work."""

    def _execute(self, statement: Executable) -> Any: ...  # pragma: no cover
    def _rows(self, statement: Executable) -> Sequence[RowMapping]: ...  # pragma: no cover

    def last_audit(self, service: str, action: str, actor: str) -> AuditEntry | None:
        """The service's newest entry of `actor` with `action`."""
        match = (audit.c.service == service, audit.c.action == action, audit.c.actor == actor)
        newest = self._rows(select(audit).where(*match).order_by(audit.c.id.desc()).limit(1))
        return records.audit_from_row(newest[0]) if newest else None

    def count_audit(self, service: str, action: str, actor: str) -> int:
        """How many entries of `actor` with `action` the service has (grows with them)."""
        match = (audit.c.service == service, audit.c.action == action, audit.c.actor == actor)
        return self._execute(select(func.count()).select_from(audit).where(*match)).scalar()

    def first_audit_of_request(self, request_id: str, action: str) -> AuditEntry | None:
        """The oldest entry recorded under `request_id` (an occurrence's key) with `action`."""
        query = (select(audit).where(audit.c.request_id == request_id, audit.c.action == action)
                 .order_by(audit.c.id).limit(1))
        found = self._rows(query)
        return records.audit_from_row(found[0]) if found else None
