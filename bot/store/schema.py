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
- The newest revision is read from the revision files themselves (`revisions()`, with
  `ast`), so checking a schema at start imports no Alembic (nor Mako); Alembic is imported
  only to run revisions or write one, and `upgrade` of a current schema runs none.
"""

from __future__ import annotations

import ast
import functools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from bot.store.engine import build_engine, masked, parse_url, scrub
from bot.store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

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
    # Alembic (with Mako, ~0.3 s of CPU) only where a schema is made or a revision written
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def revisions() -> dict[str, tuple[str, ...]]:
    """Each revision of bot/store/migrations/versions and the ones it revises, read from
    the files' `revision` and `down_revision` as Alembic reads them, without importing
    Alembic's script machinery (a check of the schema at start needs only the head)."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values = dict(_assignments(ast.parse(path.read_text(encoding="utf-8"))))
        if "revision" in values:
            down = values.get("down_revision")
            graph[str(values["revision"])] = tuple(down) if isinstance(down, (tuple, list)) \
                else (() if down is None else (str(down),))
    return graph


def _assignments(module: ast.Module) -> Iterator[tuple[str, object]]:
    """The module's top-level `revision = ...` and `down_revision = ...` (annotated or not)."""
    for node in module.body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            yield target.id, ast.literal_eval(value)


def head_revision() -> str:
    graph = revisions()
    heads = set(graph) - {down for downs in graph.values() for down in downs}
    assert len(heads) == 1, f"bot/store/migrations has one head, not {sorted(heads)}"
    return heads.pop()


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
                current = _current(conn)
                if current is not None and not _known(current):
                    raise _unknown(masked(parsed), current)
                if target == "head" and current == head_revision():
                    return SchemaState(current, current)  # nothing to run: no Alembic
                from alembic import command  # see alembic_config

                config = alembic_config()
                config.attributes["connection"] = conn
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
        from alembic import command  # see alembic_config

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
    return revision in revisions()


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
