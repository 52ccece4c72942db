"""Two full release cycles rehearsed on the sandbox clock: every announcement, reminder,
environment change and monitoring message reaches the Slack stand-in once, at its time,
with its content; the same with the bot restarted before every step, and with two bot
processes racing on one database (SQLite and PostgreSQL).

The calendar is the shipped app.yaml's: cycle 1 tags Tue 2026-12-08 and pushes Mon
2026-12-14; cycle 2's tagging (2026-12-22) is a skipped day, its push (2026-12-28) stands;
cycle 3 tags 2027-01-05 and pushes 2027-01-11. Announcements are at 10:00 Paris.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.actions import Action
from tests.fixtures.scheduler import SERVICE, Rehearsal, make_rehearsal, stop_rehearsal
from tests.fixtures.store import fresh_postgres_database, postgres_server_url
from tests.fixtures.world import DEV, OPS, QA

KINDS = (
    ("nothing tagged", "nothing tagged yet"),
    ("announce", " is tagged (cycle "),
    ("deploy reminder", "is not deployed yet"),
    ("verify reminder", "is not verified and it is Friday"),
    ("prod push", "Prod push day"),
    ("heartbeat failing", "prod heartbeat failing"),
    ("heartbeat back", "prod heartbeat is back"),
    ("monitoring quiet", "in prod ended quietly"),
    ("monitoring ended", "in prod ended:"),
    ("alarm", ":rotating_light:"),
    ("stage change", "stage now runs"),
    ("prod change", "prod now runs"),
)
NEW_BUG = 1101234


def labels(posts: list[str]) -> list[str]:
    """Each post as "KIND SERVICE", so a step's expectations read as a list."""
    found = []
    for text in posts:
        kind = next((k for k, needle in KINDS if needle in text), f"unexpected: {text!r}")
        service = "loop-client" if "loop-client" in text else SERVICE
        found.append(f"{kind} {service}")
    return found


