"""`Store`: the bot's own database, on SQLite (default) or PostgreSQL (by URL).

Building a Store checks that the database can be reached; it never creates or changes the
schema: `loopbot db upgrade` does (bot/store/schema.py). Work on releases, audit, steps,
load tests and sign-offs goes through `store.unit_of_work()` (bot/store/uow.py);
`store.claim(key, owner)` is its own transaction and is true for exactly one caller per
key, across threads and processes; `store.hold_lease(name, holder, seconds)` gives a
lease to one holder at a time until it expires; `store.offer` records a confirmation
offered and `store.offered(key)` finds it; `store.commit_files` keeps the files each
commit changes (bot/store/commit_files.py); the delivery metrics read through
`store.metrics` (bot/store/metrics.py).
No message raised or logged by the store shows the database password.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import TYPE_CHECKING

from sqlalchemy import Connection, case, literal, or_, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.offer import Offer
from bot.store.commit_files import CommitFiles
from bot.store.engine import build_engine, insert_ignoring, masked, parse_url, scrub
from bot.store.errors import StoreError, Unreachable
from bot.store.metrics import MetricsReads
from bot.store.session import Clock
from bot.store.tables import claims, leases, offers
from bot.store.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.config.settings import Settings


TAKEN_KEPT = 4096  # claim keys remembered as taken: a tick asks again for a few dozen


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    def __init__(self, url: str | URL, *, clock: Clock = utc_now) -> None:
        self._url = parse_url(url) if isinstance(url, str) else url
        self._clock = clock
        self._engine = build_engine(self._url)
        try:
            self._connect().close()
        except StoreError:
            self._engine.dispose()
            raise
        self._taken: OrderedDict[str, None] = OrderedDict()  # claims seen taken (`claim`)
        self.commit_files = CommitFiles(self._connect, clock)
        self.metrics = MetricsReads(self._connect, clock)

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
        if key in self._taken:  # a claim is never undone: no write to learn it again
            return False
        values = {"key": key, "owner": owner, "claimed_at": self._clock()}
        insert = insert_ignoring(self.dialect, claims, values, ["key"]).returning(claims.c.id)
        with self._connect() as conn:
            won = conn.execute(insert).first() is not None
            conn.commit()
        self._remember_taken(key)
        return won

    def _remember_taken(self, key: str) -> None:
        self._taken[key] = None
        if len(self._taken) > TAKEN_KEPT:
            self._taken.popitem(last=False)

    def hold_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease `name` for `holder` until `seconds` from now: True when
        `holder` holds it now (it was free, expired, or `holder`'s own), False while
        another holder's lease runs. At most one holder at any instant, across processes
        (the clocks of the processes must agree to well within `seconds`)."""
        now = self._clock()
        until = now + dt.timedelta(seconds=seconds)
        mine_or_free = or_(leases.c.holder == holder, leases.c.expires_at <= now)
        renew = (update(leases).where(leases.c.name == name, mine_or_free)
                 .values(holder=holder, expires_at=until, acquired_at=case(
                     (leases.c.holder == holder, leases.c.acquired_at),
                     else_=literal(now, leases.c.acquired_at.type)))
                 .returning(leases.c.name))
        first = {"name": name, "holder": holder, "acquired_at": now, "expires_at": until}
        take = insert_ignoring(self.dialect, leases, first, ["name"]).returning(leases.c.name)
        with self._connect() as conn:
            held = conn.execute(renew).first() is not None or conn.execute(take).first() is not None
            conn.commit()
        return held

    def let_go(self, name: str, holder: str) -> None:
        """End `holder`'s lease now, so another process may take it at once."""
        expire = (update(leases).where(leases.c.name == name, leases.c.holder == holder)
                  .values(expires_at=self._clock()))
        with self._connect() as conn:
            conn.execute(expire)
            conn.commit()

    def lease_holder(self, name: str) -> str | None:
        """Who holds the lease `name` now (None when free or expired)."""
        query = select(leases.c.holder).where(leases.c.name == name,
                                              leases.c.expires_at > self._clock())
        with self._connect() as conn:
            return conn.execute(query).scalar()

    def offer(self, offer: Offer) -> None:
        """Record a confirmation the bot is offering."""
        values = {"key": offer.id, "action": offer.action, "service": offer.service,
                  "version": offer.version, "sha": offer.sha, "reason": offer.reason,
                  "detail": offer.detail,
                  "offered_to": offer.offered_to, "offered_at": self._clock(),
                  "expires_at": offer.expires_at}
        with self._connect() as conn:
            conn.execute(offers.insert().values(**values))
            conn.commit()

    def offered(self, key: str) -> Offer | None:
        """The confirmation offered under `key`, or None if there never was one."""
        with self._connect() as conn:
            row = conn.execute(select(offers).where(offers.c.key == key)).first()
        if row is None:
            return None
        return Offer(row.key, row.action, row.service, row.version, row.offered_to,
                     row.expires_at, row.sha, row.reason, row.detail)

    def dispose(self) -> None:
        """Close the pooled connections (at shutdown, or before dropping the database)."""
        self._engine.dispose()

    def _connect(self) -> Connection:
        try:
            return self._engine.connect()
        except Unreachable as exc:  # said by the engine's hook; the driver's error dropped
            raise Unreachable(str(exc)) from None
        except SQLAlchemyError as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> StoreError:
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        return Unreachable(f"cannot use database {self.url}: {scrub(first_line, self._url)}")
