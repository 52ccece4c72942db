"""The advice follows the gates (issue 19): on loop-server, whose stage verification
waits for a passed load test, "deployed on stage" used to say "QA: test 0.13.0 on stage,
then `/loop verify stage 0.13.0`" with a Verify button that was then refused. Now it names
the gate that is next, and offers no step that would be refused. Over signed Slack
requests, with the shipped app.yaml."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.clock import ManualClock
from bot.config.settings import Settings
from bot.domain.release import State
from tests.e2e.test_slack_more_commands import _open_home
from tests.fixtures.app import QA, LoopWorld


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    return shipped_settings


def _buttons(blocks: list[dict[str, object]]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b.get("type") == "actions"  # type: ignore[index]
            for e in b["elements"]]  # type: ignore[attr-defined]


def test_deployed_on_stage_names_the_load_test_window_not_a_refused_verify(
    loop_world: LoopWorld
) -> None:
    world = loop_world
    world.to_stage("0.13.2")
    deployed = world.channel()[-1]
    said = deployed.text + json.dumps(deployed.blocks)
    assert "deployed on stage" in said
    assert "agree a load-test window with partners (`/loop loadtest stage 0.13.2 window" in said
    assert "QA: test 0.13.2 on stage" not in said
    assert "Verify stage 0.13.2" not in _buttons(deployed.blocks)

    world.command(QA, "verify stage 0.13.2")
    refused = world.last_ephemeral(QA).text
    assert "requires a passed load test" in refused
    assert "QA: test 0.13.2 on stage, then" not in refused  # the hint names the gate too
    assert "agree a load-test window" in refused

    world.command(QA, "loadtest stage 0.13.2 window 2026-12-09T14:00 16:00 tokbox")
    world.command(QA, "verify stage 0.13.2")
    refused = world.last_ephemeral(QA).text
    assert "run the load test in its window and record the result (`/loop loadtest stage " \
           "0.13.2 pass`" in refused

    clock = world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC))
    world.command(QA, "loadtest stage 0.13.2 pass 2500 rooms, p99 150ms")
    world.command(QA, "verify stage 0.13.2")
    assert world.release("0.13.2").state is State.PROD_REQUESTED


def test_app_home_offers_qa_no_verify_while_the_load_test_is_missing(
    loop_world: LoopWorld
) -> None:
    world = loop_world
    world.to_stage("0.13.3")
    _open_home(world, QA, "Ev0GATE0001")
    view = world.slack.home_view(QA)
    assert view is not None
    text = json.dumps(view["blocks"])
    assert "0.13.3" in text and "stage-deployed" in text
    assert "agree a load-test window with partners" in text
    assert "Verify stage 0.13.3" not in text


def test_status_names_the_load_test_as_the_next_step(loop_world: LoopWorld) -> None:
    world = loop_world
    world.to_stage("0.13.4")
    world.command(QA, "status 0.13.4")
    one = json.dumps(world.last_ephemeral(QA).blocks)
    world.command(QA, "status")
    listed = json.dumps(world.last_ephemeral(QA).blocks)
    for said in (one, listed):
        assert "agree a load-test window with partners" in said
        assert "QA: test 0.13.4 on stage" not in said
