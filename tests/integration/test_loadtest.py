"""Load tests on stage with partners, through the use cases against the stand-ins (and a
real SMTP server): windows, their refusals, the mail with its ICS event, the scheduler's
posts, the results on the stage ticket, and `verify stage` waiting for a pass."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from bot.config.settings import Settings
from bot.domain.actions import Action, MissingRole
from bot.domain.errors import Refusal
from bot.domain.release import Env, State
from bot.jobs import run_due
from bot.usecases.loadtest import record_result, set_window
from tests.fixtures.scheduler import Rehearsal, make_rehearsal, paris, stop_rehearsal
from tests.fixtures.smtp import Inbox
from tests.fixtures.world import DEV, LEAD, QA

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

    found = set_window(r.ctx, QA, "0.13.0", local("2026-12-09T14:00"),
                       local("2026-12-09T16:00"), ["tokbox"])
    assert found.new and found.mailed == f"mailed to {TOKBOX} (copy to {LIST})"
    again = set_window(r.ctx, QA, "0.13.0", local("2026-12-09T14:00"),
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
        record_result(r.ctx, QA, "0.13.0", True)
    started = r.run("2026-12-09 14:00")
    assert any("The load-test window of loop-server 0.13.0 with tokbox starts now" in t
               for t in started)
    ended = r.run("2026-12-09 16:00")
    over = [t for t in ended if "window of loop-server 0.13.0 with tokbox is over" in t]
    assert len(over) == 1 and "<@U0QA00001>" in over[0]
    assert r.run("2026-12-09 16:30") == []  # each post once

    passed = record_result(r.ctx, QA, "0.13.0", True, reason="3000 rooms for 1h, p99 180ms")
    stage_bug = passed.release.ticket(Env.STAGE).bug_id
    comments = [c["text"] for c in r.sandbox.bugzilla.comments(stage_bug)]
    assert any("Load test passed on stage (0.13.0)" in c and "p99 180ms" in c
               for c in comments)
    r.step(QA, Action.VERIFY_STAGE, "0.13.0")
    assert r.ctx.service().tracker.bug(stage_bug).is_verified


def test_windows_are_refused_off_the_load_test_days_on_skipped_days_and_overlapping(
    r: Rehearsal
) -> None:
    r.at("2026-12-08 09:30")
    r.to_stage("0.13.0")
    cases = {
        ("2026-12-14T14:00", "2026-12-14T16:00"):
            "Mon 2026-12-14 is not a load-test day of its cycle (Tue 2026-12-08 to Fri "
            "2026-12-11)",
        ("2026-12-22T14:00", "2026-12-22T16:00"): "Tue 2026-12-22 is skipped",
        ("2026-12-08T08:00", "2026-12-08T09:00"): "the window starts in the past",
        ("2026-12-10T16:00", "2026-12-10T14:00"): "ends (Thu 2026-12-10 14:00) before it "
                                                  "starts",
        ("2026-12-11T17:00", "2026-12-12T10:00"): "Sat 2026-12-12 is not a load-test day",
    }
    for (start, end), why in cases.items():
        with pytest.raises(Refusal, match=re.escape(why)):
            set_window(r.ctx, QA, "0.13.0", local(start), local(end))
    set_window(r.ctx, QA, "0.13.0", local("2026-12-10T09:00"), local("2026-12-10T12:00"))
    with pytest.raises(Refusal, match="overlaps the window of loop-server 0.13.0 "
                                      r"\(Thu 2026-12-10 09:00 to Thu 2026-12-10 12:00\)"):
        set_window(r.ctx, QA, "0.13.0", local("2026-12-10T11:00"), local("2026-12-10T13:00"))
    with pytest.raises(MissingRole, match="a load test needs the QA role for loop-server"):
        set_window(r.ctx, DEV, "0.13.0", local("2026-12-11T09:00"), local("2026-12-11T10:00"))
    with pytest.raises(Refusal, match="unknown partner.* nexmo; configured partners: tokbox"):
        set_window(r.ctx, QA, "0.13.0", local("2026-12-11T09:00"), local("2026-12-11T10:00"),
                   ["nexmo"])
    with r.ctx.store.unit_of_work() as uow:
        assert len(uow.loadtests.windows()) == 1  # nothing refused was recorded

    forced = set_window(r.ctx, LEAD, "0.13.0", local("2026-12-14T09:00"),
                        local("2026-12-14T10:00"), override_reason="partner only free Monday")
    assert forced.new and "Mon 2026-12-14 is not a load-test day" in forced.skipped[0]
    with r.ctx.store.unit_of_work() as uow:
        entry = uow.audit.find("loop-server", "0.13.0")[-1]
    assert entry.action == "override load-test window"
    assert entry.override_reason == "partner only free Monday"


def test_a_failed_load_test_with_a_bug_rejects_the_stage_build(r: Rehearsal) -> None:
    r.at("2026-12-08 09:30")
    r.to_stage("0.13.0")
    set_window(r.ctx, QA, "0.13.0", local("2026-12-08T11:00"), local("2026-12-08T13:00"))
    r.at("2026-12-08 13:10")
    with pytest.raises(Refusal, match="there is no bug 99999999"):
        record_result(r.ctx, QA, "0.13.0", False, bug_id=99999999)
    failed = record_result(r.ctx, QA, "0.13.0", False, reason="websockets drop at 2k rooms",
                           bug_id=1096112)
    assert failed.rejected is not None
    assert failed.release.state is State.REJECTED and failed.release.rejected_for == 1096112
    stage_bug = failed.release.ticket(Env.STAGE).bug_id
    comments = [c["text"] for c in r.sandbox.bugzilla.comments(stage_bug)]
    assert any("Load test failed on stage (0.13.0)" in c and "bug 1096112" in c
               for c in comments)
    with r.ctx.store.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.find("loop-server", "0.13.0")]
        results = uow.loadtests.results("loop-server", "0.13.0")
    assert actions[-2:] == ["load test", "reject"]
    assert [x.passed for x in results] == [False]


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
    set_window(r.ctx, QA, "0.13.0", local("2026-12-10T14:00"), local("2026-12-10T15:00"))
    bot = r.bots[0]
    r.at("2026-12-08 15:00")
    run_due(bot.ctx, bot.chat, bot.mailer, paris("2026-12-08 15:00"))
    assert not any("no load-test window" in t for t in r.posted())
