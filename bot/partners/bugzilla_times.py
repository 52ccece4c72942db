"""Bugzilla's times as loopbot reads them: `creation_time` and Bug.history's `when`
(REST: `2014-11-13T12:00:00Z`) as aware datetimes, and a bug's history as the status
after each change that moved it (bot/domain/ticket_history.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bot.domain.ticket_history import StatusMove


def moment(value: object) -> dt.datetime | None:
    """Bugzilla's `2014-11-13T12:00:00Z` (REST) as an aware time; None when absent."""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def moves(records: Sequence[Mapping[str, Any]]) -> Iterator[StatusMove]:
    """Bug.history's records -> the status after each one that moved it."""
    status = resolution = ""
    for record in sorted(records, key=lambda r: str(r.get("when", ""))):
        fields = {c.get("field_name"): str(c.get("added") or "")
                  for c in record.get("changes", [])}
        if "status" not in fields and "resolution" not in fields:
            continue
        status = fields.get("status", status)
        resolution = fields.get("resolution", resolution)
        when = moment(record.get("when"))
        if when is not None:
            yield StatusMove(when, status, resolution)
