"""An audit record: who did what to which release, when, and why.

`AuditEntry` is a frozen value. The store appends entries and never changes or deletes
one; `at` and `id` are filled by the store when the entry is added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AuditEntry:
    actor: str  # the Slack user id (or "scheduler", "cli:<user>")
    action: str  # e.g. "tag", "verify stage", "override greenlight"
    service: str
    version: str | None = None
    roles: tuple[str, ...] = ()  # the actor's roles when acting
    from_state: str | None = None
    to_state: str | None = None
    detail: str = ""
    request_id: str | None = None  # the Slack request or job occurrence that caused it
    override_reason: str | None = None  # set only when the emergency role broke glass
    at: dt.datetime | None = None
    id: int | None = field(default=None, compare=False)

    @property
    def is_override(self) -> bool:
        return self.override_reason is not None
