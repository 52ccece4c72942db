"""The unit of work: one transaction over the repositories of the bot's records.

    with store.unit_of_work() as uow:
        release = uow.releases.get("loop-server", "0.13.0")
        uow.releases.save(changed, expected_state=State.TAGGED)
        uow.audit.add(entry)
        uow.commit()                      # without this, everything rolls back

Repositories: `releases` (with their tickets), `audit` (the audit log and its bounded
history reads), `steps` (side effects recorded before and after), `loadtests` (windows
and results), `signoffs`.

It commits only when `commit()` is called; leaving the `with` block any other way (an
exception, or simply no commit) rolls back whatever was not committed. `commit()` may be
called more than once: each call keeps what was done so far (record a step as started,
commit, call the partner, finish the step, commit).

A write refused by a unique rule raises `AlreadyExists`, a save whose expected state no
longer holds raises `StaleRelease`; either way nothing of that write is stored and the
unit of work stays usable. On SQLite a unit of work holds the database's write lock from
its first statement to its end: keep it short, with no partner call inside.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection

from bot.store.audit import AuditLog
from bot.store.loadtest import LoadTests
from bot.store.release import Releases
from bot.store.session import Clock, Session
from bot.store.signoff import Signoffs
from bot.store.step import Steps


class UnitOfWork:
    def __init__(self, connect: Callable[[], Connection], clock: Clock) -> None:
        self._session = Session(connect, clock)
        self.releases = Releases(self._session)
        self.audit = AuditLog(self._session)
        self.steps = Steps(self._session)
        self.loadtests = LoadTests(self._session)
        self.signoffs = Signoffs(self._session)

    def __enter__(self) -> UnitOfWork:
        self._session.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.audit.forget_added()
        self._session.close()

    def commit(self) -> None:
        self._session.connection.commit()
        self.audit.log_added()

    def rollback(self) -> None:
        self._session.connection.rollback()
        self.audit.forget_added()
