"""Prod sign-offs in the unit of work (a mixin of `UnitOfWork`): one per (service,
version, team); signing again keeps the first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, RowMapping, select

from bot.domain.signoff import Signoff
from bot.store.engine import insert_ignoring
from bot.store.tables import signoffs


class SignoffRecords:
    """Needs `_execute`, `_rows`, `_dialect` and `_clock` from the unit of work."""

    _dialect: str

    def _execute(self, statement: Executable) -> Any: ...  # pragma: no cover
    def _rows(self, statement: Executable) -> Sequence[RowMapping]: ...  # pragma: no cover

    def add_signoff(self, signoff: Signoff, at: Any) -> bool:
        """Record the team's sign-off; False when the team had signed already."""
        values = {"service": signoff.service, "version": signoff.version,
                  "team": signoff.team, "actor": signoff.actor, "at": at}
        added = insert_ignoring(self._dialect, signoffs, values,
                                ["service", "version", "team"]).returning(signoffs.c.id)
        return self._execute(added).scalar() is not None

    def signoffs(self, service: str, version: str) -> list[Signoff]:
        c = signoffs.c
        query = select(signoffs).where(c.service == service, c.version == version)
        return [Signoff(r["service"], r["version"], r["team"], r["actor"])
                for r in self._rows(query.order_by(c.id))]
