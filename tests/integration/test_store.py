"""The store on SQLite and on a real PostgreSQL: what goes in comes out, unique rules hold,
the unit of work commits only when told, and no password shows in an error."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config.settings import settings_from_dict
from bot.domain.audit import AuditEntry
from bot.domain.release import Env, Kind, Release, State, Ticket
from bot.store import AlreadyExists, StaleRelease, Store, StoreError

SERVICE = "loop-server"
TAGGED_AT = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


def tagged(version: str, **fields: object) -> Release:
    defaults: dict[str, object] = {
        "commit_sha": "5f1c0a3e9b7d4c2a8e6f1b0d3c5a7e9f2b4d6c8a",
        "tag": version,
        "branch": "master",
        "created_at": TAGGED_AT,
        "state": State.TAGGED,
    }
    return Release(service=SERVICE, version=version,
                   **{**defaults, **fields})  # type: ignore[arg-type]


def add(store: Store, release: Release) -> Release:
    with store.unit_of_work() as uow:
        stored = uow.releases.add(release)
        uow.commit()
    return stored


def read(store: Store, version: str, service: str = SERVICE) -> Release | None:
    with store.unit_of_work() as uow:
        return uow.releases.get(service, version)


def test_release_with_tickets_round_trips(store: Store) -> None:
    release = tagged(
        "0.13.0", previous_version="0.12.3", fixed_bugs=(1094662, 1087041),
        flagged_bugs=(1069654,), blockers=(1101122,), notes="0.13.0 (2026-12-08)\n---",
        tickets=(Ticket(Env.STAGE, 1105001), Ticket(Env.STAGE, 1105002, attempt=2),
                 Ticket(Env.PROD, 1105010)),
    )
    stored = add(store, release)
    assert stored.id is not None
    assert stored.updated_at is not None and stored.updated_at.tzinfo is not None
    assert stored == replace(release, updated_at=stored.updated_at)
    assert read(store, "0.13.0") == stored
    assert stored.ticket(Env.STAGE) == Ticket(Env.STAGE, 1105002, attempt=2)


def test_service_change_without_tag_round_trips(store: Store) -> None:
    change = Release(service=SERVICE, version="0.13.0-config.1", state=State.STAGE_REQUESTED,
                     kind=Kind.SERVICE, summary="raise the token pool to 400",
                     rejected_for=1106230, superseded_by="0.13.0-config.2")
    assert read(store, "0.13.0-config.1") is None
    assert add(store, change) == read(store, "0.13.0-config.1")


def test_second_release_of_the_same_version_is_refused(store: Store) -> None:
    first = add(store, tagged("0.14.0"))
    with store.unit_of_work() as uow:
        with pytest.raises(AlreadyExists, match=r"0\.14\.0 is already recorded"):
            uow.releases.add(tagged("0.14.0", commit_sha="a" * 40))
        uow.audit.add(AuditEntry(actor="U0DEV0001", action="tag", service=SERVICE,
                                 version="0.14.0", detail="refused: already tagged"))
        uow.commit()  # the unit of work stays usable after the refusal
    assert read(store, "0.14.0") == first
    with store.unit_of_work() as uow:
        assert [e.detail for e in uow.audit.find(SERVICE, "0.14.0")] == ["refused: already tagged"]


def test_same_version_of_another_service_is_a_different_release(store: Store) -> None:
    add(store, tagged("0.14.1"))
    client = add(store, replace(tagged("0.14.1"), service="loop-client", tag="v0.14.1"))
    assert read(store, "0.14.1", service="loop-client") == client


def test_second_ticket_for_the_same_environment_and_attempt_is_refused(store: Store) -> None:
    stored = add(store, tagged("0.15.0", tickets=(Ticket(Env.STAGE, 1107001),)))
    clash = stored.with_ticket(Ticket(Env.STAGE, 1107002)).with_ticket(Ticket(Env.PROD, 1107003))
    with store.unit_of_work() as uow:
        with pytest.raises(AlreadyExists, match="stage ticket for attempt 1: bug 1107001"):
            uow.releases.save(replace(clash, state=State.STAGE_REQUESTED))
        uow.commit()
    assert read(store, "0.15.0") == stored  # nothing of the refused save was written


def test_two_tickets_sharing_an_attempt_cannot_be_added(store: Store) -> None:
    twins = (Ticket(Env.PROD, 1107101), Ticket(Env.PROD, 1107102))
    with store.unit_of_work() as uow, pytest.raises(AlreadyExists):
        uow.releases.add(tagged("0.15.1", tickets=twins))
    assert read(store, "0.15.1") is None


def test_rerelease_adds_a_second_attempt_and_keeps_the_first(store: Store) -> None:
    stored = add(store, tagged("0.15.2", state=State.STAGE_REQUESTED,
                               tickets=(Ticket(Env.STAGE, 1107201),)))
    again = stored.with_ticket(Ticket(Env.STAGE, 1107202, attempt=2))
    with store.unit_of_work() as uow:
        saved = uow.releases.save(again)
        uow.releases.save(again)  # saving the same tickets again adds nothing
        uow.commit()
    assert read(store, "0.15.2") == saved
    assert saved.tickets == (Ticket(Env.STAGE, 1107201), Ticket(Env.STAGE, 1107202, 2))


def test_save_moves_the_state_and_the_fields(store: Store) -> None:
    stored = add(store, tagged("0.16.0"))
    later = TAGGED_AT + dt.timedelta(days=1)
    moved = replace(stored, state=State.STAGE_VERIFIED, blockers=(1108001,), updated_at=later,
                    tickets=(Ticket(Env.STAGE, 1108002),))
    with store.unit_of_work() as uow:
        saved = uow.releases.save(moved, expected_state=State.TAGGED)
        uow.commit()
    assert saved == moved
    assert read(store, "0.16.0") == moved


def test_save_with_an_outdated_expected_state_is_stale(store: Store) -> None:
    stored = add(store, tagged("0.16.1"))
    with store.unit_of_work() as uow:
        uow.releases.save(replace(stored, state=State.REJECTED, rejected_for=1108101))
        uow.commit()
    with store.unit_of_work() as uow:
        with pytest.raises(StaleRelease, match=r"0\.16\.1 is rejected, not tagged"):
            uow.releases.save(replace(stored, state=State.STAGE_REQUESTED,
                                     tickets=(Ticket(Env.STAGE, 1108102),)),
                             expected_state=State.TAGGED)
        uow.commit()
    found = read(store, "0.16.1")
    assert found is not None and found.state is State.REJECTED and found.tickets == ()


def test_saving_an_unrecorded_release_is_refused(store: Store) -> None:
    with store.unit_of_work() as uow, pytest.raises(StoreError, match="not recorded"):
        uow.releases.save(tagged("0.16.2"))


def test_leaving_without_commit_rolls_back(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.releases.add(tagged("0.17.0"))
        uow.steps.start("loop-server:0.17.0:tag")
    assert read(store, "0.17.0") is None
    with store.unit_of_work() as uow:
        assert uow.steps.get("loop-server:0.17.0:tag") is None


def test_an_exception_inside_rolls_back(store: Store) -> None:
    class PartnerDown(Exception):
        pass

    stored = add(store, tagged("0.17.1"))
    with pytest.raises(PartnerDown), store.unit_of_work() as uow:
        uow.releases.save(replace(stored, state=State.STAGE_REQUESTED))
        uow.audit.add(AuditEntry(actor="U0DEV0001", action="request stage", service=SERVICE,
                                 version="0.17.1"))
        raise PartnerDown("bugzilla answered 500")
    assert read(store, "0.17.1") == stored
    with store.unit_of_work() as uow:
        assert uow.audit.find(SERVICE, "0.17.1") == []


def test_commit_keeps_what_was_done_so_far(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.steps.start("loop-server:0.17.2:stage-ticket:1")
        uow.commit()
        uow.releases.add(tagged("0.17.2"))  # not committed: rolled back at exit
    with store.unit_of_work() as uow:
        assert uow.steps.get("loop-server:0.17.2:stage-ticket:1") is not None
        assert uow.releases.get(SERVICE, "0.17.2") is None


def test_unit_of_work_is_used_inside_with_only(store: Store) -> None:
    with pytest.raises(StoreError, match=r"inside `with store\.unit_of_work"):
        store.unit_of_work().releases.get(SERVICE, "0.17.3")


def test_releases_are_listed_newest_first_and_filtered_by_state(store: Store) -> None:
    for days, version, state in [(0, "0.18.0", State.DONE), (14, "0.18.1", State.REJECTED),
                                 (15, "0.18.2", State.STAGE_REQUESTED)]:
        add(store, tagged(version, state=state,
                          created_at=TAGGED_AT + dt.timedelta(days=days)))
    add(store, replace(tagged("0.18.3"), service="loop-client"))
    with store.unit_of_work() as uow:
        assert [r.version for r in uow.releases.find(SERVICE)] == ["0.18.2", "0.18.1", "0.18.0"]
        in_flight = uow.releases.find(SERVICE, states=[State.STAGE_REQUESTED, State.REJECTED])
        assert [r.version for r in in_flight] == ["0.18.2", "0.18.1"]
        assert uow.releases.find(SERVICE, states=[]) == []


def test_audit_is_appended_in_order(store: Store) -> None:
    at = TAGGED_AT + dt.timedelta(days=6)
    entries = [
        AuditEntry(actor="U0DEV0001", action="tag", service=SERVICE, version="0.19.0",
                   roles=("DEV",), to_state="tagged", request_id="req-1"),
        AuditEntry(actor="U0LEAD001", action="override greenlight", service=SERVICE,
                   version="0.19.0", roles=("DEV", "QA", "emergency"),
                   from_state="prod-requested", to_state="greenlit",
                   detail="skipped: stage bug 1109001 is RESOLVED, not VERIFIED",
                   override_reason="prod is down, the fix must ship tonight", at=at),
        AuditEntry(actor="U0QA00001", action="verify stage", service=SERVICE, version="0.19.1"),
    ]
    with store.unit_of_work() as uow:
        added = [uow.audit.add(e) for e in entries]
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.audit.find(SERVICE, "0.19.0") == added[:2]
        assert uow.audit.find(SERVICE) == added
        assert uow.audit.find("loop-client") == []
    assert added[1].at == at and added[1].is_override
    assert added[0].at is not None and added[0].id is not None


def test_steps_are_started_finished_and_read(store: Store) -> None:
    key = "loop-server:0.20.0:tag"
    with store.unit_of_work() as uow:
        assert uow.steps.get(key) is None
        started = uow.steps.start(key)
        assert (started.status, started.done, started.result) == ("started", False, None)
        assert uow.steps.start(key) == started  # starting again changes nothing
        uow.commit()
    with store.unit_of_work() as uow:
        done = uow.steps.finish(key, {"tag": "0.20.0", "sha": "9c1e"})
        assert uow.steps.finish(key, {"tag": "other"}) == done  # the first result stays
        uow.commit()
    with store.unit_of_work() as uow:
        record = uow.steps.get(key)
        assert uow.steps.start(key) == record
    assert record is not None and record.done and record.result == {"tag": "0.20.0", "sha": "9c1e"}
    assert record.finished_at is not None and record.finished_at >= record.started_at


def test_finishing_a_step_never_started_is_refused(store: Store) -> None:
    with store.unit_of_work() as uow, pytest.raises(StoreError, match="never started"):
        uow.steps.finish("loop-server:0.20.1:tag", {"tag": "0.20.1"})


def test_store_from_settings_prefers_database_url(tmp_path: Path) -> None:
    configured = {
        "database_url": f"sqlite:///{tmp_path / 'from-yaml.db'}",
        "services": [{"name": SERVICE, "repo": "mozilla-services/loop-server"}],
    }
    from_env = f"sqlite:///{tmp_path / 'from-env.db'}"
    settings = settings_from_dict(configured, environ={"DATABASE_URL": from_env})
    store = Store.from_settings(settings)
    try:
        assert store.url == from_env and store.dialect == "sqlite"
        assert (tmp_path / "from-env.db").exists()
        assert not (tmp_path / "from-yaml.db").exists()
    finally:
        store.dispose()


def test_password_is_masked_in_errors_and_repr(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    if store_url.startswith("sqlite"):
        wrong = "sqlite+pysqlite://loopbot:s3cret-pw@/nonexistent-dir/sub/loopbot.db"
    else:
        wrong = store_url.replace("://loopbot@", "://loopbot:s3cret-pw@") + "_missing"
    with pytest.raises(StoreError) as refused:
        Store(wrong)
    message = str(refused.value)
    assert "cannot use database" in message and "***" in message
    assert "s3cret-pw" not in message + repr(refused.value) + caplog.text
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_password_is_masked_in_the_store_url(store_url: str) -> None:
    if store_url.startswith("sqlite"):
        pytest.skip("SQLite URLs carry no password")
    with_password = store_url.replace("://loopbot@", "://loopbot:s3cret-pw@")
    store = Store(with_password)  # the test server trusts local connections
    try:
        assert "s3cret-pw" not in store.url + repr(store)
        assert ":***@" in store.url
    finally:
        store.dispose()


@pytest.mark.parametrize("url", ["loopbot:s3cret-pw@db.internal/loopbot",
                                 "postgresql+psycopg://loopbot:s3cret-pw@db:port/loopbot"])
def test_unreadable_url_is_not_repeated(url: str) -> None:
    with pytest.raises(StoreError, match="cannot read the database URL") as refused:
        Store(url)
    assert "s3cret-pw" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
