"""`Store`: the bot's own database, on SQLite (default) or PostgreSQL (by URL).

Building a Store checks that the database can be reached; it never creates or changes the
schema: `loopbot db upgrade` does (bot/store/schema.py). Work on releases, audit and steps goes
through `store.unit_of_work()`; `store.claim(key, owner)` is its own transaction and is
true for exactly one caller per key, across threads and processes. No message raised or
logged by the store shows the database password.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from bot.store.engine import build_engine, insert_ignoring, masked, parse_url, scrub
from bot.store.errors import StoreError
from bot.store.tables import claims
from bot.store.uow import Clock, UnitOfWork

if TYPE_CHECKING:
    from bot.config import Settings


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    def __init__(self, url: str | URL, *, clock: Clock = utc_now) -> None:
        self._url = parse_url(url) if isinstance(url, str) else url
        self._clock = clock
        self._engine = build_engine(self._url)
        try:
            self._engine.connect().close()
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise self._unreachable(exc) from None

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock = utc_now) -> Store:
        """The store at settings.db_url (DATABASE_URL overrides app.yaml's database_url)."""
        return cls(settings.db_url, clock=clock)

    @property
    def url(self) -> str:
        """The database URL with its password masked: safe to log and show."""
        return masked(self._url)

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._connect, self._clock)

    def claim(self, key: str, owner: str) -> bool:
        """Claim `key` (e.g. "announce:loop-server:2026-12-08") for `owner`: True for the
        one caller that got it first, False for everyone else, forever."""
        values = {"key": key, "owner": owner, "claimed_at": self._clock()}
        insert = insert_ignoring(self.dialect, claims, values, ["key"]).returning(claims.c.id)
        with self._connect() as conn:
            won = conn.execute(insert).first() is not None
            conn.commit()
        return won

    def dispose(self) -> None:
        """Close the pooled connections (at shutdown, or before dropping the database)."""
        self._engine.dispose()

    def _connect(self) -> Connection:
        try:
            return self._engine.connect()
        except SQLAlchemyError as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> StoreError:
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        return StoreError(f"cannot use database {self.url}: {scrub(first_line, self._url)}")
