"""App Home's viewers list does not only grow (issue 18): a viewer Slack no longer knows
is dropped at the first failed publish with one log line, and a Home opened long ago is
not republished after every step."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from bot.clock import ManualClock
from handlers.home import VIEWERS_KEEP
from tests.fixtures.app import DEV, OPS, QA, LoopWorld

GONE = "U0GONE0001"  # deactivated, or of another workspace: the stand-in does not know them


def open_home(world: LoopWorld, user: str, event_id: str) -> None:
    event = {"type": "event_callback", "team_id": "T0LOOP0001", "api_app_id": "A0LOOPBOT1",
             "event_id": event_id, "event_time": 1765180800,
             "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME0002",
                       "tab": "home", "event_ts": "1765180800.000200"}}
    assert world.signed.post(json.dumps(event)).status_code == 200
    assert world.app.drain(30)


def publishes(world: LoopWorld, user: str) -> int:
    return sum(1 for c in world.slack.calls("views.publish") if c.args.get("user_id") == user)


def test_a_viewer_slack_does_not_know_is_dropped_with_one_log_line(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture,
) -> None:
    loop_world.tag("0.13.1")
    caplog.set_level(logging.INFO)
    open_home(loop_world, GONE, "Ev0GONE0001")
    open_home(loop_world, OPS, "Ev0GONE0002")
    assert publishes(loop_world, GONE) == 1
    loop_world.command(DEV, "request stage 0.13.1")
    loop_world.command(QA, "status")
    assert publishes(loop_world, GONE) == 1  # not republished after the step
    assert publishes(loop_world, OPS) == 2  # the other viewer is
    about = [r for r in caplog.records if r.name == "loopbot.slack" and GONE in r.getMessage()]
    assert len(about) == 1, [r.getMessage() for r in about]
    assert about[0].exc_info is None and "user_not_found" in about[0].getMessage()
    assert not [r for r in caplog.records if "unexpected error" in r.getMessage()]


def test_a_home_opened_long_ago_is_not_republished_after_a_step(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.2")
    open_home(loop_world, OPS, "Ev0AGED0001")
    clock = loop_world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.advance(VIEWERS_KEEP + dt.timedelta(minutes=1))
    open_home(loop_world, QA, "Ev0AGED0002")
    loop_world.command(DEV, "request stage 0.13.2")
    assert publishes(loop_world, OPS) == 1
    assert publishes(loop_world, QA) == 2
    assert "stage-requested" in json.dumps(loop_world.slack.home_view(QA)["blocks"])
    open_home(loop_world, OPS, "Ev0AGED0003")  # looking again: refreshed again
    assert "stage-requested" in json.dumps(loop_world.slack.home_view(OPS)["blocks"])
