"""Cost flat with history (issue 17): indexes for the reads every tick and page makes
(a release's audit trail, the environment watch's last sighting, an occurrence's entry,
releases newest first by service and state, load-test windows not over).

Revision ID: 0006
Revises: 0005
Created: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_releases_service_state_created_at_id": ("releases",
                                                ["service", "state", "created_at", "id"]),
    "ix_audit_service_version_id": ("audit", ["service", "version", "id"]),
    "ix_audit_service_action_actor_id": ("audit", ["service", "action", "actor", "id"]),
    "ix_audit_request_id": ("audit", ["request_id"]),
    "ix_load_test_windows_end": ("load_test_windows", ["end"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
