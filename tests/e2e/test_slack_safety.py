"""Nothing unsigned reaches the bot, and nothing is done twice: Slack's retries, double
clicks on a confirmation or a next-step button. Unexpected errors show a reference only."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest
import requests

from bot.domain.release import State
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import SlackRequests, buttons
from tests.fixtures.app import DEV, OPS, QA, LoopWorld


def _nothing_reached_slack(world: LoopWorld, calls_before: int) -> None:
    world.app.drain(10)
    assert len(world.slack.calls()) == calls_before
    assert world.slack.ephemerals() == [] and world.channel() == []


@pytest.mark.parametrize("forge", ["unsigned", "wrong secret", "stale"])
def test_badly_signed_requests_get_401_and_change_nothing(loop_world: LoopWorld,
                                                          forge: str) -> None:
    body = loop_world.signed.command_body(DEV, "tag 0.13.0")
    calls = len(loop_world.slack.calls())
    if forge == "unsigned":
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    elif forge == "wrong secret":
        other = SlackRequests(loop_world.server.slack_url, "not-the-secret", loop_world.slack)
        headers = other.headers(body)
    else:
        headers = loop_world.signed.headers(body, timestamp=int(time.time()) - 301)
    answer = requests.post(loop_world.server.slack_url, data=body.encode(), headers=headers,
                           timeout=10)
    assert answer.status_code == 401
    _nothing_reached_slack(loop_world, calls)


def test_a_retried_command_is_done_once(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    before = len(loop_world.channel())
    body = loop_world.signed.command_body(DEV, "request stage 0.13.0")
    first = loop_world.signed.post(body)
    retry = loop_world.signed.post(body, retry_num=1)
    loop_world.app.drain(30)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert len(loop_world.channel()) == before + 1
    tickets = loop_world.release("0.13.0").tickets
    assert len(tickets) == 1
    filed = [b for b in loop_world.sandbox.bugzilla.requests if b.method == "POST"
             and b.path == "/rest/bug"]
    assert len(filed) == 1


def test_a_double_clicked_confirmation_tags_once(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    loop_world.click(DEV, preview, "Tag 0.13.0")
    loop_world.click(DEV, preview, "Tag 0.13.0")
    tagged = [m for m in loop_world.channel() if "tagged" in m.text]
    assert len(tagged) == 1
    assert loop_world.sandbox.github.count("POST", r"/git/tags$") == 1


def test_a_double_clicked_step_moves_the_release_once(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(DEV, "request stage 0.13.0")
    card = loop_world.channel()[-1]
    loop_world.deploy("stage", "0.13.0")
    first = loop_world.signed.click(OPS, card, _button(card, "Mark deployed"))
    second = loop_world.signed.click(OPS, card, _button(card, "Mark deployed"))
    loop_world.app.drain(30)
    assert (first.status_code, second.status_code) == (200, 200)
    done = [m for m in loop_world.channel() if "deployed on stage" in m.text]
    assert len(done) == 1
    assert "already stage-deployed" in loop_world.last_ephemeral(OPS).text
    assert loop_world.release("0.13.0").state is State.STAGE_DEPLOYED


def test_an_unexpected_error_shows_a_reference_not_the_exception(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture,
) -> None:
    database = loop_world.settings.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TABLE tickets")
        conn.execute("DROP TABLE releases")
    with caplog.at_level(logging.ERROR, logger="loopbot.slack"):
        loop_world.command(QA, "status")
    shown = loop_world.last_ephemeral(QA).text
    assert "Something broke on my side while running `/loop status`" in shown
    assert "no such table" not in shown
    reference = shown.split("(reference ")[1].split(")")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


def _button(message: Posted, label: str) -> dict:
    return next(b for b in buttons(message) if b["text"]["text"].startswith(label))
