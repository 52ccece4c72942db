"""Offered confirmations: each tag, green-light or override question the bot offered (what,
on which release, to whom, until when); a press is accepted only on a live one.

Revision ID: 0003
Revises: 0002
Created: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sha", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("offered_to", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("key", name=op.f("uq_offers_key")),
    )


def downgrade() -> None:
    op.drop_table("offers")
