"""Clocks. Production reads the system clock; the sandbox and the tests use a
`ManualClock` that only moves when told (`!clock DATETIME` in the sandbox), so a whole
cycle can be rehearsed in seconds. Both are callables returning an aware UTC datetime.
"""

from __future__ import annotations

import datetime as dt
import threading


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ManualClock:
    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, moment: dt.datetime) -> None:
        """Move to `moment` (forwards only: the past has been acted on already)."""
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        with self._lock:
            if moment < self._now:
                raise ValueError("the clock only moves forwards "
                                 f"(now {self._now:%Y-%m-%d %H:%M} UTC)")
            self._now = moment.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        with self._lock:
            self._now += delta
            return self._now
