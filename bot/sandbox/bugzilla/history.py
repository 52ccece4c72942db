"""Each bug's history as Bugzilla's Bug.history lists it: every update that changed a
field adds one record (when, who, the fields changed); `add` adds a change made before,
as tests and the sandbox seed one. Not thread-safe by itself: `BugDatabase` holds its
lock around every call."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


class BugHistories:
    def __init__(self, records: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
        """`records` as `to_json` wrote them."""
        self._records = {int(k): v for k, v in (records or {}).items()}

    def of(self, bug_id: int) -> list[dict[str, Any]]:
        """The bug's records, oldest first (a copy)."""
        return copy.deepcopy(self._records.get(bug_id, []))

    def add(self, bug_id: int, record: dict[str, Any]) -> None:
        """A change made before, placed by its time."""
        self._records.setdefault(bug_id, []).append(record)
        self._records[bug_id].sort(key=lambda r: r["when"])

    def record_change(self, bug_id: int, when: str, who: str,
                      changed: Mapping[str, Mapping[str, str]]) -> None:
        """An update made now; nothing when it changed no field."""
        if changed:
            self._records.setdefault(bug_id, []).append({"when": when, "who": who, "changes": [
                {"field_name": field, **change} for field, change in changed.items()]})

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {str(k): v for k, v in self._records.items()}
