"""Delivery metrics (issue 22): the commit times of each release, read from GitHub once,
and an index for reading one service's steps of some kinds since a time.

Revision ID: 0007
Revises: 0006
Created: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "release_commit_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("times", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_commit_times")),
        sa.UniqueConstraint("service", "version",
                            name=op.f("uq_release_commit_times_service_version")),
    )
    op.create_index("ix_audit_service_action_at", "audit", ["service", "action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_service_action_at", table_name="audit")
    op.drop_table("release_commit_times")
