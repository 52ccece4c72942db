"""What the delivery metrics read from the store (bot/store/metrics.py), on SQLite and
PostgreSQL: one service's steps of some kinds since a time, the releases named, and the
commit times kept per release."""

from __future__ import annotations

import datetime as dt

from bot.domain.audit import AuditEntry
from bot.domain.release import Env, Release, State, Ticket
from bot.store import Store

UTC = dt.UTC


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


def test_steps_since_a_time_of_some_kinds_for_one_service(store: Store) -> None:
    with store.unit_of_work() as uow:
        for action, version, when, service in [
            ("tag", "0.13.0", at(2), "loop-server"), ("deployed prod", "0.12.2", at(3),
                                                      "loop-server"),
            ("announce", "0.13.0", at(4), "loop-server"), ("tag", "0.13.1", at(10),
                                                           "loop-server"),
            ("tag", "0.4.0", at(11), "loop-client"), ("override deployed prod", "0.13.1",
                                                       at(12), "loop-server")]:
            uow.audit.add(AuditEntry(actor="U0DEV0001", action=action, service=service,
                                     version=version, at=when))
        uow.commit()
    found = store.metrics.steps_since("loop-server", ["tag", "override deployed prod",
                                              "deployed prod"], at(3))
    assert [(e.action, e.version, e.at) for e in found] == [
        ("deployed prod", "0.12.2", at(3)), ("tag", "0.13.1", at(10)),
        ("override deployed prod", "0.13.1", at(12))]


def test_releases_named_come_with_their_tickets(store: Store) -> None:
    with store.unit_of_work() as uow:
        for version, bug in (("0.13.0", 1100401), ("0.13.1", 1100402), ("0.14.0", 1100403)):
            uow.releases.add(Release("loop-server", version, State.DONE, tag=version,
                                    tickets=(Ticket(Env.STAGE, bug),),
                                    created_at=at(1), updated_at=at(1)))
        uow.commit()
    found = {r.version: r for r in store.metrics.releases_named("loop-server",
                                                        ["0.13.1", "0.14.0", "9.9.9"])}
    assert sorted(found) == ["0.13.1", "0.14.0"]
    assert found["0.14.0"].tickets == (Ticket(Env.STAGE, 1100403),)


def test_commit_times_are_kept_per_release_and_the_first_list_stays(store: Store) -> None:
    store.metrics.keep_commit_times("loop-server", {"0.13.0": [at(1), at(2, 15)], "0.13.1": []})
    store.metrics.keep_commit_times("loop-server", {"0.13.0": [at(5)]})
    assert store.metrics.commit_times("loop-server", ["0.13.0", "0.13.1", "0.14.0"]) == {
        "0.13.0": (at(1), at(2, 15)), "0.13.1": ()}
    assert store.metrics.commit_times("loop-client", ["0.13.0"]) == {}
