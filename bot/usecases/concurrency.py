"""The thread pools: independent partner calls at once (`Fanout`, one small bounded pool
shared by the use cases), the app's own work after a Slack ack (`Worker`, an executor that
says when all its work is done and can hold work behind a gate), and one lock per release
(`KeyedLocks`).

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

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
FANOUT_THREADS = 16
log = logging.getLogger("loopbot.slack")
# How many pool threads run a job now (an idle pool thread is alive but does nothing):
# what a stop leaves behind (bot/entrypoints/cli.py says so).
_working = 0
_working_lock = threading.Lock()


def busy_threads() -> int:
    """Threads of this process's pools (and the scheduler's tick) running a job now."""
    with _working_lock:
        return _working


def working(call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)`, the current thread counted busy meanwhile: what a pool
    thread runs (Worker, Fanout, the scheduler's tick)."""
    global _working
    with _working_lock:
        _working += 1
    try:
        return call(*args, **kwargs)
    finally:
        with _working_lock:
            _working -= 1


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
        return pool.submit(working, call)
    except RuntimeError:  # the pool was shut down meanwhile (a stop): the caller runs it
        return None


def _attempt(call: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    try:
        return call(), None
    except Exception as exc:  # re-raised by at_once, in argument order
        return None, exc


def _bind(call: Callable[[T], Any], item: T) -> Callable[[], Any]:
    return lambda: call(item)


class KeyedLocks:
    """One lock per key (a release): steps on the same release run one after the other in
    this process, so a double click meets the state the first click left."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def __call__(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


Gate = Callable[[], object]  # returns (anything) when held work may start


class Worker(ThreadPoolExecutor):
    """An executor that can say when everything submitted to it has finished. The app's
    own work runs on one; Bolt's listeners run on another (so a test or the sandbox chat
    can wait for a request's whole effect: `LoopApp.drain`).

    `submit_gated` holds work until `gate` returns (Runtime's: the burst of requests under
    way is acknowledged). Held work wakes no thread on the ack path but, once per burst,
    the one gatekeeper: a burst's acks never share the interpreter with fifty threads
    starting its work (bench/ack_burst.py)."""

    def __init__(self, max_workers: int = 16, name: str = "loop-work") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self.gate: Gate | None = None
        self._name = name
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._arrived = threading.Condition(self._lock)
        self._pending = 0  # submitted (held or not) and not finished
        self._held: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self._gatekeeper: threading.Thread | None = None
        self._closing = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self._pending += 1
        return self._start(fn, args, kwargs)

    def submit_gated(self, fn: Callable[..., Any], /, *args: Any) -> None:
        """Run `fn(*args)` once the gate opens (at once when there is no gate)."""
        if self.gate is None:
            self.submit(fn, *args)
            return
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._pending += 1
            self._held.append((fn, args))
            if self._gatekeeper is None:
                self._gatekeeper = threading.Thread(target=self._keep_gate, daemon=True,
                                                    name=f"{self._name}-gate")
                self._gatekeeper.start()
            self._arrived.notify()

    def _keep_gate(self) -> None:
        assert self.gate is not None
        while True:
            with self._lock:
                self._arrived.wait_for(lambda: self._held or self._closing)
                if not self._held:
                    return
            self.gate()
            with self._lock:
                batch, self._held = self._held, []
            for fn, args in batch:
                try:
                    self._start(fn, args, {})
                except RuntimeError:  # shut down meanwhile: it claimed nothing
                    log.warning("stopping: a request's work was dropped unstarted")

    def _start(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
               ) -> Future[Any]:
        try:
            future = super().submit(working, fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: Future[Any] | None) -> None:
        with self._lock:
            self._pending -= 1
            self._idle.notify_all()

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until no job is pending (held ones included); False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Held work starts now, or with `cancel_futures` is dropped unstarted (it claimed
        nothing: repeating the command does it)."""
        with self._lock:
            self._closing = True
            held, self._held = self._held, []
            self._arrived.notify_all()
        for fn, args in held:
            if cancel_futures:
                self._finished(None)
            else:
                self._start(fn, args, {})
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
