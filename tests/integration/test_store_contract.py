"""FakeStore (tests/fakes/store.py) against the real Store on SQLite: the same unit-of-work
calls give the same records and the same errors, so use-case tests on the fake cannot
pass where the database would refuse."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.domain.audit import AuditEntry
from bot.domain.loadtest import Window
from bot.domain.release import Env, Release, State, Ticket
from bot.domain.signoff import Signoff
from bot.store import AlreadyExists, StaleRelease, Store, StoreError
from bot.usecases import ports
from tests.fakes.store import FakeStore
from tests.fixtures.store import sqlite_url
from tests.unit.test_store_ports import _methods

AT = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def real(tmp_path: Path) -> Iterator[Store]:
    built = Store(sqlite_url(tmp_path), clock=lambda: AT)
    yield built
    built.dispose()


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except StoreError as exc:
        return type(exc)


def same(fake: FakeStore, real: Store, work: Callable[[Any], Any], *,
         commit: bool = True) -> Any:
    """`work(uow)` in a unit of work of each store (committed unless told not to)."""
    answers = []
    for store in (real, fake):
        with store.unit_of_work() as uow:
            answers.append(outcome(partial(work, uow)))
            if commit:
                uow.commit()
    assert answers[1] == answers[0]
    return answers[0]


def test_releases_are_unique_saved_against_their_state_and_kept_only_when_committed(
    real: Store,
) -> None:
    fake = FakeStore(clock=lambda: AT)
    release = Release("loop-server", "0.13.0", State.TAGGED, tag="0.13.0",
                      tickets=(Ticket(Env.STAGE, 1100001),))
    same(fake, real, lambda u: u.releases.add(release), commit=False)
    assert same(fake, real, lambda u: u.releases.get("loop-server", "0.13.0")) is None
    same(fake, real, lambda u: u.releases.add(release))
    assert same(fake, real, lambda u: u.releases.add(release)) is AlreadyExists
    requested = Release("loop-server", "0.13.0", State.STAGE_REQUESTED, tag="0.13.0",
                        tickets=(Ticket(Env.PROD, 1100002),))
    same(fake, real, lambda u: u.releases.save(requested, expected_state=State.TAGGED))
    assert same(fake, real, lambda u: u.releases.save(
        requested, expected_state=State.TAGGED)) is StaleRelease
    assert same(fake, real, lambda u: u.releases.save(
        Release("loop-server", "0.99.0", State.TAGGED))) is StoreError
    clash = Release("loop-server", "0.13.0", State.STAGE_REQUESTED,
                    tickets=(Ticket(Env.STAGE, 1100009),))
    assert same(fake, real, lambda u: u.releases.save(clash)) is AlreadyExists
    stored = same(fake, real, lambda u: u.releases.get("loop-server", "0.13.0"))
    assert stored.state is State.STAGE_REQUESTED and len(stored.tickets) == 2
    assert same(fake, real, lambda u: [r.version for r in u.releases.find(
        "loop-server", [State.STAGE_REQUESTED])]) == ["0.13.0"]
    assert same(fake, real, lambda u: u.releases.find("loop-client")) == []


def test_audit_steps_windows_signoffs_and_claims_alike(real: Store) -> None:
    fake = FakeStore(clock=lambda: AT)
    entry = AuditEntry("U0DEV0001", "tag", "loop-server", "0.13.0", request_id="req-1", at=AT)
    same(fake, real, lambda u: u.audit.add(entry))
    same(fake, real, lambda u: u.audit.add(AuditEntry("U0QA00001", "verify stage",
                                                      "loop-server", "0.13.0", at=AT)))
    assert same(fake, real, lambda u: [e.action for e in u.audit.find("loop-server", "0.13.0")]) \
        == ["tag", "verify stage"]
    same(fake, real, lambda u: u.audit.last("loop-server", "tag", "U0DEV0001").request_id)
    assert same(fake, real, lambda u: u.audit.count("loop-server", "tag", "U0DEV0001")) == 1
    same(fake, real, lambda u: u.audit.first_of_request("req-1", "tag").actor)

    assert same(fake, real, lambda u: u.steps.finish("tag:0.13.0", {})) is StoreError
    assert same(fake, real, lambda u: u.steps.start("tag:0.13.0").done) is False
    same(fake, real, lambda u: u.steps.finish("tag:0.13.0", {"sha": "abc"}).result)
    assert same(fake, real, lambda u: u.steps.finish("tag:0.13.0", {"sha": "other"}).result) \
        == {"sha": "abc"}  # a step done keeps its first result

    window = Window("loop-server", "0.13.0", AT, AT + dt.timedelta(hours=2), ("TokBox",),
                    "U0QA00001")
    assert same(fake, real, lambda u: u.loadtests.add_window(window)[1]) is True
    assert same(fake, real, lambda u: u.loadtests.add_window(window)[1]) is False
    assert same(fake, real, lambda u: len(u.loadtests.windows("loop-server", ending_after=AT))) == 1
    signoff = Signoff("loop-server", "0.13.0", "TokBox", "U0QA00001")
    assert same(fake, real, lambda u: u.signoffs.add(signoff, AT)) is True
    assert same(fake, real, lambda u: u.signoffs.add(signoff, AT)) is False
    assert same(fake, real, lambda u: u.signoffs.find("loop-server", "0.13.0")) == [signoff]

    for store in (real, fake):
        assert store.claim("announce:loop-server:2026-12-08", "a") is True
        assert store.claim("announce:loop-server:2026-12-08", "a") is False
        assert store.claim("announce:loop-server:2026-12-08", "b") is False


def test_the_fake_unit_of_work_has_the_ports_repositories_and_parameters() -> None:
    repositories = {name: inspect.get_annotations(member.fget)["return"]
                    for name, member in vars(ports.UnitOfWork).items()
                    if isinstance(member, property) and member.fget is not None}
    assert repositories
    with FakeStore().unit_of_work() as uow:
        for name, kind in repositories.items():
            port = getattr(ports, kind)
            for method, signature in _methods(port).items():
                found = inspect.signature(getattr(getattr(uow, name), method))
                assert list(found.parameters) == list(signature.parameters)[1:], method


def test_units_of_work_open_together_keep_each_others_commits() -> None:
    """The fake's own guarantee (rows in the database keep every committed write): a unit
    of work that committed does not lose what another committed meanwhile."""
    fake = FakeStore(clock=lambda: AT)
    with fake.unit_of_work() as first, fake.unit_of_work() as second:
        first.releases.add(Release("loop-server", "0.13.0", State.TAGGED))
        second.audit.add(AuditEntry("U0DEV0001", "tag", "loop-server", "0.13.0", at=AT))
        second.commit()
        first.commit()
    with fake.unit_of_work() as uow:
        assert uow.releases.get("loop-server", "0.13.0") is not None
        assert [e.action for e in uow.audit.find("loop-server")] == ["tag"]


def test_leases_and_the_metrics_reads_alike(tmp_path: Path) -> None:
    now = [AT]
    real = Store(sqlite_url(tmp_path), clock=lambda: now[0])
    fake = FakeStore(clock=lambda: now[0])
    try:
        for store in (real, fake):
            now[0] = AT
            assert store.hold_lease("scheduler", "a", 30) is True
            assert store.hold_lease("scheduler", "b", 30) is False
            assert store.lease_holder("scheduler") == "a"
            now[0] = AT + dt.timedelta(seconds=31)
            assert store.lease_holder("scheduler") is None
            assert store.hold_lease("scheduler", "b", 30) is True
            store.let_go("scheduler", "a")  # not a's: nothing changes
            assert store.lease_holder("scheduler") == "b"
            store.let_go("scheduler", "b")
            assert store.lease_holder("scheduler") is None
        release = Release("loop-server", "0.13.0", State.TAGGED)
        same(fake, real, lambda u: u.releases.add(release))
        same(fake, real, lambda u: u.audit.add(AuditEntry("U0DEV0001", "tag", "loop-server",
                                                          "0.13.0", at=AT)))
        for store in (real, fake):
            store.metrics.keep_commit_times("loop-server", {"0.13.0": [AT]})
            store.metrics.keep_commit_times("loop-server", {"0.13.0": [now[0]]})  # kept once
        for read in (lambda m: [e.action for e in m.steps_since("loop-server", ["tag"], AT)],
                     lambda m: [r.version for r in m.releases_named("loop-server",
                                                                    ["0.13.0", "0.1.0"])],
                     lambda m: m.commit_times("loop-server", ["0.13.0", "0.1.0"])):
            assert read(fake.metrics) == read(real.metrics)
    finally:
        real.dispose()
