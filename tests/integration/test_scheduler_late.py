"""The scheduler after downtime, and the environment watch's alarms: a missed announcement
still useful is posted late with a note, a stale one is skipped and logged once; a prod
version nobody greenlit raises an alarm; a version coming back is news again."""

from __future__ import annotations

import logging

import pytest

from bot.domain.actions import Action
from bot.jobs import run_due
from tests.fixtures.scheduler import SERVICE, Rehearsal, paris
from tests.fixtures.world import DEV


def tick(r: Rehearsal, when: str) -> list[str]:
    """The bot was down until `when`: its first tick runs there (no rehearsal between)."""
    r.at(when)
    bot = r.bots[0]
    run_due(bot.ctx, bot.chat, None, paris(when))
    return r.new_posts()


def test_announcement_missed_at_ten_is_posted_late_with_a_note(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.at("2026-12-08 09:40")
    r.tag(DEV, "0.13.0")
    posts = tick(r, "2026-12-08 13:05")
    server = [p for p in posts if p.startswith("loop-server")]
    assert len(server) == 1
    assert server[0].endswith("(posted late: the bot was down at 10:00)")
    message = next(m for m in r.sandbox.slack.messages("#loop") if m.text == server[0])
    assert message.blocks[-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "posted late: the bot was down at 10:00"}]}
    assert [p for p in tick(r, "2026-12-08 13:06") if "is tagged" in p] == []


def test_announcement_after_its_qa_window_is_skipped_and_logged_once(
    rehearsal: Rehearsal, caplog: pytest.LogCaptureFixture
) -> None:
    r = rehearsal
    caplog.set_level(logging.WARNING, logger="loopbot.scheduler")
    assert tick(r, "2026-12-14 09:00") == []  # down from Monday to the next Monday
    skipped = [m for m in caplog.messages if m.startswith("skipped announce:")]
    assert skipped == [
        "skipped announce:loop-server:2026-12-08: the QA window of cycle 1 ended Mon 2026-12-14",
        "skipped announce:loop-client:2026-12-08: the QA window of cycle 1 ended Mon 2026-12-14",
    ]
    caplog.clear()
    posts = tick(r, "2026-12-14 16:00")
    assert [p.split(":")[0] for p in posts] == ["Prod push day for loop-server, Mon 2026-12-14",
                                                "Prod push day for loop-client, Mon 2026-12-14"]
    assert all(p.endswith("(posted late: the bot was down at 10:00)") for p in posts)
    assert not [m for m in caplog.messages if m.startswith("skipped")]
    with r.ctx.store.unit_of_work() as uow:
        skips = [e for e in uow.audit.find(SERVICE) if e.detail.startswith("skipped:")]
    assert [(e.actor, e.request_id) for e in skips] == [
        ("scheduler", "announce:loop-server:2026-12-08"),
        ("scheduler", "gonogo:loop-server:2026-12-14")]  # Friday's, the push day has come


