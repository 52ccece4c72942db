"""The connection a unit of work's repositories share: opened when the `with` block
starts, closed when it ends. Each repository reads and writes through it, so all of them
are one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, RowMapping

from bot.store.errors import StoreError

Clock = Callable[[], dt.datetime]


class Session:
    def __init__(self, connect: Callable[[], Connection], clock: Clock) -> None:
        self._connect = connect
        self.clock = clock
        self._conn: Connection | None = None

    def open(self) -> None:
        self._conn = self._connect()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.rollback()
            finally:
                conn.close()

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise StoreError("use the unit of work inside `with store.unit_of_work() as uow:`")
        return self._conn

    @property
    def dialect(self) -> str:
        return self.connection.dialect.name

    def execute(self, statement: Executable) -> Any:
        return self.connection.execute(statement)

    def rows(self, statement: Executable) -> Sequence[RowMapping]:
        return self.execute(statement).mappings().all()
