"""Release-note categories from files (issue 12): the files each commit changes, kept by
sha, so a changelog reads a commit's files from GitHub once (bot/store/commit_files.py).

Revision ID: 0005
Revises: 0004
Created: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commit_files",
        sa.Column("sha", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha", name=op.f("pk_commit_files")),
    )


def downgrade() -> None:
    op.drop_table("commit_files")