def test_prod_push_reminder_says_what_is_missing_and_whose_it_is(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.at("2026-12-08 09:40")
    r.to_stage("0.13.0")
    r.run("2026-12-14 10:00")
    push = [p for p in r.posted() if p.startswith("Prod push day for loop-server")]
    assert push == ["Prod push day for loop-server, Mon 2026-12-14:\n- 0.13.0: no green light "
                    "yet (stage-deployed). Next: QA: test 0.13.0 on stage, then "
                    "`/loop verify stage 0.13.0` (or `/loop reject stage 0.13.0 bug N`) "
                    "<@U0QA00001>"]


def test_a_version_nobody_greenlit_in_prod_raises_an_alarm(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.run("2026-12-08 09:30")
    r.tag(DEV, "0.13.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.13.0")
    r.run("2026-12-08 10:30")
    r.deploy("prod", "0.13.0")  # straight to prod, before stage was even deployed
    posts = r.run("2026-12-08 10:31")
    assert posts == [
        ":rotating_light: prod now runs loop-server 0.13.0 (was 0.12.2) without a green "
        "light: 0.13.0 is stage-requested, never greenlit. OPS: find out who deployed it "
        "and back it off, or an emergency person records why. <@U0OPS0001> <@U0LEAD001>"]
    assert r.run("2026-12-08 10:40") == []


def test_a_version_coming_back_is_posted_again_and_an_unknown_one_alarms(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.run("2026-12-07 14:00")
    prod = r.sandbox.environment(SERVICE, "prod")
    prod.deploy("0.12.3", "1" * 40, "0.12.x")
    posts = r.run("2026-12-07 14:01")
    assert posts == [
        ":rotating_light: prod now runs loop-server 0.12.3 (was 0.12.2) without a green "
        "light: no release 0.12.3 is recorded. OPS: find out who deployed it and back it "
        "off, or an emergency person records why. <@U0OPS0001> <@U0LEAD001>"]
    stage = r.sandbox.environment(SERVICE, "stage")
    stage.deploy("0.12.3", "1" * 40, "0.12.x")
    stage.deploy("0.12.2", "2" * 40, "0.12.2")
    assert r.run("2026-12-07 14:02") == []  # nothing changed between two looks
    stage.deploy("0.12.3", "1" * 40, "0.12.x")
    assert r.run("2026-12-07 14:03") == [
        "stage now runs loop-server 0.12.3 (was 0.12.2): no release 0.12.3 is recorded."]
    stage.deploy("0.12.2", "2" * 40, "0.12.2")
    assert r.run("2026-12-07 14:04") == [
        "stage now runs loop-server 0.12.2 (was 0.12.3): no release 0.12.2 is recorded."]


def test_an_unreachable_environment_changes_nothing(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.run("2026-12-07 14:00")
    stage = r.sandbox.environment(SERVICE, "stage")
    stage.faults.fail_next(500, count=5, path="^/$")
    assert r.run("2026-12-07 14:01") == []
    stage.faults.clear()
    assert r.run("2026-12-07 14:02") == []


def test_monitoring_closed_more_than_a_day_late_is_skipped(
    rehearsal: Rehearsal, caplog: pytest.LogCaptureFixture
) -> None:
    r = rehearsal
    r.at("2026-12-08 09:40")
    r.to_prod("0.13.0")
    caplog.set_level(logging.WARNING, logger="loopbot.scheduler")
    posts = tick(r, "2026-12-10 12:00")
    assert not [p for p in posts if "Monitoring of" in p]
    assert ("skipped monitor:loop-server:0.13.0:closed: the monitoring window ended "
            "Tue 2026-12-08") in caplog.messages


def test_a_post_slack_fails_is_recorded_and_never_repeated(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.run("2026-12-08 09:59")
    r.sandbox.slack.faults.fail_next(500, count=2, path="chat.postMessage")
    assert r.run("2026-12-08 10:00") == []
    assert r.run("2026-12-08 10:05") == []  # at most once: the occurrence is spent
    with r.ctx.store.unit_of_work() as uow:
        [announced] = [e for e in uow.audit.find(SERVICE) if e.action == "announce"]
    assert announced.detail == ("cycle 1; not posted: Slack: chat.postMessage failed: "
                                "internal_error")


def test_prod_returning_to_the_release_before_offers_ops_the_back_off(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.run("2026-12-08 09:30")
    r.to_prod("0.13.0")
    r.run("2026-12-08 11:00")
    r.deploy("prod", "0.12.2")  # OPS backed the build off, and has not said so yet
    posts = r.run("2026-12-08 11:01")
    assert posts == [
        ":leftwards_arrow_with_hook: prod runs 0.12.2 again (was loop-server 0.13.0, "
        "prod-deployed): backed off? OPS: record it with the button or `/loop backoff prod "
        "0.13.0 [bug N] REASON`; DEV then fixes it in a patch. <@U0OPS0001>"]
    posted = r.sandbox.slack.messages("#loop")[-1]
    buttons = [e for b in posted.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Back off prod 0.13.0"]
    assert r.run("2026-12-08 11:10") == []  # said once