def cycle_one(r: Rehearsal) -> None:
    assert r.run("2026-12-08 09:30") == []
    r.tag(DEV, "0.13.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.13.0")
    assert r.run("2026-12-08 09:59") == []
    posts = r.run("2026-12-08 10:00")
    assert labels(posts) == ["announce loop-server", "nothing tagged loop-client"]
    announcement = posts[0]
    assert announcement.startswith("loop-server 0.13.0 is tagged (cycle 1): Tue 2026-12-08.")
    assert "- bug 1094662: Fix SP backwards compatibility" in announcement
    assert "- bug 1093488: Catch Redis connection errors at startup" in announcement
    assert "Flagged (referenced, not RESOLVED FIXED): bug 1096112" in announcement
    assert "QA on stage: Wed 2026-12-09 to Fri 2026-12-11" in announcement
    assert "Prod push: Mon 2026-12-14" in announcement
    assert f"Try it on stage: {r.sandbox.environment(SERVICE, 'stage').url}" in announcement
    assert "late" not in announcement
    assert "To tag: 0.1.0 from master." in posts[1] and "DEV: tag it" in posts[1]

    assert r.run("2026-12-09 09:59") == []
    posts = r.run("2026-12-09 10:00")
    assert labels(posts) == ["deploy reminder loop-server"]
    assert "<@U0OPS0001>" in posts[0] and "`/loop deployed stage 0.13.0`" in posts[0]

    r.at("2026-12-09 11:00")
    r.deploy("stage", "0.13.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    posts = r.run("2026-12-09 11:01")
    assert labels(posts) == ["stage change loop-server"]
    assert posts[0].startswith("stage now runs loop-server 0.13.0 (was 0.12.2): release "
                               "0.13.0 (stage-deployed), stage bug ")

    assert r.run("2026-12-11 09:59") == []
    posts = r.run("2026-12-11 10:00")
    assert labels(posts) == ["verify reminder loop-server"]
    assert "<@U0QA00001>" in posts[0] and "`/loop verify stage 0.13.0`" in posts[0]

    r.at("2026-12-11 15:00")
    r.step(QA, Action.VERIFY_STAGE, "0.13.0")
    r.step(QA, Action.GREENLIGHT, "0.13.0")
    assert r.run("2026-12-14 09:59") == []
    posts = r.run("2026-12-14 10:00")
    assert labels(posts) == ["prod push loop-server", "prod push loop-client"]
    assert "- 0.13.0: green light given." in posts[0] and "<@U0OPS0001>" in posts[0]
    assert posts[1] == "Prod push day for loop-client, Mon 2026-12-14: nothing is waiting for prod."

    r.at("2026-12-14 10:30")
    r.deploy("prod", "0.13.0")
    r.step(OPS, Action.DEPLOYED_PROD, "0.13.0")
    posts = r.run("2026-12-14 10:31")
    assert labels(posts) == ["prod change loop-server"]
    assert "release 0.13.0 (prod-deployed), prod bug " in posts[0]

    prod = r.sandbox.environment(SERVICE, "prod")
    prod.set_healthy(storage=False)
    posts = r.run("2026-12-14 10:45")
    assert labels(posts) == ["heartbeat failing loop-server"]
    assert "storage unavailable" in posts[0] and "until 11:30" in posts[0]
    assert "<@U0OPS0001>" in posts[0]
    assert r.run("2026-12-14 10:50") == []  # the same failure streak: said once
    prod.set_healthy()
    assert labels(r.run("2026-12-14 10:52")) == ["heartbeat back loop-server"]
    assert r.run("2026-12-14 11:29") == []
    posts = r.run("2026-12-14 11:30")
    assert labels(posts) == ["monitoring ended loop-server"]
    assert "failed 1 time(s) in 60 minutes and is OK again" in posts[0]
    assert "`/loop verify prod 0.13.0`" in posts[0]
    r.at("2026-12-14 14:00")
    r.step(QA, Action.VERIFY_PROD, "0.13.0")


def cycle_two_skipped_tagging(r: Rehearsal) -> None:
    assert r.run("2026-12-22 18:00") == []  # 2026-12-22 is a skipped day
    posts = r.run("2026-12-28 10:00")
    assert labels(posts) == ["prod push loop-server", "prod push loop-client"]
    assert posts[0] == "Prod push day for loop-server, Mon 2026-12-28: nothing is waiting for prod."


def cycle_three(r: Rehearsal) -> None:
    r.at("2027-01-05 09:00")
    r.sandbox.bugzilla.add_bug("Show the room name in the invitation", "RESOLVED", "FIXED",
                               id=NEW_BUG)
    r.land(f"Bug {NEW_BUG} — Show the room name in the invitation")
    r.tag(DEV, "0.14.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.14.0")
    posts = r.run("2027-01-05 10:00")
    assert labels(posts) == ["announce loop-server", "nothing tagged loop-client"]
    assert posts[0].startswith("loop-server 0.14.0 is tagged (cycle 3): Tue 2027-01-05.")
    assert f"- bug {NEW_BUG}: Show the room name in the invitation" in posts[0]
    assert "QA on stage: Wed 2027-01-06 to Fri 2027-01-08" in posts[0]

    r.at("2027-01-05 15:00")  # on time this cycle: no late-step reminder
    r.deploy("stage", "0.14.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.14.0")
    assert labels(r.run("2027-01-07 12:00")) == ["stage change loop-server"]
    r.step(QA, Action.VERIFY_STAGE, "0.14.0")
    r.step(QA, Action.GREENLIGHT, "0.14.0")
    assert r.run("2027-01-11 09:59") == []
    posts = r.run("2027-01-11 10:00")
    assert labels(posts) == ["prod push loop-server", "prod push loop-client"]
    assert "- 0.14.0: green light given." in posts[0]

    r.at("2027-01-11 10:15")
    r.deploy("prod", "0.14.0")
    r.step(OPS, Action.DEPLOYED_PROD, "0.14.0")
    posts = r.run("2027-01-11 11:15")
    assert labels(posts) == ["prod change loop-server", "monitoring quiet loop-server"]
    assert posts[1].startswith("Monitoring of loop-server 0.14.0 in prod ended quietly: the "
                               "heartbeat answered OK for 60 minutes.")
    assert r.run("2027-01-12 12:00") == []


def two_cycles(r: Rehearsal) -> None:
    cycle_one(r)
    cycle_two_skipped_tagging(r)
    cycle_three(r)
    assert Counter(labels(r.posted())) == Counter({
        "announce loop-server": 2, "nothing tagged loop-client": 2,
        "deploy reminder loop-server": 1, "verify reminder loop-server": 1,
        "stage change loop-server": 2, "prod push loop-server": 3,
        "prod push loop-client": 3, "prod change loop-server": 2,
        "heartbeat failing loop-server": 1, "heartbeat back loop-server": 1,
        "monitoring ended loop-server": 1, "monitoring quiet loop-server": 1,
    })


def test_two_cycles_each_message_once_at_its_time(rehearsal: Rehearsal) -> None:
    two_cycles(rehearsal)
    with rehearsal.ctx.store.unit_of_work() as uow:
        entries = uow.audit(SERVICE)
    announced = [e for e in entries if e.action == "announce"]
    assert [(e.actor, e.version, e.request_id) for e in announced] == [
        ("scheduler", "0.13.0", "announce:loop-server:2026-12-08"),
        ("scheduler", "0.14.0", "announce:loop-server:2027-01-05"),
    ]


def test_two_cycles_with_the_bot_restarted_before_every_step(rehearsal: Rehearsal) -> None:
    rehearsal.mode = "restart"
    two_cycles(rehearsal)


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_two_bot_processes_on_one_database_post_each_message_once(
    dialect: str, settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = None
    if dialect == "postgres":
        databases = fresh_postgres_database(postgres_server_url())
        url = next(databases)
        request.addfinalizer(lambda: next(databases, None))
    r = make_rehearsal(settings, tmp_path, url, bots=2)
    r.mode = "race"
    try:
        two_cycles(r)
    finally:
        stop_rehearsal(r)
