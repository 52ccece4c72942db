"""Issue 8 item 2: no signed request crashes the bot. Huge numbers in a command and
payloads that are not what Slack sends get a clear reply (200) or a 4xx, never a 500,
never a traceback in the log, and change nothing."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from tests.fixtures.app import DEV, OPS, LoopWorld
from tests.security.conftest import signed_post, state, tracebacks

DIGITS = 5000  # int() refuses more than 4300 digits


@pytest.mark.parametrize(("user", "line", "said"), [
    (DEV, "tag " + "1" * DIGITS, "as a version"),
    (OPS, "deployed stage " + "0" * DIGITS, "as a version"),
    (OPS, "block prod 0.13.0 bug " + "7" * DIGITS, "as a bug number"),
    (DEV, "status change-" + "9" * DIGITS, "as a version"),
    (OPS, "unblock prod 0.13.0 bug ²", "as a bug number"),
    (DEV, "tag on ١.٢", "as a release line"),
])
def test_huge_or_strange_numbers_are_refused_clearly(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture, user: str, line: str, said: str,
) -> None:
    before = state(loop_world)
    with caplog.at_level(logging.INFO):
        answer = loop_world.command(user, line)
    assert answer.status_code == 200
    shown = loop_world.last_ephemeral(user).text
    assert said in shown
    assert len(shown) < 1000, "the refusal echoes the whole line"
    assert tracebacks(caplog.records) == []
    assert state(loop_world) == before


def _payload(value: object) -> bytes:
    return urlencode({"payload": value if isinstance(value, str) else json.dumps(value)}
                     ).encode()


def _nested(depth: int) -> str:
    return '{"type":"block_actions","a":' + "[" * depth + "]" * depth + "}"


MALFORMED = {
    "payload not JSON": _payload("{not json"),
    "payload null": _payload(None),
    "payload a list": _payload([1, 2]),
    "payload a string": _payload("just text"),
    "an empty action": _payload({"type": "block_actions", "user": {"id": DEV},
                                 "actions": [{}]}),
    "deeply nested JSON": _payload(_nested(100_000)),
    "invalid UTF-8": b"payload=%7B%22type%22%3A%22block_actions%22%7D\xff\xfe",
    "JSON content type, form body": b"command=%2Floop&text=status&user_id=U0DEV0001",
    "no actions": _payload({"type": "block_actions", "user": {"id": DEV}, "actions": []}),
    "user a string": _payload({"type": "block_actions", "user": "U0DEV0001",
                               "actions": [{"action_id": "loop_tag", "value": "{}"}]}),
    "action id a number": _payload({"type": "block_actions", "user": {"id": DEV},
                                    "actions": [{"action_id": 7}]}),
    "event not an object": json.dumps({"type": "event_callback", "event": []}).encode(),
}


@pytest.mark.parametrize("shape", list(MALFORMED))
def test_malformed_signed_payloads_get_a_4xx_without_a_traceback(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture, shape: str,
) -> None:
    raw = MALFORMED[shape]
    content_type = "application/json" if shape.startswith(("JSON", "event")) \
        else "application/x-www-form-urlencoded"
    before = state(loop_world)
    with caplog.at_level(logging.DEBUG):
        answer = signed_post(loop_world, raw, content_type)
        loop_world.app.drain(10)
    assert 400 <= answer.status_code < 500
    assert "Traceback" not in answer.text
    assert tracebacks(caplog.records) == []
    assert state(loop_world) == before
    assert loop_world.slack.ephemerals() == []
