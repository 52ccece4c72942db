"""Load tests on stage with partners, through the use cases against the stand-ins (and a
real SMTP server): the mail with its ICS event, the scheduler's posts and reminders, the
results on the stage ticket, and `verify stage` waiting for a pass. The windows' refusals
and a failed result rejecting the build: tests/unit/test_loadtest_usecase.py, on the fakes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from bot.config.settings import Settings
from bot.domain.actions import Action
from bot.domain.errors import Refusal
from bot.domain.release import Env
from bot.domain.version import ReleaseLabel
from bot.jobs import run_due
from bot.usecases.loadtest import record_result, set_window
from tests.fixtures.scheduler import Rehearsal, make_rehearsal, paris, stop_rehearsal
from tests.fixtures.smtp import Inbox
from tests.fixtures.world import QA

V0130 = ReleaseLabel.parse("0.13.0")

LIST = "dev-loop@lists.mozilla.org"
TOKBOX = "loadtest@tokbox.example.com"


def local(text: str) -> dt.datetime:
    """The wall clock as typed in a command (naive, the team's time zone)."""
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def r(shipped_settings: Settings, tmp_path: Path, smtp_inbox: Inbox) -> Iterator[Rehearsal]:
    built = make_rehearsal(shipped_settings, tmp_path, smtp_url=smtp_inbox.url)
    try:
        yield built
    finally:
        stop_rehearsal(built)


def test_verify_stage_waits_for_a_passed_load_test_in_a_window_set_with_partners(
    r: Rehearsal, smtp_inbox: Inbox
) -> None:
    r.at("2026-12-08 09:30")
    r.to_stage("0.13.0")
    with pytest.raises(Refusal, match="requires a passed load test and none is recorded "
                                      "for 0.13.0"):
        r.step(QA, Action.VERIFY_STAGE, "0.13.0")

    found = set_window(r.ctx, r.ctx.service(), QA, V0130, local("2026-12-09T14:00"),
                       local("2026-12-09T16:00"), ["tokbox"])
    assert found.new and found.mailed == f"mailed to {TOKBOX} (copy to {LIST})"
    again = set_window(r.ctx, r.ctx.service(), QA, V0130, local("2026-12-09T14:00"),
                       local("2026-12-09T16:00"), ["tokbox"])
    assert not again.new and again.window.id == found.window.id
    assert len(smtp_inbox.messages) == 1  # the same window is not announced twice

    mail = smtp_inbox.messages[0]
    assert mail["To"] == TOKBOX and mail["Cc"] == LIST
    assert sorted(smtp_inbox.recipients[0]) == sorted([TOKBOX, LIST])
    assert mail["Subject"] == ("Load test of loop-server 0.13.0 on stage: Wed 2026-12-09 "
                               "14:00 to 16:00 (Europe/Paris)")
    attached = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(attached) == 1
    event = icalendar.Calendar.from_ical(attached[0].get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == f"loop-server-loadtest-{found.window.id}@loopbot"
    assert event.decoded("DTSTART") == paris("2026-12-09 14:00")
    assert event.decoded("DTEND") == paris("2026-12-09 16:00")

    with pytest.raises(Refusal, match="window of 0.13.0 starts Wed 2026-12-09 14:00"):
        record_result(r.ctx, r.ctx.service(), QA, V0130, True)
    started = r.run("2026-12-09 14:00")
    assert any("The load-test window of loop-server 0.13.0 with tokbox starts now" in t
               for t in started)
    ended = r.run("2026-12-09 16:00")
    over = [t for t in ended if "window of loop-server 0.13.0 with tokbox is over" in t]
    assert len(over) == 1 and "<@U0QA00001>" in over[0]
    assert r.run("2026-12-09 16:30") == []  # each post once

    passed = record_result(r.ctx, r.ctx.service(), QA, V0130,
                           True, reason="3000 rooms for 1h, p99 180ms")
    stage = passed.release.ticket(Env.STAGE)
    assert stage is not None
    stage_bug = stage.bug_id
    comments = [c["text"] for c in r.sandbox.bugzilla.comments(stage_bug)]
    assert any("Load test passed on stage (0.13.0)" in c and "p99 180ms" in c
               for c in comments)
    r.step(QA, Action.VERIFY_STAGE, "0.13.0")
    assert r.ctx.service().tracker.bug(stage_bug).is_verified


def test_qa_is_reminded_on_tagging_afternoon_only_when_no_window_is_set(r: Rehearsal) -> None:
    r.at("2026-12-08 09:30")
    r.to_stage("0.13.0")
    posts = r.run("2026-12-08 14:00")
    reminders = [t for t in posts if "no load-test window is set" in t]
    assert len(reminders) == 1  # loop-server only: loop-client requires no load test
    assert "loop-server 0.13.0 is on stage" in reminders[0] and "<@U0QA00001>" in reminders[0]
    assert not any("no load-test window" in t for t in r.run("2026-12-08 18:00"))


def test_no_reminder_when_the_window_is_set(r: Rehearsal) -> None:
    r.at("2026-12-08 09:30")
    r.to_stage("0.13.0")
    set_window(r.ctx, r.ctx.service(), QA, V0130,
               local("2026-12-10T14:00"), local("2026-12-10T15:00"))
    bot = r.bots[0]
    r.at("2026-12-08 15:00")
    run_due(bot.ctx, bot.chat, bot.mailer, paris("2026-12-08 15:00"))
    assert not any("no load-test window" in t for t in r.posted())
