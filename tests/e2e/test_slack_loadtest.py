"""`/loop loadtest` through signed Slack requests to the running bot, with loop-server's
shipped configuration (a passed load test before `verify stage`), and the window in the
bot's `/calendar.ics`."""

from __future__ import annotations

import datetime as dt
import json

import icalendar
import pytest
import requests

from bot.clock import ManualClock
from bot.config.settings import Settings
from bot.domain.release import State
from bot.messages.blocks import ACTION_LOADTEST_WINDOW
from tests.fixtures.app import LEAD, QA, LoopWorld


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    return shipped_settings


def set_clock(world: LoopWorld, moment: dt.datetime) -> None:
    clock = world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(moment)


def test_qa_sets_a_window_runs_the_load_test_and_then_verifies_stage(
    loop_world: LoopWorld
) -> None:
    loop_world.command(QA, "help")
    assert "/loop loadtest stage VERSION window FROM TO [PARTNER...]" in \
        loop_world.last_ephemeral(QA).text
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, "verify stage 0.13.0")
    refused = loop_world.last_ephemeral(QA).text
    assert "loop-server requires a passed load test and none is recorded for 0.13.0" in refused
    assert loop_world.release("0.13.0").state is State.STAGE_DEPLOYED

    posted = len(loop_world.channel())
    loop_world.command(QA, "loadtest stage 0.13.0 window 2026-12-14T14:00 16:00")
    assert "Mon 2026-12-14 is not a load-test day" in loop_world.last_ephemeral(QA).text
    assert len(loop_world.channel()) == posted  # a refusal changes nothing

    loop_world.command(QA, "loadtest stage 0.13.0 window 2026-12-09T14:00 16:00 tokbox")
    announced = loop_world.channel()[-1]
    assert ("Load test of loop-server 0.13.0 on stage with tokbox: Wed 2026-12-09 14:00 to "
            "16:00 (Europe/Paris)") in announced.text
    assert "not mailed: no SMTP_URL or mailing list is configured" in str(announced.blocks)

    feed = requests.get(f"{loop_world.server.url}/calendar.ics", timeout=5)
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    windows = [e for e in events if "load test" in str(e["SUMMARY"])]
    assert [str(e["SUMMARY"]) for e in windows] == [
        "loop-server 0.13.0: load test on stage with tokbox"]

    loop_world.command(QA, "loadtest stage 0.13.0 pass")
    assert "window of 0.13.0 starts Wed 2026-12-09 14:00" in loop_world.last_ephemeral(QA).text
    set_clock(loop_world, dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC))
    loop_world.command(QA, "loadtest stage 0.13.0 pass 3000 rooms, p99 180ms")
    result = loop_world.channel()[-1]
    assert "Load test passed for loop-server 0.13.0 on stage" in result.text
    assert "noted on stage bug" in str(result.blocks)
    loop_world.command(QA, "verify stage 0.13.0")
    assert loop_world.release("0.13.0").state is State.PROD_REQUESTED


def test_a_failed_load_test_with_a_bug_rejects_and_emergency_breaks_the_window_rules(
    loop_world: LoopWorld
) -> None:
    loop_world.to_stage("0.13.0")
    posted = len(loop_world.channel())
    loop_world.command(LEAD, 'loadtest stage 0.13.0 window 2026-12-07T09:00 10:00 '
                             '--emergency "partners can only do Monday"')
    question = loop_world.last_ephemeral(LEAD)
    assert "Mon 2026-12-07 is not a load-test day" in str(question.blocks)
    assert len(loop_world.channel()) == posted  # nothing recorded before the click
    loop_world.click(LEAD, question, "Override load-test window 0.13.0")
    loop_world.click(LEAD, question, "Override load-test window 0.13.0")  # a double click
    forced = loop_world.channel()[-1]
    assert len(loop_world.channel()) == posted + 1
    assert "Emergency override" in str(forced.blocks)
    assert "Mon 2026-12-07 is not a load-test day" in str(forced.blocks)
    set_clock(loop_world, dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC))
    loop_world.command(QA, "loadtest stage 0.13.0 fail <b>calls</b> drop bug 1096112")
    failed = loop_world.channel()[-1]
    blocks = str(failed.blocks)
    assert "rejected on stage for bug 1096112" in blocks
    assert "&lt;b&gt;calls&lt;/b&gt; drop" in blocks
    release = loop_world.release("0.13.0")
    assert release.state is State.REJECTED and release.rejected_for == 1096112


def _windows(world: LoopWorld) -> list:
    with world.app.ctx.store.unit_of_work() as uow:
        return list(uow.loadtests.windows())


def test_an_emergency_window_records_only_what_was_offered_to_whom(loop_world: LoopWorld
                                                                   ) -> None:
    """The override's button names a recorded offer (issue 8's rule for confirmations): a
    button the bot never offered records nothing, and a press from someone else leaves the
    offer to the person it was made to."""
    loop_world.to_stage("0.13.0")
    forged = {"s": "loop-server", "v": "0.13.0", "from": "2026-12-07T09:00:00+00:00",
              "to": "2026-12-07T23:00:00+00:00", "p": [], "r": "forged"}
    loop_world.command(LEAD, "status 0.13.0")
    button = {"action_id": ACTION_LOADTEST_WINDOW, "block_id": "confirm:loadtest:x",
              "value": json.dumps(forged), "text": {"type": "plain_text", "text": "Override"}}
    loop_world.signed.click(LEAD, loop_world.last_ephemeral(LEAD), button)
    assert loop_world.app.drain(30)
    assert "not one I offered" in loop_world.last_ephemeral(LEAD).text
    assert _windows(loop_world) == []
    loop_world.command(LEAD, 'loadtest stage 0.13.0 window 2026-12-07T09:00 10:00 '
                             '--emergency "partners can only do Monday"')
    question = loop_world.last_ephemeral(LEAD)
    loop_world.click(QA, question, "Override load-test window 0.13.0")
    assert _windows(loop_world) == []
    loop_world.click(LEAD, question, "Override load-test window 0.13.0")
    [window] = _windows(loop_world)
    assert (window.end - window.start) == dt.timedelta(hours=1)
    assert window.override_reason == "partners can only do Monday"


def test_a_window_to_the_year_9999_is_refused_at_once_in_one_line(loop_world: LoopWorld
                                                                 ) -> None:
    """Issue 17: this window took a minute and 150 MB and answered with 3,000 characters
    of refused days; an emergency override does not let it through either."""
    loop_world.to_stage("0.13.0")
    posted = len(loop_world.channel())
    for user, extra in ((QA, ""), (LEAD, ' --emergency "partners asked"')):
        loop_world.command(user, f"loadtest stage 0.13.0 window 2026-12-10T14:00 "
                                 f"9999-12-31T09:00{extra}")
        refused = loop_world.last_ephemeral(user).text
        assert refused.startswith("no load-test window for loop-server 0.13.0: it spans "
                                  "2,912,100 days (Thu 2026-12-10 to Fri 9999-12-31), more "
                                  "than its cycle's load-test days"), refused
        assert "\n" not in refused and len(refused) < 300
    assert len(loop_world.channel()) == posted and _windows(loop_world) == []
