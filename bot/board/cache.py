"""Keeps the board's slow reads (environments, Bugzilla statuses, GitHub history) for a
few seconds, so that every open board polling at once costs the partners one read.

Guarantees: a value is served until its time to live is over, then read again; while one
thread reads a key, the others asking for it wait for that read instead of repeating it.
A read that raises is not kept. Bounded in size (least recently used go first).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from cachetools import TLRUCache

T = TypeVar("T")


class ReadCache:
    def __init__(self, maxsize: int = 512, timer: Callable[[], float] = time.monotonic) -> None:
        # Keys start with their time to live, so each kind of read expires on its own.
        self._values: TLRUCache[tuple[Any, ...], Any] = TLRUCache(
            maxsize, ttu=lambda key, _value, now: now + key[0], timer=timer)
        self._lock = threading.Lock()
        self._reading: dict[tuple[Any, ...], threading.Lock] = {}

    def __call__(self, key: tuple[object, ...], ttl: float, read: Callable[[], T]) -> T:
        full = (ttl, *key)
        found, value = self._get(full)
        if found:
            return value
        with self._lock:
            reading = self._reading.setdefault(full, threading.Lock())
        with reading:
            found, value = self._get(full)
            if found:
                return value
            try:
                value = read()
                with self._lock:
                    self._values[full] = value
            finally:
                with self._lock:
                    self._reading.pop(full, None)
            return value

    def _get(self, key: tuple[Any, ...]) -> tuple[bool, Any]:
        with self._lock:
            try:
                return True, self._values[key]
            except KeyError:
                return False, None
