"""The bot's own database: release records, the audit log, step records and claims.

Rows become frozen domain values (bot.domain.release, bot.domain.audit) at this package's
edge; nothing outside it sees a row, a session or SQL. The schema is made and upgraded
only by bot/store/schema.py (`loopbot db upgrade`, Alembic revisions in migrations/).

    store = Store.from_settings(settings)
    with store.unit_of_work() as uow:
        release = uow.releases.get("loop-server", "0.13.0")
        ...
        uow.releases.save(changed)
        uow.commit()                      # without this, everything rolls back
    if store.claim("announce:loop-server:2026-12-08", owner="scheduler"):
        ...                               # exactly one caller gets here
"""

from __future__ import annotations

from bot.domain.audit import AuditEntry
from bot.store.database import Store, utc_now
from bot.store.errors import AlreadyExists, StaleRelease, StoreError, Unreachable
from bot.store.records import StepRecord
from bot.store.uow import UnitOfWork

__all__ = [
    "AlreadyExists",
    "AuditEntry",
    "StaleRelease",
    "StepRecord",
    "Store",
    "StoreError",
    "UnitOfWork",
    "Unreachable",
    "utc_now",
]
