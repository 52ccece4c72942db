"""Issues 17 and 18: everything about a pressed button comes from the bot's own records,
never from what the signed payload says (its value, the message it was pressed on), and
a click's log line tells Slack's retry number. Signed Slack requests to the running bot."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import requests

from bot.config.settings import Settings
from bot.domain.release import State
from bot.sandbox.slack.signed import APP_ID, TEAM_ID, buttons
from tests.fixtures.app import DEV, QA, LoopWorld, assert_refused_in_one_line, forged_version

CLIENT = "#loop-client"


@pytest.fixture
def settings(settings: Settings, shipped_settings: Settings) -> Settings:
    """loop-client with its own channel, as shipped (roles: the top-level ones)."""
    server, _ = settings.services
    client = shipped_settings.services[1].model_copy(update={"roles": {}})
    return settings.model_copy(update={"services": (server, client)})


def _button(message: Any, label: str) -> dict[str, Any]:
    return next(b for b in buttons(message) if b["text"]["text"].startswith(label))


def _tampered(body: str, change: Any) -> str:
    form = dict(parse_qsl(body))
    payload = json.loads(form["payload"])
    change(payload)
    return urlencode({"payload": json.dumps(payload)})


def test_a_tag_click_posts_where_the_offer_says_not_where_the_value_says(
    loop_world: LoopWorld,
) -> None:
    """Issue 17: `"s":"loop-client"` in loop-server's Tag button tagged loop-server (from
    the offer) but posted to #loop-client."""
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    button = _button(preview, "Tag 0.13.0")
    value = json.loads(button["value"])
    forged = {**button, "value": json.dumps({**value, "s": "loop-client", "v": "0.1.0"})}
    loop_world.signed.click(DEV, preview, forged)
    assert loop_world.app.drain(30)
    assert loop_world.release("0.13.0").state is State.TAGGED
    assert loop_world.slack.messages(CLIENT) == []
    assert "loop-server 0.13.0 tagged" in loop_world.channel()[-1].text


def test_a_next_step_press_rebuilds_the_message_from_the_record_not_the_payload(
    loop_world: LoopWorld,
) -> None:
    """Issue 18: the pressed message was rebuilt from the payload's `message.blocks` (a
    payload with 1,400 `<!channel>` blocks was posted back as the bot)."""
    tagged = loop_world.tag("0.13.0")
    button = _button(tagged, "Request stage 0.13.0")
    hostile = [{"type": "section", "block_id": f"evil{i}",
                "text": {"type": "mrkdwn", "text": "<!channel> wake up"}} for i in range(1400)]

    def forge(payload: dict[str, Any]) -> None:
        payload["message"] = {"ts": tagged.ts, "text": "<!channel> forged",
                              "blocks": hostile}

    body = _tampered(loop_world.signed.click_body(DEV, tagged, button), forge)
    loop_world.signed.post(body)
    assert loop_world.app.drain(30)
    assert loop_world.release("0.13.0").state is State.STAGE_REQUESTED
    pressed = next(m for m in loop_world.slack.messages("#loop", include_deleted=True)
                   if m.ts == tagged.ts)
    shown = pressed.text + json.dumps(pressed.blocks)
    assert "<!channel>" not in shown and "forged" not in shown
    assert len(pressed.blocks) < 10
    assert "Request stage 0.13.0" in shown and f"<@{DEV}>" in shown
    assert buttons(pressed) == []  # the pressed button is gone


def test_a_retried_click_logs_slacks_retry_number(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 18: button clicks logged "(retry 0)" whatever X-Slack-Retry-Num said."""
    tagged = loop_world.tag("0.13.0")
    body = loop_world.signed.click_body(QA, tagged, _button(tagged, "Request stage"))
    loop_world.signed.post(body)
    assert loop_world.app.drain(30)
    with caplog.at_level(logging.INFO, logger="loopbot"):
        loop_world.signed.post(body, retry_num=2)
        assert loop_world.app.drain(30)
    assert "(retry 2)" in caplog.text, caplog.text


def test_a_retried_app_home_event_logs_slacks_retry_number(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 18's retry log, for App Home's event too (it said "(retry 0)" as clicks did)."""
    signed = loop_world.signed
    event = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": APP_ID,
             "event_id": "Ev0HOMERETRY", "event_time": int(time.time()),
             "event": {"type": "app_home_opened", "user": QA, "channel": "D0HOME0001",
                       "tab": "home", "event_ts": f"{time.time():.6f}"}}
    body = json.dumps(event)

    def send(**retry: int) -> None:
        answer = requests.post(signed.request_url, data=body.encode(), timeout=10, headers={
            **signed.headers(body, **retry), "Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        assert loop_world.app.drain(30)

    send()
    with caplog.at_level(logging.INFO, logger="loopbot"):
        send(retry_num=3)
    assert "already handled Ev0HOMERETRY (retry 3)" in caplog.text, caplog.text


def test_a_next_step_button_whose_version_is_not_a_label_is_refused_in_one_line(
    loop_world: LoopWorld,
) -> None:
    """Issue 21: a button's version is read as a release label at the edge; a forged
    multi-line `v` was looked up as it came and repeated whole in the refusal."""
    tagged = loop_world.tag("0.13.2")
    button = _button(tagged, "Request stage 0.13.2")
    loop_world.signed.click(QA, tagged, forged_version(button, "0.13.2"))
    assert loop_world.app.drain(30)
    assert_refused_in_one_line(loop_world.last_ephemeral(QA).text, "0.13.2")
    assert loop_world.release("0.13.2").state is State.TAGGED
