"""Rows to frozen domain values and back: the store's edge.

Nothing outside bot/store/ sees a row. A release read back equals the release written
(tickets in the order they were added, bug lists as tuples, times as aware UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping

from bot.domain.audit import AuditEntry
from bot.domain.release import Env, Kind, Release, State, Ticket
from bot.usecases.ports import StepRecord

STARTED = "started"
DONE = "done"  # StepRecord.done


def release_values(release: Release) -> dict[str, Any]:
    """The columns a release owns, without id and timestamps."""
    return {
        "service": release.service,
        "version": release.version,
        "state": release.state.value,
        "kind": release.kind.value,
        "tag": release.tag,
        "commit_sha": release.commit_sha,
        "previous_version": release.previous_version,
        "branch": release.branch,
        "fixed_bugs": list(release.fixed_bugs),
        "flagged_bugs": list(release.flagged_bugs),
        "blockers": list(release.blockers),
        "rejected_for": release.rejected_for,
        "superseded_by": release.superseded_by,
        "summary": release.summary,
        "notes": release.notes,
    }


def release_from_row(row: RowMapping, ticket_rows: Sequence[RowMapping]) -> Release:
    return Release(
        id=row["id"],
        service=row["service"],
        version=row["version"],
        state=State(row["state"]),
        kind=Kind(row["kind"]),
        tag=row["tag"],
        commit_sha=row["commit_sha"],
        previous_version=row["previous_version"],
        branch=row["branch"],
        fixed_bugs=tuple(row["fixed_bugs"]),
        flagged_bugs=tuple(row["flagged_bugs"]),
        tickets=tuple(ticket_from_row(t) for t in ticket_rows),
        blockers=tuple(row["blockers"]),
        rejected_for=row["rejected_for"],
        superseded_by=row["superseded_by"],
        summary=row["summary"],
        notes=row["notes"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def ticket_values(release_id: int, ticket: Ticket) -> dict[str, Any]:
    return {
        "release_id": release_id,
        "env": ticket.env.value,
        "bug_id": ticket.bug_id,
        "attempt": ticket.attempt,
    }


def ticket_from_row(row: RowMapping) -> Ticket:
    return Ticket(env=Env(row["env"]), bug_id=row["bug_id"], attempt=row["attempt"])


def audit_values(entry: AuditEntry, at: dt.datetime) -> dict[str, Any]:
    return {
        "at": at,
        "actor": entry.actor,
        "roles": ",".join(entry.roles),
        "action": entry.action,
        "service": entry.service,
        "version": entry.version,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "detail": entry.detail,
        "request_id": entry.request_id,
        "override_reason": entry.override_reason,
    }


def audit_from_row(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        actor=row["actor"],
        roles=tuple(r for r in row["roles"].split(",") if r),
        action=row["action"],
        service=row["service"],
        version=row["version"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        detail=row["detail"],
        request_id=row["request_id"],
        override_reason=row["override_reason"],
    )


def step_from_row(row: RowMapping) -> StepRecord:
    return StepRecord(
        key=row["key"],
        status=row["status"],
        result=row["result"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )
