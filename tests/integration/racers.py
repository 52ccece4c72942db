"""Processes released together for the race tests (tests/integration/test_migrations.py,
test_store_concurrency.py): each is a process of its own, with its own connections, forked
from Python's forkserver, which has imported this module (so SQLAlchemy, SQLModel and
Alembic) once. A spawned racer imported them again: about 1 s of CPU each.

The forkserver is one clean, single-threaded process per test process, started by the
first racer; it forks nothing of pytest's threads or open connections."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext
from multiprocessing.synchronize import Barrier

from bot.store import Store
from bot.store.schema import upgrade


def racing_context() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # read when the server starts, once
    return context


def upgrade_in_process(url: str, start: Barrier, results: multiprocessing.Queue) -> None:
    start.wait(timeout=60)
    try:
        results.put(upgrade(url).current)
    except Exception as exc:  # handed to the test: any failure is the bug
        results.put(f"{type(exc).__name__}: {exc}")


def claim_in_process(url: str, key: str, owner: str, start: Barrier,
                     results: multiprocessing.Queue) -> None:
    store = Store(url)
    start.wait(timeout=30)
    results.put(store.claim(key, owner))
    store.dispose()
