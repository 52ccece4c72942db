"""Side effects recorded before ("started") and after ("done", with their result), by
key, in a unit of work: a step done is never done again, its result is used instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from bot.store import records
from bot.store.engine import insert_ignoring
from bot.store.errors import StoreError
from bot.store.records import StepRecord
from bot.store.session import Session
from bot.store.tables import steps


class Steps:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, key: str) -> StepRecord | None:
        row = self._s.execute(select(steps).where(steps.c.key == key)).mappings().first()
        return None if row is None else records.step_from_row(row)

    def start(self, key: str) -> StepRecord:
        """Record the step as started, unless it is already recorded: returns the record
        as it stands ("done" means: do not repeat the side effect, use its result)."""
        values = {"key": key, "status": records.STARTED, "started_at": self._s.clock()}
        self._s.execute(insert_ignoring(self._s.dialect, steps, values, ["key"]))
        return self._existing(key)

    def finish(self, key: str, result: Mapping[str, Any]) -> StepRecord:
        """Mark a started step done with its result; a step already done keeps its first
        result. StoreError if the step was never started."""
        finish = (
            update(steps)
            .where(steps.c.key == key, steps.c.status == records.STARTED)
            .values(status=records.DONE, result=dict(result), finished_at=self._s.clock())
        )
        self._s.execute(finish)
        return self._existing(key)

    def _existing(self, key: str) -> StepRecord:
        record = self.get(key)
        if record is None:
            raise StoreError(f"step {key!r} was never started")
        return record
