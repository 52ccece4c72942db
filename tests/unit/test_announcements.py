"""Rendering of the scheduler's messages: content people act on, Block Kit that Slack
accepts (checked with the Slack stand-in's validator), and the email body equal to the
Slack text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.deadline import LateStep
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Release, State, Ticket
from bot.messages.announcements import (
    Announcement,
    CycleDates,
    fixed_bugs,
    late_note,
    next_owners,
    render_announcement,
    render_environment_change,
    render_heartbeat_failing,
    render_late_step,
    render_monitoring_closed,
    render_prod_alarm,
    render_prod_push,
)
from bot.sandbox.slack.blocks import block_errors

PARIS = ZoneInfo("Europe/Paris")
NOTES = """0.15.0 (2027-01-19)
-------------------

- [bugfix] 1104421 — Expire room tokens after 24 hours
- [feature] 1103310 — Add a participant limit to /v2/rooms
"""
DATES = CycleDates(4, dt.date(2027, 1, 19), dt.date(2027, 1, 20), dt.date(2027, 1, 22),
                   dt.date(2027, 1, 25))


def release(state: State = State.STAGE_REQUESTED, **fields: object) -> Release:
    base: dict = {"service": "loop-server", "version": "0.15.0", "state": state,
                  "tag": "0.15.0", "fixed_bugs": (1104421, 1103310, 1105002),
                  "flagged_bugs": (1105117,), "notes": NOTES,
                  "tickets": (Ticket(Env.STAGE, 1106001),)}
    return Release(**{**base, **fields})


def mention(*roles: str) -> str:
    people = {"DEV": "<@U0DEV0001>", "OPS": "<@U0OPS0001>", "QA": "<@U0QA00001>",
              "emergency": "<@U0LEAD001>"}
    return " ".join(people[r] for r in roles)


def test_announcement_lists_bugs_dates_and_where_to_try_it() -> None:
    rendered = render_announcement(Announcement(
        "loop-server", DATES, release(), stage_url="https://loop.stage.mozaws.net"),
        pipeline=DEFAULT)
    assert rendered.text == "\n".join([
        "loop-server 0.15.0 is tagged (cycle 4): Tue 2027-01-19.",
        "Bugs fixed:",
        "- bug 1104421: Expire room tokens after 24 hours",
        "- bug 1103310: Add a participant limit to /v2/rooms",
        "- bug 1105002",
        "Flagged (referenced, not RESOLVED FIXED): bug 1105117",
        "Status: stage-requested, stage bug 1106001.",
        "Next: OPS: deploy 0.15.0 to stage, then `/loop deployed stage 0.15.0`",
        "QA on stage: Wed 2027-01-20 to Fri 2027-01-22",
        "Prod push: Mon 2027-01-25",
        "Try it on stage: https://loop.stage.mozaws.net",
    ])
    assert rendered.subject == "loop-server 0.15.0 is tagged (cycle 4), prod push Mon 2027-01-25"
    assert rendered.blocks[0] == {"type": "header", "text": {
        "type": "plain_text", "text": "loop-server 0.15.0 is tagged (cycle 4)"}}
    assert block_errors(rendered.blocks) == []


def test_announcement_with_nothing_tagged_asks_dev_and_keeps_mentions_out_of_the_email() -> None:
    dates = CycleDates(5, dt.date(2027, 2, 2), dt.date(2027, 2, 3), dt.date(2027, 2, 5), None,
                       "none this cycle (Mon 2027-02-08 is skipped); the next is Mon 2027-02-22")
    rendered = render_announcement(Announcement(
        "loop-server", dates, None, next_version="0.16.0", late="posted late: the bot was "
        "down at 10:00", mentions="<@U0DEV0001>"), pipeline=DEFAULT)
    assert rendered.text.splitlines() == [
        "loop-server: tagging day for cycle 5, nothing tagged yet: Tue 2027-02-02.",
        "To tag: 0.16.0 from master.",
        "DEV: tag it with `/loop tag`.",
        "QA on stage: Wed 2027-02-03 to Fri 2027-02-05",
        "Prod push: none this cycle (Mon 2027-02-08 is skipped); the next is Mon 2027-02-22",
        "(posted late: the bot was down at 10:00)",
    ]
    assert "<@" not in rendered.text
    assert rendered.blocks[-2:] == [
        {"type": "context", "elements": [{"type": "mrkdwn",
                                          "text": "posted late: the bot was down at 10:00"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "<@U0DEV0001>"}},
    ]
    assert block_errors(rendered.blocks) == []


def test_late_note_names_the_day_when_it_is_not_today() -> None:
    due = dt.datetime(2027, 1, 19, 10, 0, tzinfo=PARIS)
    assert late_note(due, due + dt.timedelta(hours=3), PARIS) == (
        "posted late: the bot was down at 10:00")
    assert late_note(due, due + dt.timedelta(days=1), PARIS) == (
        "posted late: the bot was down at Tue 2027-01-19 10:00")


def test_fixed_bugs_take_their_summaries_from_the_notes() -> None:
    assert fixed_bugs(release()) == [(1104421, "Expire room tokens after 24 hours"),
                                     (1103310, "Add a participant limit to /v2/rooms"),
                                     (1105002, "")]
    assert fixed_bugs(release(notes="")) == [(1104421, ""), (1103310, ""), (1105002, "")]


def test_next_owners_follow_the_lifecycle() -> None:
    assert next_owners(release(State.TAGGED), pipeline=DEFAULT) == ("DEV", "QA")
    assert next_owners(release(State.STAGE_REQUESTED), pipeline=DEFAULT) == ("OPS",)
    assert next_owners(release(State.STAGE_DEPLOYED), pipeline=DEFAULT) == ("QA",)
    assert next_owners(release(State.GREENLIT), pipeline=DEFAULT) == ("OPS",)
    assert next_owners(release(State.DONE), pipeline=DEFAULT) == ()


def test_prod_push_says_whose_move_it_is() -> None:
    rendered = render_prod_push("loop-server", dt.date(2027, 1, 25), [
        release(State.GREENLIT), release(State.REJECTED, version="0.14.2", rejected_for=1104999),
    ], mention, pipeline=DEFAULT)
    assert rendered.text.splitlines() == [
        "Prod push day for loop-server, Mon 2027-01-25:",
        "- 0.15.0: green light given. Next: OPS: push 0.15.0 to prod, then "
        "`/loop deployed prod 0.15.0` <@U0OPS0001>",
        "- 0.14.2: rejected on stage (bug 1104999), it does not go to prod. Next: DEV: fix "
        "the bug on master and tag the next patch (`/loop tag`) <@U0DEV0001>",
    ]
    assert block_errors(rendered.blocks) == []


def test_reminders_and_monitoring_messages_are_valid_block_kit() -> None:
    until = dt.datetime(2027, 1, 25, 11, 15, tzinfo=PARIS)
    deployed = release(State.PROD_DEPLOYED, tickets=(Ticket(Env.PROD, 1106002),))
    for rendered in (
        render_late_step(release(), 1106001, LateStep("deploy-stage", "OPS", "deploy it to stage",
                                                      dt.date(2027, 1, 20)),
                         mention("OPS"), "posted late: the bot was down at 10:00",
                         pipeline=DEFAULT),
        render_heartbeat_failing(deployed, "storage unavailable", until, PARIS, mention),
        render_monitoring_closed(deployed, 60, 0, False, pipeline=DEFAULT),
        render_environment_change("loop-server", "prod", "0.15.0", "0.14.1", deployed,
                                  pipeline=DEFAULT),
        render_environment_change("loop-server", "dev", "0.16.0", "0.15.0", None, pipeline=DEFAULT),
        render_prod_alarm("loop-server", "0.16.0", "0.15.0", None, mention),
    ):
        assert rendered.text and block_errors(rendered.blocks) == []
    failing = render_heartbeat_failing(deployed, "storage unavailable", until, PARIS, mention)
    assert failing.text == (
        ":red_circle: prod heartbeat failing for loop-server 0.15.0: storage unavailable. "
        "OPS: check prod (monitoring until 11:15); back it off if it does not recover. "
        "<@U0OPS0001>")
    change = render_environment_change("loop-server", "prod", "0.15.0", "0.14.1", deployed,
                                       pipeline=DEFAULT)
    assert change.text == ("prod now runs loop-server 0.15.0 (was 0.14.1): release 0.15.0 "
                           "(prod-deployed), prod bug 1106002. Next: QA: verify prod, then "
                           "`/loop verify prod 0.15.0`")


def test_a_push_the_watch_sees_before_ops_marks_it_is_to_be_marked_not_made() -> None:
    """Issue 20: right after OPS pushed, the watch said "Next: OPS: push 0.15.0 to prod"."""
    greenlit = release(State.GREENLIT, tickets=(Ticket(Env.PROD, 1106002),))
    change = render_environment_change("loop-server", "prod", "0.15.0", "0.14.1", greenlit,
                                       pipeline=DEFAULT)
    assert change.text.endswith("prod bug 1106002. Next: OPS: confirm the push with "
                                "`/loop deployed prod 0.15.0`")
    on_stage = render_environment_change("loop-server", "stage", "0.15.0", "0.14.1",
                                         release(State.STAGE_REQUESTED), pipeline=DEFAULT)
    assert on_stage.text.endswith("Next: OPS: confirm the push with "
                                  "`/loop deployed stage 0.15.0`")


def test_a_late_step_names_the_step_its_owner_and_the_deadline_passed() -> None:
    """Issue 9: "stage bug N is not verified and it is Friday. OPS: deploy..." mixed the
    QA deadline with OPS's step, and mentioned OPS for it."""
    verify = LateStep("verify-stage", "QA", "verify it on stage", dt.date(2027, 1, 22))
    rendered = render_late_step(release(State.STAGE_DEPLOYED), 1106001, verify, mention("QA"),
                                pipeline=DEFAULT)
    assert rendered.text == (
        "loop-server 0.15.0 is late: QA was to verify it on stage (stage bug 1106001) by "
        "Fri 2027-01-22. Next: QA: test 0.15.0 on stage, then `/loop verify stage 0.15.0` "
        "(or `/loop reject stage 0.15.0 bug N`) <@U0QA00001>")
    assert block_errors(rendered.blocks) == []


