"""Each bug's history as Bugzilla's Bug.history lists it (a mixin of the stand-in's
`BugDatabase`): every update that changed a field adds one record (when, who, the fields
changed); `add_history` adds a change made before, as tests and the sandbox seed one."""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any


class BugHistory:
    """Needs `_lock`, `_live`, `_save` and `_history` from BugDatabase."""

    _lock: threading.RLock
    _history: dict[int, list[dict[str, Any]]]

    def _live(self, bug_id: int) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover

    def _save(self) -> None: ...  # pragma: no cover

    def history(self, bug_id: int) -> list[dict[str, Any]]:
        with self._lock:
            self._live(bug_id)
            return copy.deepcopy(self._history.get(bug_id, []))

    def add_history(self, bug_id: int, record: dict[str, Any]) -> None:
        """A change made before (tests and the sandbox set up history this way)."""
        with self._lock:
            self._live(bug_id)
            self._history.setdefault(bug_id, []).append(record)
            self._history[bug_id].sort(key=lambda r: r["when"])
            self._save()

    def _record_change(self, bug_id: int, when: str, who: str,
                       changed: Mapping[str, Mapping[str, str]]) -> None:
        if changed:
            self._history.setdefault(bug_id, []).append({"when": when, "who": who, "changes": [
                {"field_name": field, **change} for field, change in changed.items()]})
