"""Alembic's environment: migrations run on the connection bot/store/schema.py hands over
(inside its transaction and lock); batch mode on SQLite, whose ALTER TABLE is limited."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from bot.store.tables import UTCDateTime, metadata


def render_item(kind: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Revisions stay frozen: a column of the store's UTCDateTime is written as its
    database type, so a later change of that Python class never rewrites history."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