def test_prod_push_line_of_a_release_short_of_the_green_light_reads_plainly() -> None:
    """Issue 9: the Monday reminder read "Missing: Next: QA: ..."."""
    rendered = render_prod_push("loop-server", dt.date(2027, 1, 25),
                                [release(State.STAGE_DEPLOYED)], mention, pipeline=DEFAULT)
    assert rendered.text.splitlines()[1] == (
        "- 0.15.0: no green light yet (stage-deployed). Next: QA: test 0.15.0 on stage, then "
        "`/loop verify stage 0.15.0` (or `/loop reject stage 0.15.0 bug N`) <@U0QA00001>")


def test_announcement_of_a_release_in_flight_and_of_nothing_to_tag() -> None:
    in_flight = render_announcement(Announcement(
        "loop-server", DATES, release(), tagged_before=dt.date(2027, 1, 15)), pipeline=DEFAULT)
    assert in_flight.text.splitlines()[:3] == [
        "loop-server 0.15.0 is in flight (cycle 4): Tue 2027-01-19.",
        "Tagged Fri 2027-01-15, before this tagging day.", "Bugs fixed:"]
    nothing = render_announcement(Announcement(
        "loop-server", DATES, None, nothing_to_tag="master has nothing new since 0.15.0"),
        pipeline=DEFAULT)
    assert nothing.text.splitlines()[:2] == [
        "loop-server: tagging day for cycle 4, nothing to tag: Tue 2027-01-19.",
        "Nothing to tag: master has nothing new since 0.15.0; `/loop tag` proposes the next "
        "release once a fix lands."]
    assert nothing.subject == ("loop-server: tagging day for cycle 4, nothing to tag, prod "
                               "push Mon 2027-01-25")
    assert block_errors(in_flight.blocks) == [] and block_errors(nothing.blocks) == []
