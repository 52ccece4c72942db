"""The go/no-go before each prod push (issue 22), on the scheduler's clock: posted once to
the service's channel and mailed to its list on the last working day before the push at
15:00 Paris (moved by skips and moves like every date), late with a note while the push
day has not begun, skipped and logged after.

The rehearsal's calendar: cycle 1 tags Tue 2026-12-08 and pushes Mon 2026-12-14."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.domain.actions import Action
from bot.jobs import run_due
from tests.fixtures.scheduler import (
    SERVICE,
    Rehearsal,
    make_rehearsal,
    paris,
    stop_rehearsal,
)
from tests.fixtures.smtp import Inbox
from tests.fixtures.world import QA


def gonogos(posts: list[str], service: str = SERVICE) -> list[str]:
    return [p for p in posts if f"for {service}" in p and ("GO for" in p or "Go/no-go" in p)]


def with_calendar(r: Rehearsal, **changes: object) -> None:
    """The rehearsal's bot restarted on a calendar with `changes` (skips, moves)."""
    calendar = r.settings.calendar.model_copy(update=changes)
    r.settings = r.settings.model_copy(update={"calendar": calendar})
    old = r.bots[0]
    r.bots[0] = r.new_bot(old.clock)
    old.stop()


def test_friday_post_says_no_go_which_gate_and_whose_move_once(
        settings: Settings, tmp_path: Path, smtp_inbox: Inbox) -> None:
    r = make_rehearsal(settings, tmp_path, smtp_url=smtp_inbox.url)
    try:
        r.at("2026-12-08 09:30")
        r.to_stage("0.13.0")
        r.run("2026-12-11 14:59")
        assert gonogos(r.posted()) == []
        posts = gonogos(r.run("2026-12-11 15:00"))
        assert len(posts) == 1
        assert posts[0].startswith("NO-GO for loop-server 0.13.0, the push on Mon 2026-12-14."
                                   "\n0.13.0 (stage-deployed) cannot go to prod yet")
        assert "- [no] stage bug " in posts[0] and "QA verifies it with" in posts[0]
        assert "Before the push:\nQA: stage ticket; green light" in posts[0]
        blocks = str(r.sandbox.slack.messages("#loop")[-2].blocks)  # loop-client's is last
        assert "QA: stage ticket; green light <@U0QA00001>" in blocks
        assert gonogos(r.run("2026-12-11 18:00")) == []  # once
        slack_text = posts[0]
    finally:
        stop_rehearsal(r)
    mails = [m for m in smtp_inbox.messages if "GO for loop-server" in m["Subject"]]
    assert [m["Subject"] for m in mails] == [
        "NO-GO for loop-server 0.13.0, the push on Mon 2026-12-14"]
    assert mails[0].get_content().replace("\r\n", "\n").rstrip("\n") == slack_text


def test_a_skipped_friday_moves_the_post_to_thursday(rehearsal: Rehearsal) -> None:
    r = rehearsal
    with_calendar(r, skip=(dt.date(2026, 12, 11), dt.date(2026, 12, 22)))
    assert gonogos(r.run("2026-12-10 14:59")) == []
    posts = gonogos(r.run("2026-12-10 15:00"))
    assert posts == [posts[0]] and posts[0].startswith(
        "Go/no-go for loop-server, the push on Mon 2026-12-14: nothing in flight.")
    assert gonogos(r.run("2026-12-11 16:00")) == []


def test_a_moved_push_day_moves_the_post_to_the_working_day_before(
        rehearsal: Rehearsal) -> None:
    r = rehearsal
    with_calendar(r, moves={dt.date(2026, 12, 14): dt.date(2026, 12, 15)})
    r.at("2026-12-08 09:30")
    r.to_stage("0.13.0")
    r.step(QA, Action.VERIFY_STAGE, "0.13.0")
    assert gonogos(r.run("2026-12-14 14:59")) == []  # not on Friday: Monday is a working day
    posts = gonogos(r.run("2026-12-14 15:00"))
    assert len(posts) == 1
    assert posts[0].startswith("GO for loop-server 0.13.0, the push on Tue 2026-12-15.")
    assert "- [to do] no green light yet: QA gives it before the push" in posts[0]


def tick(r: Rehearsal, when: str) -> list[str]:
    """The bot was down until `when`: its first tick runs there (no rehearsal between)."""
    r.at(when)
    bot = r.bots[0]
    run_due(bot.ctx, bot.chat, bot.mailer, paris(when))
    return r.new_posts()


def test_down_over_friday_posts_late_on_saturday_and_skips_on_the_push_day(
        rehearsal: Rehearsal, caplog: pytest.LogCaptureFixture) -> None:
    r = rehearsal
    r.run("2026-12-11 14:00")
    late = gonogos(tick(r, "2026-12-12 09:00"))  # the bot was down from Friday 14:00
    assert len(late) == 1 and late[0].endswith(
        "(posted late: the bot was down at Fri 2026-12-11 15:00)")
    caplog.set_level(logging.WARNING, logger="loopbot.scheduler")
    r.run("2027-01-07 14:00")
    assert gonogos(tick(r, "2027-01-11 09:00")) == []  # down from Thursday to the push day
    assert ("skipped gonogo:loop-server:2027-01-11: the push day Mon 2027-01-11 has come"
            in caplog.messages)
    with r.ctx.store.unit_of_work() as uow:
        skips = [e.request_id for e in uow.audit.find(SERVICE) if e.detail.startswith("skipped:")]
    assert skips.count("gonogo:loop-server:2027-01-11") == 1
