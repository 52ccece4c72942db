"""The use cases' pool for independent partner calls (bot/usecases/concurrency.py)."""

from __future__ import annotations

import threading

import pytest

from bot.usecases.concurrency import Fanout


def test_results_come_back_in_argument_order() -> None:
    fanout = Fanout(threads=4)
    try:
        assert fanout.at_once(lambda: "tags", lambda: "master head", lambda: "0.13.x head") \
            == ["tags", "master head", "0.13.x head"]
        assert fanout.map(lambda n: n * 2, [1100001, 1100002]) == [2200002, 2200004]
    finally:
        fanout.shutdown()


def test_calls_overlap_on_the_pool() -> None:
    fanout = Fanout(threads=2)
    both_running = threading.Barrier(3, timeout=10)  # passes only when all three overlap
    try:
        assert sorted(fanout.at_once(*(both_running.wait for _ in range(3)))) == [0, 1, 2]
    finally:
        fanout.shutdown()


def test_the_first_failure_in_argument_order_is_raised_after_every_call_finished() -> None:
    fanout = Fanout(threads=4)
    finished: list[str] = []
    release = threading.Event()

    def slow_ok() -> None:
        release.wait(10)
        finished.append("environment read")

    def fails(what: str) -> None:
        release.set()
        raise LookupError(what)

    try:
        with pytest.raises(LookupError, match="bug 1100001"):
            fanout.at_once(slow_ok, lambda: fails("bug 1100001"), lambda: fails("bug 1100002"))
        assert finished == ["environment read"]
    finally:
        fanout.shutdown()


def test_nested_use_on_a_full_pool_finishes() -> None:
    fanout = Fanout(threads=1)
    result: list[object] = []

    def inner(n: int) -> list[int]:
        return fanout.at_once(lambda: n, lambda: n + 1, lambda: n + 2)

    worker = threading.Thread(target=lambda: result.append(
        fanout.at_once(lambda: inner(0), lambda: inner(10), lambda: inner(20))))
    worker.start()
    worker.join(timeout=20)
    fanout.shutdown()
    assert result == [[[0, 1, 2], [10, 11, 12], [20, 21, 22]]]


def test_shutdown_does_not_wait_for_a_slow_call_and_its_caller_still_gets_every_result() -> None:
    fanout = Fanout(threads=1)
    started, release = threading.Event(), threading.Event()
    result: list[object] = []

    def slow_heartbeat() -> str:
        started.set()
        return "heartbeat 200" if release.wait(5) else "shutdown waited for it"

    caller = threading.Thread(target=lambda: result.append(fanout.at_once(
        lambda: started.wait(10) and "root", slow_heartbeat, lambda: "version")))
    caller.start()
    assert started.wait(10)
    fanout.shutdown()  # returns at once, while slow_heartbeat still runs
    release.set()
    caller.join(timeout=10)
    assert result == [["root", "heartbeat 200", "version"]]


def test_calls_handed_out_after_a_stop_shut_the_pool_run_on_the_caller() -> None:
    # A SIGTERM's shutdown can land between two submits of one at_once (seen in CI as
    # "cannot schedule new futures after shutdown"): the caller runs the rest itself.
    fanout = Fanout(threads=2)
    fanout._executor().shutdown()  # the pool at_once is about to use, shut meanwhile
    assert fanout.at_once(lambda: "root", lambda: "heartbeat", lambda: "version") == [
        "root", "heartbeat", "version"]
