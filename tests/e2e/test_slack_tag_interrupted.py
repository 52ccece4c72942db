"""A tag cut short is finished by the command people type (issue 18): signed `/loop` lines
and presses over HTTP, GitHub's stand-in losing its answer to the release's creation
(the tag and the release exist, the bot never learns it), as a stopped process leaves it.
loop-server's release commit is on, as shipped: the bot's own "Release 0.13.0" commit is
on master by the time the tag is cut short."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.config import Settings
from bot.domain.release import State
from bot.sandbox.slack_records import Posted
from bot.sandbox.world import GITHUB_TOKEN
from tests.fixtures.app import DEV, LoopWorld, start_world


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


def cut_short(world: LoopWorld) -> int:
    """DEV confirms the tag of 0.13.0 and GitHub's answer to the release is lost; the
    number of commits the preview showed."""
    world.command(DEV, "tag")
    preview = world.last_ephemeral(DEV)
    world.sandbox.github.faults.lose_next(2, path=r"/releases$", method="POST")
    world.click(DEV, preview, "Tag 0.13.0")
    assert world.release("0.13.0").state is State.TAGGING
    git = world.sandbox.github.git("mozilla-services", "loop-server")
    assert git.refs("refs/tags/0.13.0") and len(github_releases(world)) == 1
    return commits_shown(preview)


def github_releases(world: LoopWorld) -> list[dict]:
    url = f"{world.sandbox.github.url}/repos/mozilla-services/loop-server/releases"
    answer = requests.get(url, headers={"Authorization": f"token {GITHUB_TOKEN}"}, timeout=5)
    return [r for r in answer.json() if r["tag_name"] == "0.13.0"]


def test_a_plain_tag_finishes_a_tag_cut_short_in_the_one_channel_message(
        world: LoopWorld) -> None:
    counted = cut_short(world)
    first = world.channel()
    assert len(first) == 1

    world.command(DEV, "tag")
    preview = world.last_ephemeral(DEV)
    assert "0.13.0" in preview.text and "nothing new" not in preview.text
    assert "cut short" in str(preview.blocks)
    assert commits_shown(preview) == counted  # not the bot's own release commit too
    world.click(DEV, preview, "Tag 0.13.0")

    assert world.release("0.13.0").state is State.TAGGED
    assert len(github_releases(world)) == 1
    posted = world.channel()
    assert len(posted) == 1 and posted[0].ts == first[0].ts  # updated, not a second one
    assert "0.13.0 tagged by dev" in posted[0].text
