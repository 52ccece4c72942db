"""The bot's tables, as SQLModel classes. Only the store package uses them.

Guarantees kept by the schema itself, on SQLite and PostgreSQL alike:
- one release per (service, version): a second tag of the same version is impossible;
- one ticket per (release, env, attempt);
- one step per key, one claim per key and one offered confirmation per key;
- one holder per lease (the scheduler's: one scheduler per deployment).
Every constraint has a name (the naming convention is set before any table is defined).
Times are stored in UTC and read back as aware UTC datetimes.

`metadata` is the whole schema the migrations (bot/store/migrations) build, including
APScheduler's job store table (`apscheduler_jobs`): APScheduler owns its shape, defined
here exactly as its SQLAlchemyJobStore defines it, so `loopbot db upgrade` makes every
table and the job store never creates one while two processes start.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    LargeBinary,
    Table,
    Text,
    TypeDecorator,
    Unicode,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime, stored in UTC; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give a time zone")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _time(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON(), nullable=nullable))


class ReleaseRow(SQLModel, table=True):
    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("service", "version"),
        # by state, newest first: board, App Home, the scheduler (issue 17). No index on
        # (service, created_at): planners then scan every release in order, not the states
        Index("ix_releases_service_state_created_at_id", "service", "state", "created_at",
              "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service: str
    version: str
    state: str
    kind: str
    tag: str | None = None
    commit_sha: str | None = None
    previous_version: str | None = None
    branch: str | None = None
    fixed_bugs: list[int] = _json()
    flagged_bugs: list[int] = _json()
    blockers: list[int] = _json()
    rejected_for: int | None = None
    superseded_by: str | None = None
    summary: str = Field(default="", sa_column=Column(Text(), nullable=False))
    notes: str = Field(default="", sa_column=Column(Text(), nullable=False))
    created_at: dt.datetime = _time()
    updated_at: dt.datetime = _time()


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("release_id", "env", "attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="releases.id", index=True)
    env: str
    bug_id: int
    attempt: int


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit"
    __table_args__ = (
        # a release's trail; the watch's last "seen on ENV"; an occurrence's entry
        Index("ix_audit_service_version_id", "service", "version", "id"),
        Index("ix_audit_service_action_actor_id", "service", "action", "actor", "id"),
        Index("ix_audit_request_id", "request_id"),
        # the metrics: one service's steps of some kinds since a time (bot/store/metrics.py)
        Index("ix_audit_service_action_at", "service", "action", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _time()
    actor: str
    roles: str = ""  # comma-separated
    action: str
    service: str = Field(index=True)
    version: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    detail: str = Field(default="", sa_column=Column(Text(), nullable=False))
    request_id: str | None = None
    override_reason: str | None = Field(default=None, sa_column=Column(Text()))


class StepRow(SQLModel, table=True):
    __tablename__ = "steps"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    status: str  # "started" or "done"
    result: dict[str, Any] | None = _json(nullable=True)
    started_at: dt.datetime = _time()
    finished_at: dt.datetime | None = _time(nullable=True)


class ClaimRow(SQLModel, table=True):
    __tablename__ = "claims"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    claimed_at: dt.datetime = _time()
    owner: str


class LoadTestWindowRow(SQLModel, table=True):
    """A load-test window agreed with partners; one per (service, version, start)."""

    __tablename__ = "load_test_windows"
    __table_args__ = (UniqueConstraint("service", "version", "start"),
                      Index("ix_load_test_windows_end", "end"))  # those not over yet

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(index=True)
    version: str
    start: dt.datetime = _time()
    end: dt.datetime = _time()
    partners: list[str] = _json()
    actor: str
    override_reason: str | None = Field(default=None, sa_column=Column(Text()))


class LoadTestResultRow(SQLModel, table=True):
    """A load test's outcome as QA recorded it, in recording order."""

    __tablename__ = "load_test_results"

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(index=True)
    version: str
    passed: bool
    reason: str = Field(default="", sa_column=Column(Text(), nullable=False))
    bug_id: int | None = None
    actor: str
    at: dt.datetime = _time()


class SignoffRow(SQLModel, table=True):
    """A team's sign-off of a release on prod; one per (service, version, team)."""

    __tablename__ = "signoffs"
    __table_args__ = (UniqueConstraint("service", "version", "team"),)

    id: int | None = Field(default=None, primary_key=True)
    service: str
    version: str
    team: str
    actor: str
    at: dt.datetime = _time()


class LeaseRow(SQLModel, table=True):
    """A lease: held by one process until `expires_at` unless it renews it
    (bot/entrypoints/leader.py)."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True)
    holder: str
    acquired_at: dt.datetime = _time()
    expires_at: dt.datetime = _time()


class OfferRow(SQLModel, table=True):
    """A confirmation the bot offered (bot/domain/offer.py): a press must match one."""

    __tablename__ = "offers"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # the offer's id, carried by its button
    action: str
    service: str
    version: str
    sha: str | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text()))
    detail: str | None = Field(default=None, sa_column=Column(Text()))  # JSON
    offered_to: str
    offered_at: dt.datetime = _time()
    expires_at: dt.datetime = _time()


class CommitFilesRow(SQLModel, table=True):
    """The files a commit changes, as GitHub listed them: fixed for a sha, so kept for
    good (the tag step and later changelogs reuse what a preview read)."""

    __tablename__ = "commit_files"

    sha: str = Field(primary_key=True)
    paths: list[str] = _json()
    read_at: dt.datetime = _time()


class ReleaseCommitTimesRow(SQLModel, table=True):
    """When each commit a release ships was committed (issue 22's lead time): fixed once
    the release is tagged, so read from GitHub once (bot/store/metrics.py)."""

    __tablename__ = "release_commit_times"
    __table_args__ = (UniqueConstraint("service", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    service: str
    version: str
    times: list[str] = _json()  # ISO 8601, UTC
    read_at: dt.datetime = _time()


JOBS_TABLE = "apscheduler_jobs"

# APScheduler 3's SQLAlchemyJobStore table, column for column (191: MySQL's key length).
scheduler_jobs = Table(
    JOBS_TABLE,
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

metadata = SQLModel.metadata


def _table(row: type[SQLModel]) -> Table:
    """The row's table: SQLModel sets `__table__` on the class but does not declare it."""
    table = vars(row)["__table__"]
    assert isinstance(table, Table)
    return table


releases = _table(ReleaseRow)
tickets = _table(TicketRow)
audit = _table(AuditRow)
steps = _table(StepRow)
claims = _table(ClaimRow)
leases = _table(LeaseRow)
offers = _table(OfferRow)
load_test_windows = _table(LoadTestWindowRow)
load_test_results = _table(LoadTestResultRow)
signoffs = _table(SignoffRow)
commit_files = _table(CommitFilesRow)
release_commit_times = _table(ReleaseCommitTimesRow)
