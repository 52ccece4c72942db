"""`busy_threads` counts the pool threads running a job, not the idle ones a pool keeps
(what `loopbot run` says it leaves behind when it stops)."""

from __future__ import annotations

import threading

from bot.entrypoints.scheduler import _runners, _runners_lock, tick
from bot.usecases.concurrency import Fanout, Worker, busy_threads


def test_a_running_job_counts_and_an_idle_thread_does_not() -> None:
    worker, fanout = Worker(4), Fanout(4)
    started, release = threading.Semaphore(0), threading.Event()

    def job() -> None:
        started.release()
        release.wait(30)

    try:
        assert worker.submit(lambda: None).result(5) is None  # a thread, now idle
        assert busy_threads() == 0
        worker.submit(job)
        behind = threading.Thread(target=fanout.at_once, args=(job, job))  # one on the pool
        behind.start()
        for _ in range(3):
            assert started.acquire(timeout=30)
        assert busy_threads() == 2  # Fanout's caller runs its first call itself
        release.set()
        behind.join(30)
        assert worker.drain(30)
        assert busy_threads() == 0
    finally:
        release.set()
        worker.shutdown()
        fanout.shutdown()


def test_the_scheduler_tick_counts_while_it_runs() -> None:
    seen: list[int] = []
    with _runners_lock:
        _runners["test-busy"] = lambda: seen.append(busy_threads())
    try:
        tick("test-busy")
    finally:
        with _runners_lock:
            _runners.pop("test-busy")
    assert seen == [1] and busy_threads() == 0
