"""`/loop tag` of a version that exists already says so, and what to do instead (issue 20):
signed `/loop` lines over HTTP, GitHub's stand-in serving the demo loop-server."""

from __future__ import annotations

import pytest

from tests.fixtures.app import DEV, LoopWorld


@pytest.mark.parametrize("old", ["0.12.0", "0.12.1"])
def test_tagging_an_old_released_version_says_it_exists(loop_world: LoopWorld, old: str) -> None:
    loop_world.tag("0.13.0")
    before = len(loop_world.channel())
    loop_world.command(DEV, f"tag {old}")
    said = loop_world.last_ephemeral(DEV).text
    assert f"{old} exists already: the tag {old} is on GitHub" in said
    assert "`/loop tag on 0.12` tags the next patch on 0.12" in said
    assert "backport" not in said and len(loop_world.channel()) == before
