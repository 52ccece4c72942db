"""The database schema's version: building and upgrading it (Alembic, bot/store/migrations),
and refusing to serve on one that is behind.

- `upgrade(url)` brings any database to the newest revision: an empty one gets every table
  (the job store's too), one made by an older loopbot's `create_all` is adopted with its
  rows (the first revision creates only the tables missing), a current one is left as it
  is. It is safe to run from several processes at once: on PostgreSQL the upgrade holds a
  transaction-level advisory lock, on SQLite the write lock (BEGIN IMMEDIATE); whoever
  comes second waits, then finds the schema current. PostgreSQL and SQLite both run DDL
  inside the transaction, so a failed upgrade leaves the schema as it was.
- `new_revision(message)` writes the next revision from what the models changed (for
  developers: `loopbot db revision -m "..."`, then read and adjust it).
- `revision_of(url)` says where a database stands; `require_current(url)` raises
  `SchemaNotCurrent` naming the command to run (`loopbot db upgrade`) unless it is at the
  newest revision. Messages show the URL with its password masked.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from bot.store.engine import build_engine, masked, parse_url, scrub
from bot.store.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
UPGRADE_COMMAND = "loopbot db upgrade"
VERSION_TABLE = "alembic_version"  # Alembic's default, where the revision is recorded
# pg_advisory_xact_lock's key: any fixed bigint, the same for every loopbot process.
UPGRADE_LOCK = 0x6C6F6F70626F74  # "loopbot"


class SchemaNotCurrent(StoreError):
    """The database is not at the revision this loopbot needs (empty, older or newer)."""


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: no revision recorded (empty, or made before migrations)
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "bot/store/migrations has revisions"
    return head


def upgrade(url: str | URL, target: str = "head") -> SchemaState:
    """Upgrade the database to `target` (the newest revision by default)."""
    parsed = _parsed(url)
    engine = build_engine(parsed)
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # batch mode copies tables: references must not fire meanwhile
                driver = conn.connection.driver_connection
                assert driver is not None  # an open connection has one
                driver.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():  # SQLite: BEGIN IMMEDIATE, the write lock
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": UPGRADE_LOCK})
                config = alembic_config()
                config.attributes["connection"] = conn
                current = _current(conn)
                if current is not None and not _known(current):
                    raise _unknown(masked(parsed), current)
                command.upgrade(config, target)
                if sqlite:
                    _check_references(conn)
                return SchemaState(_current(conn), head_revision())
    except SQLAlchemyError as exc:
        raise _failed(parsed, exc) from None
    finally:
        engine.dispose()  # the SQLite connection without foreign keys is never reused


def new_revision(message: str) -> Path:
    """Write a revision for what the models changed since the newest one (autogenerate,
    against a scratch SQLite database at the newest revision); its file, to review."""
    with tempfile.TemporaryDirectory(prefix="loopbot-revision-") as folder:
        url = f"sqlite:///{Path(folder) / 'scratch.db'}"
        upgrade(url)
        engine = build_engine(parse_url(url))
        try:
            with engine.connect() as conn:
                config = alembic_config()
                config.attributes["connection"] = conn
                head = head_revision()
                number = f"{int(head) + 1:04d}" if head.isdigit() else None
                script = command.revision(config, message, autogenerate=True, rev_id=number)
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def revision_of(url: str | URL) -> SchemaState:
    """Where the database stands against this loopbot's newest revision."""
    parsed = _parsed(url)
    engine = build_engine(parsed)
    try:
        with engine.connect() as conn:
            return SchemaState(_current(conn), head_revision())
    except SQLAlchemyError as exc:
        raise _failed(parsed, exc) from None
    finally:
        engine.dispose()


def require_current(url: str | URL) -> SchemaState:
    """The schema's state if it is the newest; else SchemaNotCurrent saying what to run."""
    state = revision_of(url)
    if state.up_to_date:
        return state
    where = masked(_parsed(url))
    if state.current is None:
        raise SchemaNotCurrent(f"the database {where} has no loopbot schema yet (or one made "
                               f"before migrations): run `{UPGRADE_COMMAND}` first")
    if not _known(state.current):
        raise _unknown(where, state.current)
    raise SchemaNotCurrent(f"the database {where} is at revision {state.current}, behind "
                           f"{state.head}: run `{UPGRADE_COMMAND}` first")


def _known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _unknown(where: str, revision: str) -> SchemaNotCurrent:
    return SchemaNotCurrent(f"the database {where} is at revision {revision}, which this "
                            "loopbot does not know (a newer loopbot upgraded it): run that "
                            "newer loopbot")


def _current(conn: Connection) -> str | None:
    """The recorded revision (read directly: Alembic's own reader logs at INFO)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _check_references(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StoreError(f"the upgrade would break {len(broken)} reference(s) between "
                         f"tables (first: {tuple(broken[0])}); nothing was changed")


def _parsed(url: str | URL) -> URL:
    return parse_url(url) if isinstance(url, str) else url


def _failed(url: URL, exc: Exception) -> StoreError:
    first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
    return StoreError(f"cannot use database {masked(url)}: {scrub(first_line, url)}")
