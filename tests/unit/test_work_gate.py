"""The app's executor holds a burst's work until its acks are sent (handlers/work.py):
held work is counted by `drain`, starts when the gate opens, and on a stop either starts
(a close) or is dropped unstarted (a quick stop)."""

from __future__ import annotations

import threading

import pytest

from bot.usecases.concurrency import Worker
from handlers.work import Traffic


def gated_worker() -> tuple[Worker, threading.Event, list[str]]:
    worker = Worker(max_workers=2, name="test-work")
    gate = threading.Event()
    worker.gate = lambda: gate.wait(10)
    return worker, gate, []


def test_held_work_starts_only_when_the_gate_opens() -> None:
    worker, gate, ran = gated_worker()
    worker.submit_gated(ran.append, "first")
    worker.submit_gated(ran.append, "second")

    assert not worker.drain(timeout=0.2)  # held work is pending work
    assert ran == []
    gate.set()
    assert worker.drain(timeout=5)
    assert sorted(ran) == ["first", "second"]
    worker.shutdown()


def test_without_a_gate_work_starts_at_once() -> None:
    worker = Worker(max_workers=1, name="test-work")
    ran: list[str] = []
    worker.submit_gated(ran.append, "now")
    assert worker.drain(timeout=5)
    assert ran == ["now"]
    worker.shutdown()


def test_a_close_starts_what_is_held() -> None:
    worker, _, ran = gated_worker()  # the gate never opens
    worker.submit_gated(ran.append, "held")
    worker.shutdown(wait=True)
    assert ran == ["held"]
    assert worker.drain(timeout=0)


def test_a_quick_stop_drops_what_is_held_unstarted() -> None:
    worker, gate, ran = gated_worker()
    worker.submit_gated(ran.append, "held")
    worker.shutdown(wait=False, cancel_futures=True)
    gate.set()
    assert worker.drain(timeout=5)  # nothing left pending
    assert ran == []


def test_nothing_is_held_after_a_stop() -> None:
    worker, _, _ = gated_worker()
    worker.shutdown()
    with pytest.raises(RuntimeError, match="after shutdown"):
        worker.submit_gated(print, "late")


def test_traffic_is_quiet_only_once_no_request_is_open() -> None:
    traffic = Traffic()
    traffic.begin()
    done = threading.Event()
    waiter = threading.Thread(target=_wait_then_set, args=(traffic, 10, done))
    waiter.start()
    assert not done.wait(0.2)  # a request is open: still waiting
    traffic.end()
    assert done.wait(5)
    waiter.join()


def test_traffic_waits_no_longer_than_its_limit() -> None:
    traffic = Traffic()
    traffic.begin()  # never answered
    done = threading.Event()
    waiter = threading.Thread(target=_wait_then_set, args=(traffic, 0.1, done))
    waiter.start()
    assert done.wait(5)
    waiter.join()


def _wait_then_set(traffic: Traffic, limit: float, done: threading.Event) -> None:
    traffic.wait_quiet(0.01, limit)
    done.set()
