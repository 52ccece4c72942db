"""Issue 8 item 2: no signed request crashes the bot. Huge numbers in a command and
payloads that are not what Slack sends get a clear reply (200) or a 4xx, never a 500,
never a traceback in the log, and change nothing."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.domain.errors import Refusal
from bot.domain.version import Version
from handlers.grammar.words import bug_number, release_label, release_line
from tests.fixtures.app import DEV, OPS, LoopWorld
from tests.security.conftest import signed_post, state, tracebacks

DIGITS = 5000  # int() refuses more than 4300 digits


TOO_LONG = "reads 4,000 at most"


@pytest.mark.parametrize(("user", "line", "said"), [
    (DEV, "tag " + "1" * DIGITS, TOO_LONG),  # the exact inputs
    (OPS, "deployed stage " + "0" * DIGITS, TOO_LONG),
    (DEV, "tag " + "1" * 3000, "as a version"),
    (OPS, "deployed stage " + "0" * 3000, "as a version"),
    (OPS, "block prod 0.13.0 bug " + "7" * 3000, "as a bug number"),
    (DEV, "status change-" + "9" * 3000, "as a version"),
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


@pytest.mark.parametrize("read", [
    lambda: Version.parse("1" * DIGITS), lambda: bug_number("7" * DIGITS),
    lambda: release_label("change-" + "9" * DIGITS), lambda: release_line("1" * DIGITS + ".2"),
])
def test_numbers_past_python_int_limit_are_refused_not_raised(read: Any) -> None:
    """int() raises ValueError past 4,300 digits; the readers refuse instead."""
    with pytest.raises(Refusal, match="couldn't read"):
        read()


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
    # found by the fuzz (test_fuzz.py): the step button read `container` as an object
    "container a list": _payload({"type": "block_actions", "user": {"id": DEV},
                                  "container": [], "actions": [{"action_id": "loop_step",
                                                                "value": "{}"}]}),
    "action text a string": _payload({"type": "block_actions", "user": {"id": DEV},
                                      "actions": [{"action_id": "loop_step", "value": "{}",
                                                   "text": "Verify"}]}),
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
