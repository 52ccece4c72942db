"""The scheduler's lease on SQLite and a real PostgreSQL: one holder at a time, renewed by
its holder, taken over once it expires, handed over at once when let go; and the leader
that starts and stops the scheduler to match, on a ManualClock (no sleeping)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.entrypoints.leader import LEASE, SchedulerLeader
from bot.store import Store
from tests.fixtures.store import migrated_sqlite_url
from tests.integration.test_store_concurrency import RACERS, race

START = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def timed_store(store_url: str, clock: ManualClock) -> Iterator[Store]:
    built = Store(store_url, clock=clock)
    yield built
    built.dispose()


def test_a_lease_has_one_holder_until_it_expires(timed_store: Store, clock: ManualClock) -> None:
    assert timed_store.hold_lease(LEASE, "bot-a:101", 30) is True
    assert timed_store.hold_lease(LEASE, "bot-b:202", 30) is False
    clock.set(START + dt.timedelta(seconds=20))
    assert timed_store.hold_lease(LEASE, "bot-a:101", 30) is True  # renewed until 09:00:50
    clock.set(START + dt.timedelta(seconds=45))
    assert timed_store.hold_lease(LEASE, "bot-b:202", 30) is False
    assert timed_store.lease_holder(LEASE) == "bot-a:101"
    clock.set(START + dt.timedelta(seconds=50))  # bot-a stopped renewing: expired
    assert timed_store.lease_holder(LEASE) is None
    assert timed_store.hold_lease(LEASE, "bot-b:202", 30) is True
    assert timed_store.hold_lease(LEASE, "bot-a:101", 30) is False
    assert timed_store.lease_holder(LEASE) == "bot-b:202"


def test_a_lease_let_go_is_taken_at_once(timed_store: Store) -> None:
    assert timed_store.hold_lease(LEASE, "bot-a:101", 30)
    timed_store.let_go(LEASE, "bot-b:202")  # not its lease: nothing changes
    assert timed_store.lease_holder(LEASE) == "bot-a:101"
    timed_store.let_go(LEASE, "bot-a:101")
    assert timed_store.hold_lease(LEASE, "bot-b:202", 30)


def test_one_of_eight_racers_gets_a_free_lease_and_one_an_expired_one(
    timed_store: Store, clock: ManualClock
) -> None:
    won = race(RACERS, lambda i: timed_store.hold_lease(LEASE, f"bot-{i}:1{i}", 30))
    assert sorted(won) == [False] * (RACERS - 1) + [True]
    clock.set(START + dt.timedelta(minutes=5))
    won = race(RACERS, lambda i: timed_store.hold_lease(LEASE, f"late-{i}:2{i}", 30))
    assert sorted(won) == [False] * (RACERS - 1) + [True]


class Schedulers:
    """What the leaders started and stopped (the real scheduler is bot/entrypoints/scheduler.py's,
    exercised by test_two_replicas.py; here only the lease's decisions are counted)."""

    def __init__(self) -> None:
        self.running: list[str] = []

    def leader(self, store: Store, name: str, clock: ManualClock) -> SchedulerLeader[str]:
        return SchedulerLeader(store, lambda: self._start(name), self.running.remove,
                               holder=name, lease_seconds=30, renew_seconds=10, clock=clock)

    def _start(self, name: str) -> str:
        self.running.append(name)
        return name


def test_two_leaders_run_one_scheduler_and_the_second_takes_over_when_the_first_hangs(
    timed_store: Store, clock: ManualClock
) -> None:
    schedulers = Schedulers()
    first = schedulers.leader(timed_store, "bot-a:101", clock)
    second = schedulers.leader(timed_store, "bot-b:202", clock)
    for seconds in (0, 10, 20):  # both renew on time: only the first leads
        clock.set(START + dt.timedelta(seconds=seconds))
        assert (first.step(), second.step()) == (True, False)
        assert schedulers.running == ["bot-a:101"]
    for seconds in (30, 40):  # the first hangs: its lease runs until 09:00:50
        clock.set(START + dt.timedelta(seconds=seconds))
        assert second.step() is False
    clock.set(START + dt.timedelta(seconds=50))
    assert second.step() is True
    assert schedulers.running == ["bot-a:101", "bot-b:202"]
    clock.set(START + dt.timedelta(seconds=55))
    assert first.step() is False  # it wakes up, finds the lease gone, stops its scheduler
    assert schedulers.running == ["bot-b:202"]


def test_a_leader_that_ends_hands_over_at_once(timed_store: Store, clock: ManualClock) -> None:
    schedulers = Schedulers()
    first = schedulers.leader(timed_store, "bot-a:101", clock)
    second = schedulers.leader(timed_store, "bot-b:202", clock)
    assert first.step() and not second.step()
    first.end()
    assert schedulers.running == []
    assert second.step() is True
    assert schedulers.running == ["bot-b:202"]


def test_a_lease_renewed_less_often_than_it_lasts_is_refused(timed_store: Store) -> None:
    with pytest.raises(ValueError, match="more often than the lease lasts"):
        SchedulerLeader(timed_store, lambda: None, lambda _: None, lease_seconds=10,
                        renew_seconds=10)


def test_a_leader_keeps_its_scheduler_through_a_short_outage_and_stops_after_its_lease(
    tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "loopbot.db"
    store = Store(migrated_sqlite_url(path), clock=clock)
    schedulers = Schedulers()
    leader = schedulers.leader(store, "bot-a:101", clock)
    try:
        assert leader.step() is True  # holds until 09:00:30
        path.rename(tmp_path / "away.db")
        path.mkdir()  # the database cannot be opened any more
        store.dispose()
        clock.set(START + dt.timedelta(seconds=20))
        assert leader.step() is True and schedulers.running == ["bot-a:101"]
        assert "scheduler lease not renewed: cannot use database" in caplog.text
        clock.set(START + dt.timedelta(seconds=30))  # its lease has run out meanwhile
        assert leader.step() is False and schedulers.running == []
        path.rmdir()
        (tmp_path / "away.db").rename(path)
        clock.set(START + dt.timedelta(seconds=40))
        assert leader.step() is True and schedulers.running == ["bot-a:101"]
    finally:
        store.dispose()
