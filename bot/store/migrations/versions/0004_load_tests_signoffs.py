"""Load tests with partners and other teams' sign-off on prod (issue 12): the load-test
windows agreed with partners, the results QA recorded, the teams' prod sign-offs; and the
detail of an offered confirmation (an emergency load-test window's span and partners, so
a press records what was offered).

Revision ID: 0004
Revises: 0003
Created: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)  # bot.store.tables.UTCDateTime's column type
TEXT = sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table(
        "load_test_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", TEXT, nullable=False),
        sa.Column("version", TEXT, nullable=False),
        sa.Column("start", TIME, nullable=False),
        sa.Column("end", TIME, nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("actor", TEXT, nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_test_windows")),
        sa.UniqueConstraint("service", "version", "start",
                            name=op.f("uq_load_test_windows_service_version_start")),
    )
    op.create_index(op.f("ix_load_test_windows_service"), "load_test_windows", ["service"])
    op.create_table(
        "load_test_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", TEXT, nullable=False),
        sa.Column("version", TEXT, nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("bug_id", sa.Integer(), nullable=True),
        sa.Column("actor", TEXT, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_test_results")),
    )
    op.create_index(op.f("ix_load_test_results_service"), "load_test_results", ["service"])
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", TEXT, nullable=False),
        sa.Column("version", TEXT, nullable=False),
        sa.Column("team", TEXT, nullable=False),
        sa.Column("actor", TEXT, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoffs")),
        sa.UniqueConstraint("service", "version", "team",
                            name=op.f("uq_signoffs_service_version_team")),
    )
    # Nullable: a running loopbot of revision 0003 keeps working while replicas restart.
    op.add_column("offers", sa.Column("detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:  # SQLite drops a column by copying
        batch.drop_column("detail")
    op.drop_table("signoffs")
    op.drop_index(op.f("ix_load_test_results_service"), table_name="load_test_results")
    op.drop_table("load_test_results")
    op.drop_index(op.f("ix_load_test_windows_service"), table_name="load_test_windows")
    op.drop_table("load_test_windows")
