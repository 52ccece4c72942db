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

from bot.config.settings import Settings
from bot.domain.actions import Action
from tests.fixtures.scheduler import SERVICE, Rehearsal, make_rehearsal, stop_rehearsal
from tests.fixtures.store import fresh_postgres_database, postgres_server_url
from tests.fixtures.world import DEV, OPS, QA

KINDS = (
    ("gonogo", "GO for "),  # GO or NO-GO, the working day before a push
    ("gonogo", "Go/no-go for "),  # nothing in flight
    ("nothing tagged", "nothing tagged yet"),
    ("announce", " is tagged (cycle "),
    ("deploy reminder", "is late: OPS was to deploy it to stage"),
    ("verify reminder", "is late: QA was to verify it on stage"),
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


def expect(r: Rehearsal, posts: list[str], wanted: list[str]) -> None:
    """These posts, each once; in this order, except when two bots race: then two posts due
    at the same instant may come from either bot, in either order."""
    got = labels(posts)
    assert (sorted(got) if r.mode == "race" else got) == (
        sorted(wanted) if r.mode == "race" else wanted)


def one(posts: list[str], label: str) -> str:
    """The one post of `label` ("KIND SERVICE") among `posts`."""
    found = [p for p, found_label in zip(posts, labels(posts), strict=True)
             if found_label == label]
    assert len(found) == 1, (label, posts)
    return found[0]


def cycle_one(r: Rehearsal) -> None:
    assert r.run("2026-12-08 09:30") == []
    r.tag(DEV, "0.13.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.13.0")
    assert r.run("2026-12-08 09:59") == []
    posts = r.run("2026-12-08 10:00")
    expect(r, posts, ["announce loop-server", "nothing tagged loop-client"])
    announcement = one(posts, "announce loop-server")
    assert announcement.startswith("loop-server 0.13.0 is tagged (cycle 1): Tue 2026-12-08.")
    assert "- bug 1094662: Fix SP backwards compatibility" in announcement
    assert "- bug 1093488: Catch Redis connection errors at startup" in announcement
    assert "Flagged (referenced, not RESOLVED FIXED): bug 1096112" in announcement
    assert "QA on stage: Wed 2026-12-09 to Fri 2026-12-11" in announcement
    assert "Prod push: Mon 2026-12-14" in announcement
    assert f"Try it on stage: {r.sandbox.environment(SERVICE, 'stage').url}" in announcement
    assert "late" not in announcement
    client = one(posts, "nothing tagged loop-client")
    assert "To tag: 0.1.0 from master." in client and "DEV: tag it" in client

    assert r.run("2026-12-09 09:59") == []
    posts = r.run("2026-12-09 10:00")
    expect(r, posts, ["deploy reminder loop-server"])
    reminder = one(posts, "deploy reminder loop-server")
    assert "<@U0OPS0001>" in reminder and "`/loop deployed stage 0.13.0`" in reminder

    r.at("2026-12-09 11:00")
    r.deploy("stage", "0.13.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    posts = r.run("2026-12-09 11:01")
    expect(r, posts, ["stage change loop-server"])
    assert one(posts, "stage change loop-server").startswith(
        "stage now runs loop-server 0.13.0 (was 0.12.2): release "
        "0.13.0 (stage-deployed), stage bug ")

    assert r.run("2026-12-11 09:59") == []
    posts = r.run("2026-12-11 10:00")
    expect(r, posts, ["verify reminder loop-server"])
    reminder = one(posts, "verify reminder loop-server")
    assert "<@U0QA00001>" in reminder and "`/loop verify stage 0.13.0`" in reminder

    r.at("2026-12-11 14:30")
    r.step(QA, Action.VERIFY_STAGE, "0.13.0")
    r.step(QA, Action.GREENLIGHT, "0.13.0")
    posts = r.run("2026-12-14 09:59")
    expect(r, posts, ["gonogo loop-server", "gonogo loop-client"])  # Friday 15:00
    go = one(posts, "gonogo loop-server")
    assert go.startswith("GO for loop-server 0.13.0, the push on Mon 2026-12-14.")
    assert "- [ok] the green light for 0.13.0 is given" not in go  # said beside, not a gate
    assert "- [note] the green light for 0.13.0 is given" in go
    assert one(posts, "gonogo loop-client").startswith(
        "Go/no-go for loop-client, the push on Mon 2026-12-14: nothing in flight.")
    posts = r.run("2026-12-14 10:00")
    expect(r, posts, ["prod push loop-server", "prod push loop-client"])
    push = one(posts, "prod push loop-server")
    assert "- 0.13.0: green light given." in push and "<@U0OPS0001>" in push
    assert one(posts, "prod push loop-client") == (
        "Prod push day for loop-client, Mon 2026-12-14: nothing is waiting for prod.")

    r.at("2026-12-14 10:30")
    r.deploy("prod", "0.13.0")
    r.step(OPS, Action.DEPLOYED_PROD, "0.13.0")
    posts = r.run("2026-12-14 10:31")
    expect(r, posts, ["prod change loop-server"])
    assert "release 0.13.0 (prod-deployed), prod bug " in one(posts, "prod change loop-server")

    prod = r.sandbox.environment(SERVICE, "prod")
    prod.set_healthy(storage=False)
    posts = r.run("2026-12-14 10:45")
    expect(r, posts, ["heartbeat failing loop-server"])
    failing = one(posts, "heartbeat failing loop-server")
    assert "storage unavailable" in failing and "until 11:30" in failing
    assert "<@U0OPS0001>" in failing
    assert r.run("2026-12-14 10:50") == []  # the same failure streak: said once
    prod.set_healthy()
    expect(r, r.run("2026-12-14 10:52"), ["heartbeat back loop-server"])
    assert r.run("2026-12-14 11:29") == []
    posts = r.run("2026-12-14 11:30")
    expect(r, posts, ["monitoring ended loop-server"])
    ended = one(posts, "monitoring ended loop-server")
    assert "failed 1 time(s) in 60 minutes and is OK again" in ended
    assert "`/loop verify prod 0.13.0`" in ended
    r.at("2026-12-14 14:00")
    r.step(QA, Action.VERIFY_PROD, "0.13.0")


def cycle_two_skipped_tagging(r: Rehearsal) -> None:
    assert r.run("2026-12-22 18:00") == []  # 2026-12-22 is a skipped day
    posts = r.run("2026-12-28 10:00")
    expect(r, posts, ["gonogo loop-server", "gonogo loop-client",  # Friday 2026-12-25
                      "prod push loop-server", "prod push loop-client"])
    assert one(posts, "gonogo loop-server").startswith(
        "Go/no-go for loop-server, the push on Mon 2026-12-28: nothing in flight.\n"
        "No release of loop-server is waiting for prod: prod keeps 0.13.0.")
    assert one(posts, "prod push loop-server") == (
        "Prod push day for loop-server, Mon 2026-12-28: nothing is waiting for prod.")


def cycle_three(r: Rehearsal) -> None:
    r.at("2027-01-05 09:00")
    r.sandbox.bugzilla.add_bug("Show the room name in the invitation", "RESOLVED", "FIXED",
                               id=NEW_BUG)
    r.land(f"Bug {NEW_BUG} — Show the room name in the invitation")
    r.tag(DEV, "0.14.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.14.0")
    posts = r.run("2027-01-05 10:00")
    expect(r, posts, ["announce loop-server", "nothing tagged loop-client"])
    announcement = one(posts, "announce loop-server")
    assert announcement.startswith("loop-server 0.14.0 is tagged (cycle 3): Tue 2027-01-05.")
    assert f"- bug {NEW_BUG}: Show the room name in the invitation" in announcement
    assert "QA on stage: Wed 2027-01-06 to Fri 2027-01-08" in announcement

    r.at("2027-01-05 15:00")  # on time this cycle: no late-step reminder
    r.deploy("stage", "0.14.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.14.0")
    expect(r, r.run("2027-01-07 12:00"), ["stage change loop-server"])
    r.step(QA, Action.VERIFY_STAGE, "0.14.0")
    r.step(QA, Action.GREENLIGHT, "0.14.0")
    posts = r.run("2027-01-11 09:59")
    expect(r, posts, ["gonogo loop-server", "gonogo loop-client"])
    assert one(posts, "gonogo loop-server").startswith("GO for loop-server 0.14.0, the push "
                                                       "on Mon 2027-01-11.")
    posts = r.run("2027-01-11 10:00")
    expect(r, posts, ["prod push loop-server", "prod push loop-client"])
    assert "- 0.14.0: green light given." in one(posts, "prod push loop-server")

    r.at("2027-01-11 10:15")
    r.deploy("prod", "0.14.0")
    r.step(OPS, Action.DEPLOYED_PROD, "0.14.0")
    posts = r.run("2027-01-11 11:15")
    expect(r, posts, ["prod change loop-server", "monitoring quiet loop-server"])
    assert one(posts, "monitoring quiet loop-server").startswith(
        "Monitoring of loop-server 0.14.0 in prod ended quietly: the "
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
        "gonogo loop-server": 3, "gonogo loop-client": 3,
    })


def test_two_cycles_each_message_once_at_its_time(rehearsal: Rehearsal) -> None:
    two_cycles(rehearsal)
    with rehearsal.ctx.store.unit_of_work() as uow:
        entries = uow.audit.find(SERVICE)
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
