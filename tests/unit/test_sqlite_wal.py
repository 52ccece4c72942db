"""Switching a new SQLite file to WAL while another process starting at the same moment
holds it: SQLite answers "database is locked" at once (no busy timeout), and the switch
is tried again instead of failing the start (bot/store/engine.py). Seen as 2-3 failed
upgrades in 160 when four processes upgraded one new file together."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store import engine


class Flaky:
    """A cursor whose journal-mode switch is refused `refusals` times, as SQLite does."""

    def __init__(self, refusals: int, message: str = "database is locked") -> None:
        self.refusals, self.message = refusals, message
        self.statements: list[str] = []

    def execute(self, statement: str) -> None:
        self.statements.append(statement)
        if self.refusals:
            self.refusals -= 1
            raise sqlite3.OperationalError(self.message)


def test_a_locked_database_is_switched_to_wal_once_it_is_free() -> None:
    cursor = Flaky(refusals=2)
    engine._into_wal(cursor)  # type: ignore[arg-type]
    assert cursor.statements == ["PRAGMA journal_mode = WAL"] * 3


def test_other_errors_are_not_retried() -> None:
    cursor = Flaky(refusals=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        engine._into_wal(cursor)  # type: ignore[arg-type]
    assert len(cursor.statements) == 1


def test_the_wait_ends_with_the_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_MS", 0)
    cursor = Flaky(refusals=100)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        engine._into_wal(cursor)  # type: ignore[arg-type]
    assert len(cursor.statements) == 1
