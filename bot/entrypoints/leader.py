"""One scheduler per deployment, however many bot processes run: the process holding the
database lease "scheduler" runs it; the others wait to take over.

`SchedulerLeader(store, start, stop)` tries to take or renew the lease every
`renew_seconds` (and once at `begin()`): the holder starts the scheduler (`start()`) when
it gets the lease, and stops it (`stop(scheduler)`) when the lease went to another
process, or when the database could not be reached for as long as the lease lasts. A
process killed with SIGKILL stops renewing: another takes over at most `lease_seconds +
renew_seconds` later (40 s by default). `end()` stops the scheduler and lets the lease go,
so a clean restart hands over at once. Claims (bot/jobs) still make each occurrence happen
once if two schedulers ever overlap (a process paused past its lease).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.store import StoreError
from bot.usecases.ports import RecordStore

log = logging.getLogger("loopbot.scheduler")

LEASE = "scheduler"
LEASE_SECONDS = 30.0
RENEW_SECONDS = 10.0
Scheduler = TypeVar("Scheduler")


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SchedulerLeader(Generic[Scheduler]):
    def __init__(
        self, store: RecordStore, start: Callable[[], Scheduler],
        stop: Callable[[Scheduler], None], *, holder: str | None = None,
        lease_seconds: float = LEASE_SECONDS, renew_seconds: float = RENEW_SECONDS,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        if not 0 < renew_seconds < lease_seconds:
            raise ValueError(f"renew every {renew_seconds} s: more often than the lease "
                             f"lasts ({lease_seconds} s), and more than 0")
        self.holder = holder or this_process()
        self._store, self._start, self._stop = store, start, stop
        self._lease, self._renew = lease_seconds, renew_seconds
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._scheduler: Scheduler | None = None
        self._held_until: dt.datetime | None = None
        self._ending = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        """True while this process runs the scheduler."""
        return self._scheduler is not None

    def step(self) -> bool:
        """Take or renew the lease once; start or stop the scheduler to match. True when
        this process leads afterwards."""
        asked = self._clock()  # the lease runs from before the asking, to be safe
        try:
            held = self._store.hold_lease(LEASE, self.holder, self._lease)
        except StoreError as exc:
            log.warning("scheduler lease not renewed: %s", exc)
            held = self._held_until is not None and asked < self._held_until
        else:
            self._held_until = asked + dt.timedelta(seconds=self._lease) if held else None
        if held and self._scheduler is None:
            log.info("scheduler lease taken by %s: starting the scheduler", self.holder)
            self._scheduler = self._start()
        elif not held and self._scheduler is not None:
            log.warning("scheduler lease lost by %s: stopping the scheduler", self.holder)
            self._halt()
        return self.leading

    def begin(self) -> SchedulerLeader[Scheduler]:
        """Step now, then every `renew_seconds` in a daemon thread, until `end()`."""
        self.step()
        self._thread = threading.Thread(target=self._loop, name="loop-lease", daemon=True)
        self._thread.start()
        return self

    def end(self) -> None:
        self._ending.set()
        if self._thread is not None:
            self._thread.join(timeout=self._renew + 30)
        if self._scheduler is not None:
            self._halt()
            try:
                self._store.let_go(LEASE, self.holder)
            except StoreError as exc:
                log.warning("scheduler lease not let go (it expires by itself): %s", exc)

    def _loop(self) -> None:
        while not self._ending.wait(self._renew):
            try:
                self.step()
            except Exception:  # the loop must outlive one bad step: the next one retries
                log.exception("scheduler lease step failed")

    def _halt(self) -> None:
        scheduler, self._scheduler, self._held_until = self._scheduler, None, None
        assert scheduler is not None
        self._stop(scheduler)
