"""Issue 8 item 1: nothing from a request whose signature was not verified is ever used;
above all, its `response_url` is never called (the bot must not POST where a stranger
says)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
import requests

from tests.fixtures.app import LoopWorld
from tests.security.conftest import Attacker


def _evil_body(attacker: Attacker) -> str:
    return urlencode({"command": "/loop", "text": "status", "user_id": "U0EVIL",
                      "response_url": f"{attacker.url}/x", "trigger_id": "1.evil"})


@pytest.mark.parametrize("timestamp", ["abc", "1e3", "", "1.5", "9" * 5000, "-1"])
@pytest.mark.parametrize("signature", [None, "garbage", "v0=" + "0" * 64])
def test_a_malformed_timestamp_gets_401_and_the_bot_posts_nowhere(
    loop_world: LoopWorld, attacker: Attacker, caplog: pytest.LogCaptureFixture,
    timestamp: str, signature: str | None,
) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Slack-Request-Timestamp": timestamp}
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    calls = len(loop_world.slack.calls())
    with caplog.at_level(logging.DEBUG):
        answer = requests.post(loop_world.server.slack_url, data=_evil_body(attacker),
                               headers=headers, timeout=10)
        loop_world.app.drain(10)
    assert answer.status_code == 401
    assert attacker.received == []
    assert len(loop_world.slack.calls()) == calls
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_the_error_handler_never_answers_an_unverified_request(
    loop_world: LoopWorld, attacker: Attacker,
) -> None:
    """Defence in depth: even an error raised inside Bolt for a request that did not come
    through verification is not answered through its response_url."""
    from slack_bolt import BoltRequest

    request = BoltRequest(body=_evil_body(attacker), headers={
        "content-type": "application/x-www-form-urlencoded"})
    loop_world.app.bolt._middleware_error_handler.handle(
        error=RuntimeError("boom"), request=request, response=None)
    assert attacker.received == []


def test_slacks_ssl_check_probe_is_answered_and_nothing_else(
    loop_world: LoopWorld, attacker: Attacker,
) -> None:
    body = f"ssl_check=1&token=x&response_url={attacker.url}/x&command=/loop&text=status"
    answer = requests.post(loop_world.server.slack_url, data=body, timeout=10, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    loop_world.app.drain(10)
    assert (answer.status_code, answer.text) == (200, "")
    assert attacker.received == [] and loop_world.slack.ephemerals() == []
