"""The schema as loopbot made it before migrations (`create_all`), plus APScheduler's table.

Adopting a database made by an older loopbot: this revision creates only the tables that
are missing. Such a database has exactly these tables (made by `create_all` of the same
models; `apscheduler_jobs` made by the job store when `loopbot run` had started once), so
its rows stay as they are and the revision is recorded as applied. A stamp would have
been the other way, but it would leave a table missing (the sandbox never made
`apscheduler_jobs`).

Revision ID: 0001
Revises:
Created: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)  # bot.store.tables.UTCDateTime's column type


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)


def _apscheduler_jobs() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs",
                    ["next_run_time"])


def _audit() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("roles", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=True),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_service"), "audit", ["service"])


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("claimed_at", TIME, nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("key", name=op.f("uq_claims_key")),
    )


def _releases() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=True),
        sa.Column("commit_sha", sa.String(), nullable=True),
        sa.Column("previous_version", sa.String(), nullable=True),
        sa.Column("branch", sa.String(), nullable=True),
        sa.Column("fixed_bugs", sa.JSON(), nullable=False),
        sa.Column("flagged_bugs", sa.JSON(), nullable=False),
        sa.Column("blockers", sa.JSON(), nullable=False),
        sa.Column("rejected_for", sa.Integer(), nullable=True),
        sa.Column("superseded_by", sa.String(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("service", "version", name=op.f("uq_releases_service_version")),
    )


def _steps() -> None:
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steps")),
        sa.UniqueConstraint("key", name=op.f("uq_steps_key")),
    )


def _tickets() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(), nullable=False),
        sa.Column("bug_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["releases.id"],
                                name=op.f("fk_tickets_release_id_releases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("release_id", "env", "attempt",
                            name=op.f("uq_tickets_release_id_env_attempt")),
    )
    op.create_index(op.f("ix_tickets_release_id"), "tickets", ["release_id"])


# In creation order: tickets refer to releases.
TABLES: dict[str, Callable[[], None]] = {
    "apscheduler_jobs": _apscheduler_jobs,
    "audit": _audit,
    "claims": _claims,
    "releases": _releases,
    "steps": _steps,
    "tickets": _tickets,
}
