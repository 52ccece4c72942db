"""The store under races, on SQLite and a real PostgreSQL: a claim has exactly one winner
across threads and processes, a release is recorded once, and a save that raced another
is refused instead of overwriting it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import replace
from queue import Queue
from typing import Any

from bot.domain.release import Release, State
from bot.store import StaleRelease, Store
from tests.integration.racers import claim_in_process, racing_context

SERVICE = "loop-server"
RACERS = 8


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def tagged(version: str) -> Release:
    return Release(service=SERVICE, version=version, state=State.TAGGED, tag=version,
                   commit_sha="0d4c6a2e8f1b3d5c7e9a0b2c4d6e8f1a3b5c7d9e",
                   created_at=dt.datetime(2026, 12, 22, 9, 0, tzinfo=dt.UTC))


def test_exactly_one_of_eight_threads_wins_a_claim(store: Store) -> None:
    key = "announce:loop-server:2026-12-08"
    won = race(RACERS, lambda i: store.claim(key, f"scheduler-{i}"))
    assert sorted(won) == [False] * (RACERS - 1) + [True]
    assert store.claim(key, "scheduler-late") is False


def test_separate_keys_each_have_their_own_winner(store: Store) -> None:
    keys = ["announce:loop-server:2027-01-05", "remind:loop-server:2027-01-11"]
    won = race(RACERS, lambda i: (keys[i % 2], store.claim(keys[i % 2], f"worker-{i}")))
    assert sorted(key for key, claimed in won if claimed) == sorted(keys)


def test_exactly_one_of_three_processes_wins_a_claim(store: Store, store_url: str) -> None:
    context = racing_context()
    start, results = context.Barrier(3), context.Queue()
    key = "slack-retry:Ev08MFMKH6:1"
    processes = [
        context.Process(target=claim_in_process,
                        args=(store_url, key, f"process-{i}", start, results))
        for i in range(3)
    ]
    for process in processes:
        process.start()
    won = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert sorted(won) == [False, False, True]
    assert store.claim(key, "this-process") is False


def test_a_release_raced_by_two_commands_is_recorded_once(store: Store) -> None:
    def tag(_: int) -> Release:
        with store.unit_of_work() as uow:
            stored = uow.releases.add(tagged("0.21.0"))
            uow.commit()
        return stored

    outcomes = race(2, tag)
    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyExists", "Release"]


def test_a_save_racing_an_uncommitted_save_waits_and_is_refused(store: Store) -> None:
    with store.unit_of_work() as uow:
        stored = uow.releases.add(tagged("0.21.1"))
        uow.commit()
    outcome: Queue[object] = Queue()

    def reject() -> None:
        try:
            with store.unit_of_work() as uow:
                uow.releases.save(replace(stored, state=State.REJECTED, rejected_for=1110001),
                                 expected_state=State.TAGGED)
                uow.commit()
            outcome.put("saved")
        except StaleRelease as exc:
            outcome.put(exc)

    with store.unit_of_work() as first:
        first.releases.save(replace(stored, state=State.STAGE_REQUESTED),
                           expected_state=State.TAGGED)
        second = threading.Thread(target=reject)
        second.start()
        second.join(timeout=0.3)
        assert second.is_alive(), "the second save must wait for the first to finish"
        first.commit()
    second.join(timeout=30)
    assert isinstance(outcome.get(timeout=1), StaleRelease)
    with store.unit_of_work() as uow:
        found = uow.releases.get(SERVICE, "0.21.1")
    assert found is not None and found.state is State.STAGE_REQUESTED


def test_a_step_started_by_racing_threads_has_one_record(store: Store) -> None:
    key = "loop-server:0.21.2:stage-ticket:1"

    def start(_: int) -> object:
        with store.unit_of_work() as uow:
            record = uow.steps.start(key)
            uow.commit()
        return record

    records = race(4, start)
    assert all(r == records[0] for r in records)
    assert records[0].status == "started"
