"""Building the engine for a database URL, showing that URL without its password, and
the one statement that differs between the dialects (insert unless already there).

SQLite gets WAL, foreign keys, a busy timeout and connections usable from any thread, and
every transaction begins IMMEDIATE: transactions that write are serialized (waiting up to
the busy timeout), so a read followed by a write never fails on a stale snapshot, and
savepoints work. Keep units of work short: no partner call inside one.
PostgreSQL gets pre-ping so a restarted server costs no failed command. Any failure to
build the engine raises `StoreError`, and a failed connect or a connection lost during a
statement `Unreachable` (in one line: the scheduler's job store shares the engine's
making), with the password masked.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, ExceptionContext, make_url

from bot.redaction import mask_text
from bot.store.errors import StoreError, Unreachable

SQLITE_BUSY_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10


# Heroku-style and bare PostgreSQL URLs mean the installed driver (psycopg 3)
POSTGRES_ALIASES = ("postgres", "postgresql")
ACCEPTED_FORMS = ("sqlite:///PATH", "postgresql://USER:PASSWORD@HOST/DB (or postgres://, "
                  "postgresql+psycopg://)")


def parse_url(raw: str) -> URL:
    """The URL (`postgres://` and `postgresql://` read as psycopg 3), or StoreError that
    does not repeat the string (it may hold a password)."""
    try:
        url = make_url(raw)
    except Exception:
        raise StoreError("cannot read the database URL (check DATABASE_URL; accepted: "
                         f"{', '.join(ACCEPTED_FORMS)})") from None
    if url.drivername in POSTGRES_ALIASES:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"cannot use database {masked(url)}: loopbot keeps its data in "
                         f"SQLite or PostgreSQL (accepted: {', '.join(ACCEPTED_FORMS)})")
    return url


def masked(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def scrub(text: str, url: URL) -> str:
    """`text` with credentials masked, for messages built from driver errors: the URL's
    password where it stands, and as free text only when long enough to be a secret."""
    return mask_text(text, [str(url.password)] if url.password else [])


def build_engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url)
        engine = create_engine(url, pool_pre_ping=True, connect_args=_pg_args(url))
        event.listen(engine, "handle_error", _dropped(url))
        return engine
    except StoreError:
        raise
    except Exception as exc:
        reason = scrub(f"{type(exc).__name__}: {exc}".splitlines()[0], url)
        raise StoreError(f"cannot use database {masked(url)}: {reason}") from None


def _dropped(url: URL) -> Any:
    """A failed connect, or a connection lost during a statement (the server rolls the
    transaction back), becomes `Unreachable`, said in one line without the password."""
    def handle(context: ExceptionContext) -> None:
        if context.is_disconnect or context.connection is None:  # None: while connecting
            first = (str(context.original_exception).splitlines() or ["disconnected"])[0]
            raise Unreachable(f"cannot use database {masked(url)}: "
                              f"{scrub(first, url)}") from None
    return handle


def _pg_args(url: URL) -> dict[str, Any]:
    if url.get_backend_name() != "postgresql":
        return {}
    return {"connect_timeout": PG_CONNECT_TIMEOUT_S}


def _check_sqlite_file(url: URL) -> None:
    """A file database needs its directory writable (the journal files sit beside it):
    say so at once instead of SQLite's "unable to open database file" (a data directory
    bind-mounted from the host, owned by root, in a container running as another user)."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    folder = os.path.dirname(os.path.abspath(database))
    who = f"uid {os.geteuid()}"
    if not os.path.isdir(folder):
        raise StoreError(f"cannot use database {masked(url)}: the directory {folder} does "
                         "not exist: create it, writable by the bot's user "
                         f"({who})") from None
    file_blocked = os.path.exists(database) and not os.access(database, os.R_OK | os.W_OK)
    if file_blocked or not os.access(folder, os.W_OK | os.X_OK):
        blocked = database if file_blocked else folder
        raise StoreError(f"cannot use database {masked(url)}: {blocked} is not writable by "
                         f"the bot's user ({who}): chown it to that user, or mount a "
                         "directory it owns") from None


def _sqlite_engine(url: URL) -> Engine:
    _check_sqlite_file(url)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000}
    )
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connected(connection: sqlite3.Connection, _record: object) -> None:
    connection.isolation_level = None  # the driver's own BEGIN/COMMIT would break savepoints
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    _into_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _into_wal(cursor: sqlite3.Cursor) -> None:
    """Switch to WAL, waiting like any write would: the switch needs the database alone
    for a moment and SQLite answers "database is locked" at once, without the busy
    timeout, while another connection writes (processes starting together on a new file)."""
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignoring(
    dialect: str, table: Table, values: Mapping[str, Any], unique: Sequence[str]
) -> Insert:
    """`INSERT ... ON CONFLICT (unique) DO NOTHING`, the same on SQLite and PostgreSQL.
    Add `.returning(...)` to learn whether the row went in (rowcount is -1 on psycopg 3)."""
    if dialect == "postgresql":
        return postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=unique)
    if dialect == "sqlite":
        return sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=unique)
    raise StoreError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
