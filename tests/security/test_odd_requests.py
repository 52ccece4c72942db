"""Issue 18, odd requests: signed bodies the bot does not handle get a 4xx and one log
line (never a 500 or a traceback), and change nothing. Each comes from the bot's own
workspace, so it is not refused for that (tests/security/test_other_workspace.py)."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from bot.messages import ACTION_STEP
from bot.sandbox.slack.signed import TEAM_ID
from tests.fixtures.app import DEV, LoopWorld
from tests.security.conftest import signed_post, state, tracebacks


def _payload(body: object) -> bytes:
    return urlencode({"payload": json.dumps(body)}).encode()


ODD = {
    # a KeyError inside Bolt (its workflow-step check reads view["type"])
    "view_submission without a view type": _payload({
        "type": "view_submission", "user": {"id": DEV}, "team": {"id": TEAM_ID},
        "trigger_id": "1.odd",
        "view": {"id": "V0ODD00001", "callback_id": "anything"}}),
    "view_closed with a view not an object": _payload({
        "type": "view_closed", "user": {"id": DEV}, "team": {"id": TEAM_ID},
        "view": ["callback_id"]}),
    # a RecursionError in decode_value, which caught only ValueError
    "button value of 5,000 [": _payload({
        "type": "block_actions", "user": {"id": DEV}, "team": {"id": TEAM_ID},
        "trigger_id": "1.deep",
        "container": {"type": "message"},
        "actions": [{"action_id": ACTION_STEP, "block_id": "next:x", "value": "[" * 5000}]}),
    # handled by no listener: Bolt's 404, with one line instead of its multi-line advice
    "a button of another app": _payload({
        "type": "block_actions", "user": {"id": DEV}, "team": {"id": TEAM_ID},
        "actions": [{"action_id": "other_app_button", "value": "x"}]}),
    "a global shortcut": _payload({
        "type": "shortcut", "callback_id": "make_coffee", "trigger_id": "1.sc",
        "user": {"id": DEV}, "team": {"id": TEAM_ID}}),
    "a modal submitted": _payload({
        "type": "view_submission", "user": {"id": DEV}, "team": {"id": TEAM_ID},
        "view": {"type": "modal", "callback_id": "survey"}}),
}


@pytest.mark.parametrize("shape", list(ODD))
def test_odd_signed_bodies_get_a_4xx_and_one_log_line(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture, shape: str,
) -> None:
    before = state(loop_world)
    with caplog.at_level(logging.INFO):
        answer = signed_post(loop_world, ODD[shape])
        assert loop_world.app.drain(10)
    assert 400 <= answer.status_code < 500, answer.text
    assert "Traceback" not in answer.text
    assert tracebacks(caplog.records) == []
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1, [r.getMessage() for r in caplog.records]
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO
            and r.name.startswith("loopbot")]
    assert [m for m in said if "\n" in m] == []
    assert state(loop_world) == before
    assert loop_world.slack.ephemerals() == []
