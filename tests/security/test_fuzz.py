"""Issue 8: fuzzed command lines and interactive payloads, signed, over HTTP, from people
with no role (so nothing they send may change anything). Never a 5xx, never a traceback
or an error in the log, never a live `<!channel>`, `<!here>`, `<!subteam^...>` or `<@U...>`
from their text, never a state change."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.settings import load_settings
from bot.messages import ACTION_STEP, ACTION_TAG
from bot.sandbox.slack.signed import TEAM_ID
from tests.fixtures.app import LoopWorld, start_world, stop_world
from tests.security.conftest import signed_post, state

REPO = Path(__file__).resolve().parents[2]
STRANGERS = ("U0STRANGE1", "U0NOBODY01")  # no role anywhere
HOSTILE = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0EVIL>", "<@U0EVIL>",
           "<@W0EVIL|x>", "<http://evil.example|x>", "*bold*", "_it_", "~s~", "`c`", '"',
           "'", "“", "&lt;!channel&gt;", "&amp;", "--emergency", "--service", "service:",
           "bug", "#", "to", "on", "v", "\n", "\t", "\u200b", "١٢", "²", "1" * 5000]
WORDS = ["tag", "request", "deployed", "verify", "reject", "rerelease", "block", "unblock",
         "greenlight", "backport", "change", "status", "history", "envs", "calendar",
         "help", "stage", "prod", "production", "0.13.0", "v0.12.2", "change-1", "0.12",
         "bug 1100001", "1100001", "deadbeef", *HOSTILE]
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^S0EVIL", "<@U0EVIL", "<@W0EVIL",
        "<http://evil")

lines = st.one_of(
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=8)
    .map(" ".join),
    st.text(max_size=200),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
button_values = st.one_of(
    st.text(max_size=40),
    st.fixed_dictionaries({}, optional={
        "s": st.sampled_from(["loop-server", "loop-client", "<!here>"]) | st.text(max_size=8),
        "v": st.sampled_from(["0.13.0", "0.12.2", "9.9.9", "change-1"]) | st.text(max_size=8),
        "a": st.sampled_from(["tag", "greenlight", "deployed prod", "verify stage"])
        | st.text(max_size=8),
        "sha": st.text("0123456789abcdef", min_size=40, max_size=40),
        "r": st.sampled_from(HOSTILE), "o": st.text(max_size=20),
    }).map(json.dumps),
    # issue 18: JSON nested deeper than json.loads reads (about 1,000 levels)
    st.integers(500, 5000).map(lambda depth: "[" * depth),
)
views = st.fixed_dictionaries({}, optional={  # issue 18: a view without its type
    "type": st.sampled_from(["modal", "home", "workflow_step"]) | st.text(max_size=8),
    "callback_id": st.text(max_size=8), "id": st.text(max_size=8),
})


@st.composite
def interactions(draw: st.DrawFn) -> dict[str, Any]:
    action = {"action_id": draw(st.sampled_from([ACTION_TAG, ACTION_STEP]) | st.text(max_size=8)),
              "block_id": draw(st.sampled_from(["confirm:loop-server:0.13.0",
                                                "tag:loop-server:9.9.9",
                                                "next:loop-server:0.12.2"]) | st.text(max_size=8)),
              "value": draw(button_values),
              "text": {"type": "plain_text", "text": draw(st.sampled_from(HOSTILE))}}
    payload: dict[str, Any] = {  # from the bot's workspace: another's stops at the gate
        "type": "block_actions", "team": {"id": TEAM_ID},
        "user": {"id": draw(st.sampled_from(STRANGERS))},
        "actions": [action], "trigger_id": draw(st.text(max_size=12)),
        # mostly a container Slack sends, so most presses reach the listeners
        "container": draw(st.sampled_from([{"type": "message"}, {"type": "view"}])
                          | json_values),
        "message": draw(json_values),
    }
    for key in draw(st.lists(st.sampled_from(["container", "message", "trigger_id",
                                              "response_url"]))):
        payload[key] = None  # marked: dropped, or (response_url) not handed out
    return payload


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.bad: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.bad.append(record.getMessage())


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopWorld, Collected]]:
    base = load_settings(REPO / "app.yaml", environ={})
    sandbox, world = start_world(base, tmp_path_factory.mktemp("fuzz"))
    world.app.runtime.quiet = 0.0  # one request at a time: no burst to yield to
    collected = Collected()
    logging.getLogger().addHandler(collected)
    try:
        yield world, collected
    finally:
        logging.getLogger().removeHandler(collected)
        stop_world(sandbox, world)


def _check(world: LoopWorld, collected: Collected, status: int, before: dict[str, int],
           seen: int) -> None:
    assert world.app.drain(30)
    assert status < 500
    assert collected.bad == []
    assert state(world) == before
    posted = [*world.slack.messages(include_deleted=True), *world.slack.ephemerals()]
    for message in posted[seen:]:
        shown = message.text + json.dumps(message.blocks, ensure_ascii=False)
        assert [token for token in LIVE if token in shown] == [], shown


def _posted(world: LoopWorld) -> int:
    return len(world.slack.messages(include_deleted=True)) + len(world.slack.ephemerals())


FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(line=lines, user=st.sampled_from(STRANGERS))
def test_fuzzed_command_lines(fuzz_world: tuple[LoopWorld, Collected], line: str,
                              user: str) -> None:
    world, collected = fuzz_world
    before, seen = state(world), _posted(world)
    answer = world.signed.command(user, line)
    _check(world, collected, answer.status_code, before, seen)
    assert answer.status_code == 200


@FUZZ
@given(payload=interactions())
def test_fuzzed_interactive_payloads(fuzz_world: tuple[LoopWorld, Collected],
                                     payload: dict[str, Any]) -> None:
    world, collected = fuzz_world
    before, seen = state(world), _posted(world)
    if "response_url" not in payload:  # Slack hands one out with every click
        channel = world.slack.workspace.resolve_channel("#loop")
        assert channel is not None
        payload["response_url"] = world.slack.new_response_url(channel.id,
                                                                payload["user"]["id"])
    payload = {key: value for key, value in payload.items() if value is not None}
    raw = urlencode({"payload": json.dumps(payload)}).encode()
    answer = signed_post(world, raw)
    _check(world, collected, answer.status_code, before, seen)


@FUZZ
@given(kind=st.sampled_from(["view_submission", "view_closed"]), view=views | json_values,
       user=st.sampled_from(STRANGERS))
def test_fuzzed_view_payloads(fuzz_world: tuple[LoopWorld, Collected], kind: str,
                              view: object, user: str) -> None:
    """Issue 18: a modal's payload whose view lacks its type crashed inside Bolt (500)."""
    world, collected = fuzz_world
    before, seen = state(world), _posted(world)
    payload = {"type": kind, "team": {"id": TEAM_ID}, "user": {"id": user}, "view": view,
               "trigger_id": "1.view"}
    answer = signed_post(world, urlencode({"payload": json.dumps(payload)}).encode())
    _check(world, collected, answer.status_code, before, seen)


@FUZZ
@given(body=json_values)
def test_fuzzed_payload_shapes(fuzz_world: tuple[LoopWorld, Collected], body: object) -> None:
    world, collected = fuzz_world
    before, seen = state(world), _posted(world)
    answer = signed_post(world, urlencode({"payload": json.dumps(body)}).encode())
    _check(world, collected, answer.status_code, before, seen)
