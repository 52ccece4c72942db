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

import importlib
from typing import TYPE_CHECKING, Any

from bot.store.errors import AlreadyExists, StaleRelease, StoreError, Unreachable

if TYPE_CHECKING:
    from bot.domain.audit import AuditEntry
    from bot.store.database import Store, utc_now
    from bot.store.records import StepRecord
    from bot.store.uow import UnitOfWork

# Imported on first use (PEP 562): SQLAlchemy and SQLModel cost ~0.7 s of CPU, which a
# command that only catches StoreError (`loopbot --version`, `calendar`) never needs.
_LAZY = {"AuditEntry": "bot.domain.audit", "Store": "bot.store.database",
         "utc_now": "bot.store.database", "StepRecord": "bot.store.records",
         "UnitOfWork": "bot.store.uow"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value

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
