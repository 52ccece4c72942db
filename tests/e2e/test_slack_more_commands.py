"""The other subcommands: status, history, envs, calendar, backport, reject, block and
unblock, re-release; and App Home."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bot.domain.release import Env, State
from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import DEV, LEAD, OPS, QA, LoopWorld


def test_status_history_envs_and_calendar_answer_the_caller_only(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(DEV, "request stage 0.13.0")
    posted = len(loop_world.channel())
    loop_world.command(QA, "status")
    assert "0.13.0 stage-requested" in loop_world.last_ephemeral(QA).text
    loop_world.command(QA, "status v0.13.0")
    assert "OPS: deploy 0.13.0 to stage" in str(loop_world.last_ephemeral(QA).blocks)
    loop_world.command(QA, "history 0.13.0")
    history = str(loop_world.last_ephemeral(QA).blocks)
    assert "tag" in history and "request stage (tagged → stage-requested)" in history
    loop_world.command(QA, "envs")
    envs = str(loop_world.last_ephemeral(QA).blocks)
    assert "*stage*: 0.12.2" in envs and "*prod*: 0.12.2" in envs
    loop_world.command(QA, "calendar")
    calendar = loop_world.last_ephemeral(QA).text
    assert "cycle   1: tagging Tue 2026-12-08 at 10:00; prod push Mon 2026-12-14" in calendar
    assert "In flight: 0.13.0 (stage-requested)" in calendar
    assert "Today, Tue 2026-12-01: between the cycle's steps" in calendar
    assert len(loop_world.channel()) == posted


def test_backport_by_bug_cherry_picks_onto_the_line(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "backport bug 1094662 to 0.12")
    posted = loop_world.channel()[-1]
    assert "Backport to 0.12.x" in posted.text
    assert "/loop tag on 0.12" in posted.text
    git = loop_world.sandbox.github.git("mozilla-services", "loop-server")
    assert git.refs("refs/heads/0.12.x")


def test_reject_then_block_and_unblock(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, "reject stage 0.13.0 bug 1096112 rooms <b>crash</b>")
    rejected = loop_world.release("0.13.0")
    assert rejected.state is State.REJECTED and rejected.rejected_for == 1096112
    stage_bug = rejected.ticket(Env.STAGE).bug_id
    comments = json.dumps(loop_world.sandbox.bugzilla.comments(stage_bug))
    assert "1096112" in comments


def test_block_and_unblock_prod(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    loop_world.command(QA, "block prod 0.13.0 bug 1096112")
    assert loop_world.release("0.13.0").blockers == (1096112,)
    loop_world.command(QA, "greenlight prod 0.13.0")
    assert "prod is blocked for 0.13.0 by bug 1096112" in loop_world.last_ephemeral(QA).text
    loop_world.command(DEV, "unblock prod 0.13.0 bug1096112")
    assert loop_world.release("0.13.0").blockers == ()
    loop_world.command(QA, "greenlight prod 0.13.0")
    loop_world.click(QA, loop_world.last_ephemeral(QA), "Greenlight 0.13.0")
    assert loop_world.release("0.13.0").state is State.GREENLIT


def test_ops_rerelease_files_a_new_stage_ticket(loop_world: LoopWorld) -> None:
    loop_world.to_stage("0.13.0")
    first = loop_world.release("0.13.0").ticket(Env.STAGE).bug_id
    loop_world.command(OPS, "rerelease staging 0.13.0")
    again = loop_world.release("0.13.0").ticket(Env.STAGE)
    assert again.bug_id != first and again.attempt == 2
    assert loop_world.sandbox.bugzilla.bug(first)["resolution"] == "INVALID"


def _open_home(world: LoopWorld, user: str, event_id: str) -> None:
    event = {"type": "event_callback", "team_id": "T0LOOP0001", "api_app_id": "A0LOOPBOT1",
             "event_id": event_id, "event_time": 1765180800,
             "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME0001",
                       "tab": "home", "event_ts": "1765180800.000100"}}
    answer = world.signed.post(json.dumps(event))
    assert answer.status_code == 200
    assert world.app.drain(30)


def test_app_home_shows_releases_environments_dates_and_your_move(
    loop_world: LoopWorld,
) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(DEV, "request stage 0.13.0")
    _open_home(loop_world, OPS, "Ev0HOME0001")
    view = loop_world.slack.home_view(OPS)
    assert view is not None
    text = json.dumps(view["blocks"])
    assert "0.13.0" in text and "stage-requested" in text
    assert "Environments" in text and "0.12.2" in text and "cycle" in text
    assert "Mark deployed on stage 0.13.0" in text  # OPS's move
    _open_home(loop_world, QA, "Ev0HOME0002")
    assert "Mark deployed on stage" not in json.dumps(loop_world.slack.home_view(QA)["blocks"])
    _open_home(loop_world, LEAD, "Ev0HOME0003")
    assert "emergency" in json.dumps(loop_world.slack.home_view(LEAD)["blocks"])


def test_app_home_follows_steps_taken_elsewhere(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    _open_home(loop_world, OPS, "Ev0HOME0005")
    assert "Mark deployed on stage" not in json.dumps(loop_world.slack.home_view(OPS)["blocks"])
    loop_world.command(QA, "request stage 0.13.0")  # typed in the channel, not in Home
    view = json.dumps(loop_world.slack.home_view(OPS)["blocks"])
    assert "stage-requested" in view and "Mark deployed on stage 0.13.0" in view


def test_app_home_button_runs_the_step_and_refreshes(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    _open_home(loop_world, DEV, "Ev0HOME0004")
    view = loop_world.slack.home_view(DEV)
    button = next(b for block in view["blocks"] if block["type"] == "actions"
                  for b in block["elements"])
    assert button["text"]["text"] == "Request stage 0.13.0"

    payload = {  # what Slack sends for a click in App Home: a view, no response_url
        "type": "block_actions", "team": {"id": "T0LOOP0001"}, "api_app_id": "A0LOOPBOT1",
        "user": {"id": DEV, "username": "dev", "team_id": "T0LOOP0001"},
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": "1765180800.home-click", "view": view,
        "actions": [{"type": "button", "action_id": button["action_id"],
                     "block_id": "home:loop-server:0.13.0", "text": button["text"],
                     "value": button["value"], "action_ts": "1765180800.1"}],
    }
    loop_world.signed.post(urlencode({"payload": json.dumps(payload)}))
    loop_world.app.drain(30)
    assert loop_world.release("0.13.0").state is State.STAGE_REQUESTED
    assert "stage-requested" in json.dumps(loop_world.slack.home_view(DEV)["blocks"])
    assert [b["text"]["text"] for b in buttons(loop_world.channel()[-1])] == [
        "Mark deployed on stage 0.13.0"]
