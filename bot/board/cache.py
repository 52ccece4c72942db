"""Keeps the board's slow reads (environments, Bugzilla statuses, GitHub history) for a
few seconds, so that every open board polling at once costs the partners one read, and
a poll never waits on a slow partner once the board has been read.

Guarantees:
- a value younger than its time to live is served as is;
- a value older than that but within `stale_for` seconds more is served at once while
  one background read refreshes it (the board is then at most one poll behind);
- older (or never read), the caller reads it; while one thread reads a key the others
  asking for it wait for that read instead of repeating it;
- a time to live of 0 keeps nothing; a read that raises is not kept;
- bounded in size (least recently used go first).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from cachetools import TLRUCache

T = TypeVar("T")
Key = tuple[Any, ...]


class ReadCache:
    def __init__(self, maxsize: int = 512, stale_for: float = 60.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.stale_for = stale_for
        self._timer = timer
        # Keys start with their time to live; each entry is (read at, value).
        self._values: TLRUCache[Key, tuple[float, Any]] = TLRUCache(
            maxsize, ttu=lambda key, _value, now: now + key[0] + stale_for, timer=timer)
        self._lock = threading.Lock()
        self._reading: dict[Key, threading.Lock] = {}

    def __call__(self, key: tuple[object, ...], ttl: float, read: Callable[[], T]) -> T:
        if ttl <= 0:
            return read()
        full = (ttl, *key)
        kept = self._get(full)
        if kept is not None:
            read_at, value = kept
            if self._timer() - read_at >= ttl:
                self._refresh_in_background(full, read)
            return value
        return self._read(full, read)

    def _read(self, key: Key, read: Callable[[], T]) -> T:
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            kept = self._get(key)
            if kept is not None and self._timer() - kept[0] < key[0]:
                return kept[1]
            try:
                value = read()
                with self._lock:
                    self._values[key] = (self._timer(), value)
            finally:
                with self._lock:
                    self._reading.pop(key, None)
            return value

    def _refresh_in_background(self, key: Key, read: Callable[[], Any]) -> None:
        with self._lock:
            if key in self._reading:
                return  # someone is reading it already
            reading = self._reading[key] = threading.Lock()
            reading.acquire()

        def refresh() -> None:
            try:
                with contextlib.suppress(Exception):  # kept as it is; the next poll retries
                    value = read()
                    with self._lock:
                        self._values[key] = (self._timer(), value)
            finally:
                with self._lock:
                    self._reading.pop(key, None)
                reading.release()

        threading.Thread(target=refresh, name="board-refresh", daemon=True).start()

    def _get(self, key: Key) -> tuple[float, Any] | None:
        with self._lock:
            return self._values.get(key)
