"""Every step taken is logged once, at INFO, when the transaction that records it commits
(a step rolled back is not logged): logger `loopbot.steps`, with the step's action,
service and version, the actor (`uid`: a Slack user id, or "scheduler"), the Slack request
or scheduler occurrence that caused it (`rid`), its states and, when glass was broken, the
written reason."""

from __future__ import annotations

import logging

from bot.domain.audit import AuditEntry

log = logging.getLogger("loopbot.steps")


def log_step(entry: AuditEntry) -> None:
    fields = {"rid": entry.request_id, "uid": entry.actor, "service": entry.service,
              "version": entry.version, "action": entry.action,
              "from_state": entry.from_state, "to_state": entry.to_state,
              "override_reason": entry.override_reason}
    states = f" ({entry.from_state or 'new'} -> {entry.to_state})" if entry.to_state else ""
    override = f" breaking glass: {entry.override_reason!r}" if entry.is_override else ""
    log.info("step %s: %s %s by %s%s%s", entry.action, entry.service, entry.version or "-",
             entry.actor, states, override,
             extra={key: value for key, value in fields.items() if value is not None})
