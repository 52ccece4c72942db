"""The board's read cache: a value lives for its time to live; a little older it is served
at once while one background read refreshes it; much older it is read again; concurrent
askers of one key share one read; a failed read is not kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from bot.board.cache import ReadCache


class Timer:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counter(reads: list[int]) -> Callable[[], int]:
    def read() -> int:
        reads.append(1)
        return len(reads)

    return read


def eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return False


def test_a_value_is_served_as_is_within_its_time_to_live() -> None:
    timer = Timer()
    reads: list[int] = []
    cache = ReadCache(timer=timer)
    assert cache(("env", "stage"), 5.0, counter(reads)) == 1
    timer.now += 4.9
    assert cache(("env", "stage"), 5.0, counter(reads)) == 1
    assert len(reads) == 1


def test_a_little_older_it_is_served_at_once_and_refreshed_behind() -> None:
    timer = Timer()
    reads: list[int] = []
    cache = ReadCache(stale_for=60.0, timer=timer)
    cache(("env", "stage"), 5.0, counter(reads))
    timer.now += 6
    assert cache(("env", "stage"), 5.0, counter(reads)) == 1  # not waiting for the read
    assert eventually(lambda: cache(("env", "stage"), 5.0, counter(reads)) == 2)
    assert len(reads) == 2


def test_much_older_it_is_read_again_before_answering() -> None:
    timer = Timer()
    reads: list[int] = []
    cache = ReadCache(stale_for=60.0, timer=timer)
    cache(("env", "stage"), 5.0, counter(reads))
    timer.now += 66
    assert cache(("env", "stage"), 5.0, counter(reads)) == 2


def test_keys_and_times_to_live_are_kept_apart() -> None:
    timer = Timer()
    cache = ReadCache(stale_for=0.0, timer=timer)
    assert cache(("env", "stage"), 5.0, lambda: "0.13.1") == "0.13.1"
    assert cache(("env", "prod"), 5.0, lambda: "0.12.2") == "0.12.2"
    assert cache(("bugs", 1100001), 60.0, lambda: "VERIFIED") == "VERIFIED"
    timer.now += 10
    assert cache(("bugs", 1100001), 60.0, lambda: "NEW") == "VERIFIED"
    assert cache(("env", "stage"), 5.0, lambda: "0.13.2") == "0.13.2"


def test_a_time_to_live_of_zero_keeps_nothing() -> None:
    reads: list[int] = []
    cache = ReadCache()
    assert [cache(("env", "stage"), 0.0, counter(reads)) for _ in range(3)] == [1, 2, 3]


def test_a_failed_read_is_not_kept() -> None:
    cache = ReadCache()

    def broken() -> str:
        raise RuntimeError("Bugzilla answered 500")

    with pytest.raises(RuntimeError):
        cache(("bugs", 1), 10.0, broken)
    assert cache(("bugs", 1), 10.0, lambda: "back") == "back"


def test_a_failed_refresh_keeps_the_value_it_had() -> None:
    timer = Timer()
    cache = ReadCache(timer=timer)
    cache(("bugs", 1), 10.0, lambda: "VERIFIED")
    timer.now += 11
    tried = threading.Event()

    def broken() -> str:
        tried.set()
        raise RuntimeError("Bugzilla answered 500")

    assert cache(("bugs", 1), 10.0, broken) == "VERIFIED"
    assert tried.wait(5)
    assert cache(("bugs", 1), 10.0, broken) == "VERIFIED"


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
