"""Load-test windows and results in a unit of work.

A window is recorded once per (service, version, start): recording the same one again
returns the stored window. Results are kept in recording order. Rows become
bot.domain.loadtest values here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import RowMapping, insert, select

from bot.domain.loadtest import Result, Window
from bot.store.engine import insert_ignoring
from bot.store.session import Session
from bot.store.tables import load_test_results, load_test_windows


class LoadTests:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add_window(self, window: Window) -> tuple[Window, bool]:
        """Record the window; (the stored window, True if it was new)."""
        values = {
            "service": window.service, "version": window.version, "start": window.start,
            "end": window.end, "partners": list(window.partners), "actor": window.actor,
            "override_reason": window.override_reason,
        }
        keys = ["service", "version", "start"]
        added = insert_ignoring(self._s.dialect, load_test_windows, values, keys).returning(
            load_test_windows.c.id)
        new_id = self._s.execute(added).scalar()
        c = load_test_windows.c
        query = select(load_test_windows).where(
            c.service == window.service, c.version == window.version, c.start == window.start)
        return _window(self._s.rows(query)[0]), new_id is not None

    def windows(self, service: str | None = None, version: str | None = None, *,
                ending_after: dt.datetime | None = None) -> list[Window]:
        """Recorded windows (of a service, of a version, ending at `ending_after` or
        later), earliest first."""
        query = select(load_test_windows)
        if service is not None:
            query = query.where(load_test_windows.c.service == service)
        if version is not None:
            query = query.where(load_test_windows.c.version == version)
        if ending_after is not None:
            query = query.where(load_test_windows.c.end >= ending_after)
        order = (load_test_windows.c.start, load_test_windows.c.id)
        return [_window(r) for r in self._s.rows(query.order_by(*order))]

    def add_result(self, result: Result) -> Result:
        values = {
            "service": result.service, "version": result.version, "passed": result.passed,
            "reason": result.reason, "bug_id": result.bug_id, "actor": result.actor,
            "at": result.at,
        }
        added = insert(load_test_results).values(values).returning(load_test_results.c.id)
        return Result(**{**values, "id": self._s.execute(added).scalar_one()})

    def results(self, service: str, version: str) -> list[Result]:
        """The release's results, in recording order."""
        c = load_test_results.c
        query = select(load_test_results).where(c.service == service, c.version == version)
        return [Result(service=r["service"], version=r["version"], passed=r["passed"],
                       reason=r["reason"], bug_id=r["bug_id"], actor=r["actor"], at=r["at"],
                       id=r["id"]) for r in self._s.rows(query.order_by(c.id))]


def _window(row: RowMapping) -> Window:
    return Window(service=row["service"], version=row["version"], start=row["start"],
                  end=row["end"], partners=tuple(row["partners"]), actor=row["actor"],
                  override_reason=row["override_reason"], id=row["id"])
