"""Prod sign-offs in a unit of work: one per (service, version, team); signing again
keeps the first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.domain.signoff import Signoff
from bot.store.engine import insert_ignoring
from bot.store.session import Session
from bot.store.tables import signoffs


class Signoffs:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, signoff: Signoff, at: dt.datetime) -> bool:
        """Record the team's sign-off; False when the team had signed already."""
        values = {"service": signoff.service, "version": signoff.version,
                  "team": signoff.team, "actor": signoff.actor, "at": at}
        added = insert_ignoring(self._s.dialect, signoffs, values,
                                ["service", "version", "team"]).returning(signoffs.c.id)
        return self._s.execute(added).scalar() is not None

    def find(self, service: str, version: str) -> list[Signoff]:
        """The release's sign-offs, in signing order."""
        c = signoffs.c
        query = select(signoffs).where(c.service == service, c.version == version)
        return [Signoff(r["service"], r["version"], r["team"], r["actor"])
                for r in self._s.rows(query.order_by(c.id))]
