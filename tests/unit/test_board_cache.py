"""The board's read cache: a value lives for its time to live; concurrent askers of one
key share one read; a failed read is not kept."""

from __future__ import annotations

import threading
import time

import pytest

from bot.board.cache import ReadCache


class Timer:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_kept_for_its_time_to_live_then_read_again() -> None:
    timer, reads = Timer(), []
    cache = ReadCache(timer=timer)

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert cache(("env", "stage"), 5.0, read) == 1
    timer.now += 4.9
    assert cache(("env", "stage"), 5.0, read) == 1
    timer.now += 0.2
    assert cache(("env", "stage"), 5.0, read) == 2


def test_keys_and_times_to_live_are_kept_apart() -> None:
    timer = Timer()
    cache = ReadCache(timer=timer)
    assert cache(("env", "stage"), 5.0, lambda: "0.13.1") == "0.13.1"
    assert cache(("env", "prod"), 5.0, lambda: "0.12.2") == "0.12.2"
    assert cache(("bugs", 1100001), 60.0, lambda: "VERIFIED") == "VERIFIED"
    timer.now += 10
    assert cache(("bugs", 1100001), 60.0, lambda: "NEW") == "VERIFIED"
    assert cache(("env", "stage"), 5.0, lambda: "0.13.2") == "0.13.2"


def test_a_failed_read_is_not_kept() -> None:
    cache = ReadCache()

    def broken() -> str:
        raise RuntimeError("Bugzilla answered 500")

    with pytest.raises(RuntimeError):
        cache(("bugs", 1), 10.0, broken)
    assert cache(("bugs", 1), 10.0, lambda: "back") == "back"


def test_concurrent_askers_of_one_key_share_one_read() -> None:
    cache, reads, start = ReadCache(), [], threading.Barrier(8)

    def slow() -> str:
        reads.append(1)
        time.sleep(0.2)
        return "0.13.1"

    results: list[str] = []

    def ask() -> None:
        start.wait()
        results.append(cache(("env", "stage"), 5.0, slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["0.13.1"] * 8 and len(reads) == 1
