"""Issue 18: `team_id` is checked. A signed request from another workspace (or another
enterprise) than the bot token's is refused with 403 and one log line: a slash command is
not answered, a Tag click does not tag."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import DEV, LoopWorld
from tests.security.conftest import state

EVIL = "T0EVIL0001"


def _as_team(body: str, team: str, enterprise: str | None = None) -> str:
    """A signed-request body as another workspace would send it."""
    form = dict(parse_qsl(body))
    if "payload" in form:
        payload = json.loads(form["payload"])
        payload["team"] = {"id": team, "domain": "evil"}
        payload["user"]["team_id"] = team
        if enterprise:
            payload["enterprise"] = {"id": enterprise}
        return urlencode({"payload": json.dumps(payload)})
    form["team_id"] = team
    if enterprise:
        form["enterprise_id"] = enterprise
    return urlencode(form)


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "another workspace" in r.getMessage()
            or "refused a request from workspace" in r.getMessage()]


@pytest.mark.parametrize(("team", "enterprise"), [(EVIL, None), ("T0LOOP0001", "E0EVIL0001")])
def test_a_command_from_another_workspace_is_refused(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture, team: str, enterprise: str | None,
) -> None:
    body = _as_team(loop_world.signed.command_body(DEV, "status"), team, enterprise)
    before = state(loop_world)
    with caplog.at_level(logging.INFO, logger="loopbot"):
        answer = loop_world.signed.post(body)
        assert loop_world.app.drain(10)
    assert answer.status_code == 403
    assert loop_world.slack.ephemerals() == []
    assert state(loop_world) == before
    assert len(_refusals(caplog)) == 1, caplog.text


def test_a_tag_click_from_another_workspace_does_not_tag(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture,
) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    button = next(b for b in buttons(preview) if b["text"]["text"].startswith("Tag 0.13.0"))
    body = _as_team(loop_world.signed.click_body(DEV, preview, button), EVIL)
    before = state(loop_world)
    with caplog.at_level(logging.INFO, logger="loopbot"):
        answer = loop_world.signed.post(body)
        assert loop_world.app.drain(10)
    assert answer.status_code == 403
    assert state(loop_world) == before
    assert len(_refusals(caplog)) == 1, caplog.text
    # the same click from the bot's own workspace still tags
    loop_world.signed.click(DEV, preview, button)
    assert loop_world.app.drain(30)
    assert "0.13.0" in loop_world.channel()[-1].text
    assert state(loop_world) != before
