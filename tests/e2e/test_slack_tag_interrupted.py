"""A tag cut short is finished by the command people type (issue 18): signed `/loop` lines
and presses over HTTP, GitHub's stand-in losing its answer to the release's creation
(the tag and the release exist, the bot never learns it), as a stopped process leaves it.
loop-server's release commit is on, as shipped: the bot's own "Release 0.13.0" commit is
on master by the time the tag is cut short."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from bot.config.settings import Settings
from bot.domain.release import Env, State
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import buttons
from bot.sandbox.world import GITHUB_TOKEN
from tests.fixtures.app import DEV, QA, LoopWorld, start_world


@pytest.fixture
def world(settings: Settings, shipped_settings: Settings, tmp_path: Path
          ) -> Iterator[LoopWorld]:
    shipped = {s.name: s for s in shipped_settings.services}
    services = tuple(s.model_copy(update={"release_commit": shipped[s.name].release_commit})
                     for s in settings.services)
    sandbox, loop = start_world(settings.model_copy(update={"services": services}), tmp_path)
    try:
        yield loop
    finally:
        loop.server.stop()
        loop.app.close()
        loop.app.ctx.store.dispose()
        sandbox.stop()


def commits_shown(preview: Posted) -> int:
    found = re.search(r"(\d+) commit\(s\) since 0\.12\.2", preview.text)
    assert found, preview.text
    return int(found.group(1))


def cut_short(world: LoopWorld) -> tuple[int, Posted, dict]:
    """DEV confirms the tag of 0.13.0 and GitHub's answer to the release is lost: the
    number of commits the preview showed, the preview and its Tag button as pressed."""
    world.command(DEV, "tag")
    preview = world.last_ephemeral(DEV)
    pressed = buttons(preview)[0]
    world.sandbox.github.faults.lose_next(2, path=r"/releases$", method="POST")
    world.click(DEV, preview, "Tag 0.13.0")
    assert world.release("0.13.0").state is State.TAGGING
    git = world.sandbox.github.git("mozilla-services", "loop-server")
    assert git.refs("refs/tags/0.13.0") and len(github_releases(world)) == 1
    return commits_shown(preview), preview, pressed


def github_releases(world: LoopWorld) -> list[dict]:
    url = f"{world.sandbox.github.url}/repos/mozilla-services/loop-server/releases"
    answer = requests.get(url, headers={"Authorization": f"token {GITHUB_TOKEN}"}, timeout=5)
    return [r for r in answer.json() if r["tag_name"] == "0.13.0"]


def test_a_plain_tag_finishes_a_tag_cut_short_in_the_one_channel_message(
        world: LoopWorld) -> None:
    counted, _, _ = cut_short(world)
    first = world.channel()
    assert len(first) == 1

    world.command(DEV, "tag")
    preview = world.last_ephemeral(DEV)
    assert "0.13.0" in preview.text and "nothing new" not in preview.text
    assert "cut short" in str(preview.blocks)
    assert commits_shown(preview) == counted  # not the bot's own release commit too
    world.click(DEV, preview, "Finish tag 0.13.0")

    assert world.release("0.13.0").state is State.TAGGED
    assert len(github_releases(world)) == 1
    posted = world.channel()
    assert len(posted) == 1 and posted[0].ts == first[0].ts  # updated, not a second one
    assert "0.13.0 tagged by dev" in posted[0].text


def finished_once(world: LoopWorld, first: list[Posted]) -> None:
    assert world.release("0.13.0").state is State.TAGGED
    assert len(github_releases(world)) == 1
    posted = world.channel()
    assert [p.ts for p in posted] == [first[0].ts] and "tagged by dev" in posted[0].text


def test_status_offers_to_finish_a_tag_cut_short_with_a_button(world: LoopWorld) -> None:
    cut_short(world)
    first = world.channel()
    world.command(QA, "status")
    shown = world.last_ephemeral(QA)
    assert [b["text"]["text"] for b in buttons(shown)] == ["Finish tag 0.13.0"]
    world.click(QA, shown, "Finish tag 0.13.0")  # QA may not tag: refused, nothing done
    assert "DEV" in world.last_ephemeral(QA).text
    assert world.release("0.13.0").state is State.TAGGING

    world.command(DEV, "status 0.13.0")
    status = world.last_ephemeral(DEV)
    world.click(DEV, status, "Finish tag 0.13.0")
    finished_once(world, first)
    world.click(DEV, status, "Finish tag 0.13.0")  # once more: nothing left to finish
    assert "has no tag left to finish" in world.last_ephemeral(DEV).text
    finished_once(world, first)


def _open_home(world: LoopWorld, user: str, event_id: str) -> dict:
    event = {"type": "event_callback", "team_id": "T0LOOP0001", "api_app_id": "A0LOOPBOT1",
             "event_id": event_id, "event_time": 1765180800,
             "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME0001",
                       "tab": "home", "event_ts": "1765180800.000100"}}
    assert world.signed.post(json.dumps(event)).status_code == 200
    assert world.app.drain(30)
    view = world.slack.home_view(user)
    assert view is not None
    return view


def test_app_home_offers_dev_to_finish_a_tag_cut_short(world: LoopWorld) -> None:
    cut_short(world)
    first = world.channel()
    assert "Finish tag" not in json.dumps(_open_home(world, QA, "Ev0TAGCUT01"))
    view = _open_home(world, DEV, "Ev0TAGCUT02")
    button = next(b for block in view["blocks"] if block["type"] == "actions"
                  for b in block["elements"])
    assert button["text"]["text"] == "Finish tag 0.13.0"
    payload = {  # what Slack sends for a click in App Home: a view, no response_url
        "type": "block_actions", "team": {"id": "T0LOOP0001"}, "api_app_id": "A0LOOPBOT1",
        "user": {"id": DEV, "username": "dev", "team_id": "T0LOOP0001"},
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": "1765180800.finish-click", "view": view,
        "actions": [{"type": "button", "action_id": button["action_id"],
                     "block_id": "finish:loop-server:0.13.0", "text": button["text"],
                     "value": button["value"], "action_ts": "1765180800.1"}],
    }
    world.signed.post(urlencode({"payload": json.dumps(payload)}))
    assert world.app.drain(30)
    finished_once(world, first)
    assert "Finish tag" not in json.dumps(world.slack.home_view(DEV)["blocks"])


def test_the_old_confirmation_pressed_again_says_how_to_finish(world: LoopWorld) -> None:
    _, preview, old = cut_short(world)
    first = world.channel()
    world.signed.click(DEV, preview, old)
    assert world.app.drain(30)
    again = world.slack.ephemerals(DEV)[-1]
    assert "Tag 0.13.0 was confirmed, then cut short" in again.text
    assert world.release("0.13.0").state is State.TAGGING  # the old press did nothing
    world.click(DEV, again, "Finish tag 0.13.0")
    finished_once(world, first)


def test_a_lifecycle_step_cut_short_is_finished_in_its_own_message(world: LoopWorld) -> None:
    """Issue 18, "after any cut": verifying stage sets the stage ticket VERIFIED, then
    files the prod ticket, whose answer is lost (Bugzilla filed it); the message stays
    "stopped". The repeat finishes the step in that same message, filing nothing twice."""
    world.to_stage("0.13.0")
    before = len(world.channel())
    world.sandbox.bugzilla.faults.lose_next(3, path="^/rest/bug$", method="POST")
    world.command(QA, "verify stage 0.13.0")
    cut = world.channel()[before:]
    assert len(cut) == 1 and "VERIFIED" in cut[0].text + json.dumps(cut[0].blocks), cut
    world.command(QA, "verify stage 0.13.0")
    after = world.channel()[before:]
    assert len(after) == 1, [m.text for m in after]  # no second message
    assert after[0].ts == cut[0].ts and "verified on stage" in after[0].text  # the same one
    prod = world.release("0.13.0").ticket(Env.PROD)
    assert prod is not None and f"filed prod bug {prod.bug_id}" in json.dumps(after[0].blocks)
    assert world.release("0.13.0").state is State.PROD_REQUESTED
    for summary in ("Rooms leak under load", "Calls drop after a minute"):
        bug = world.sandbox.bugzilla.add_bug(summary, "NEW")
        world.command(QA, f"block prod 0.13.0 bug {bug}")  # other steps: their own messages
    assert len(world.channel()[before:]) == 3
