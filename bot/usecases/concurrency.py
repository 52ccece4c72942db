"""Independent partner calls at once: one small bounded pool shared by the use cases.

A use case lists the partner calls it makes; those that do not depend on each other go
through `Fanout.at_once`, so a step costs the length of its chain of dependent calls, not
the sum of all of them (with partners 2 s late, `/loop envs` is one wait, not six).

Guarantees:
- `at_once(f, g, h)` returns `[f(), g(), h()]` in order, every call finished (none is
  left running behind the caller); when calls raise, the first failing one in argument
  order is raised, after all have finished.
- Bounded: at most `threads` calls run on the pool; the caller runs the first call
  itself, and any call the pool has not started by then, so nested use and a full pool
  slow things down but never deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
FANOUT_THREADS = 16


class Fanout:
    """A lazily started pool of `threads` threads for independent calls."""

    def __init__(self, threads: int = FANOUT_THREADS) -> None:
        self.threads = threads
        self._guard = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def at_once(self, *calls: Callable[[], Any]) -> list[Any]:
        """Run the calls concurrently; their results in argument order."""
        if len(calls) <= 1:
            return [call() for call in calls]
        pool = self._executor()
        futures = [_submit(pool, call) for call in calls[1:]]
        outcomes: list[tuple[Any, BaseException | None]] = [_attempt(calls[0])]
        for call, future in zip(calls[1:], futures, strict=True):
            if future is None or future.cancel():  # not started: run it here, not on a thread
                outcomes.append(_attempt(call))
                continue
            error = future.exception()
            outcomes.append((None, error) if error else (future.result(), None))
        for _, error in outcomes:
            if error is not None:
                raise error
        return [value for value, _ in outcomes]

    def map(self, call: Callable[[T], Any], items: Sequence[T]) -> list[Any]:
        """`call(item)` for every item at once; results in the items' order."""
        return self.at_once(*(_bind(call, item) for item in items))

    def shutdown(self) -> None:
        """Let the threads go without waiting for calls in flight (a stop must not wait for
        a slow partner); a caller still waiting runs its unstarted calls itself, and a
        later call starts a new pool."""
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _executor(self) -> ThreadPoolExecutor:
        with self._guard:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="loop-fanout")
            return self._pool


def _submit(pool: ThreadPoolExecutor, call: Callable[[], Any]) -> Future[Any] | None:
    try:
        return pool.submit(call)
    except RuntimeError:  # the pool was shut down meanwhile (a stop): the caller runs it
        return None


def _attempt(call: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    try:
        return call(), None
    except Exception as exc:  # re-raised by at_once, in argument order
        return None, exc


def _bind(call: Callable[[T], Any], item: T) -> Callable[[], Any]:
    return lambda: call(item)
