"""What the delivery metrics read (`store.metrics`), each read bounded: one service's
steps of some kinds since a time (index ix_audit_service_action_at), the releases named,
and the kept commit times of the releases named. Commit times are kept per release once
read; keeping a release twice keeps the first list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from bot.domain.audit import AuditEntry
from bot.domain.release import Release
from bot.store import records
from bot.store.engine import insert_ignoring
from bot.store.tables import audit, release_commit_times, releases, tickets

CHUNK = 500  # names per query: well under SQLite's and PostgreSQL's parameter limits


class MetricsReads:
    """Each call is its own transaction."""

    def __init__(self, connect: Callable[[], Connection], clock: Callable[[], Any]) -> None:
        self._connect = connect
        self._clock = clock

    def steps_since(self, service: str, actions: Iterable[str], since: dt.datetime
                    ) -> list[AuditEntry]:
        """The service's entries of `actions` at or after `since`, oldest first."""
        query = select(audit).where(audit.c.service == service,
                                    audit.c.action.in_(list(actions)), audit.c.at >= since
                                    ).order_by(audit.c.at, audit.c.id)
        with self._connect() as conn:
            return [records.audit_from_row(r) for r in conn.execute(query).mappings()]

    def releases_named(self, service: str, versions: Iterable[str]) -> list[Release]:
        """The recorded releases among `versions` (with their tickets)."""
        wanted = list(dict.fromkeys(versions))
        found: list[Release] = []
        with self._connect() as conn:
            for start in range(0, len(wanted), CHUNK):
                rows = conn.execute(select(releases).where(
                    releases.c.service == service,
                    releases.c.version.in_(wanted[start:start + CHUNK]))).mappings().all()
                ids = [r["id"] for r in rows]
                kept = conn.execute(select(tickets).where(tickets.c.release_id.in_(ids))
                                    .order_by(tickets.c.id)).mappings().all()
                found += [records.release_from_row(r, [t for t in kept
                                                       if t["release_id"] == r["id"]])
                          for r in rows]
        return found

    def commit_times(self, service: str, versions: Iterable[str]
                     ) -> dict[str, tuple[dt.datetime, ...]]:
        """The kept commit times of those of `versions` read before."""
        wanted = list(dict.fromkeys(versions))
        found: dict[str, tuple[dt.datetime, ...]] = {}
        table = release_commit_times
        with self._connect() as conn:
            for start in range(0, len(wanted), CHUNK):
                query = select(table.c.version, table.c.times).where(
                    table.c.service == service, table.c.version.in_(wanted[start:start + CHUNK]))
                found.update((row.version, tuple(dt.datetime.fromisoformat(t)
                                                 for t in row.times))
                             for row in conn.execute(query))
        return found

    def keep_commit_times(self, service: str,
                          times: Mapping[str, Sequence[dt.datetime]]) -> None:
        """Keep each release's commit times (one transaction)."""
        if not times:
            return
        now = self._clock()
        with self._connect() as conn:
            for version, moments in times.items():
                values = {"service": service, "version": version, "read_at": now,
                          "times": [m.astimezone(dt.UTC).isoformat() for m in moments]}
                conn.execute(insert_ignoring(conn.dialect.name, release_commit_times, values,
                                             ["service", "version"]))
            conn.commit()
