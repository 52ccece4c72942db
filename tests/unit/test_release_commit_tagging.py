"""The "Release X.Y.Z" commit before the tag (loop-server's shipped configuration), on the
fakes: the files it changes, the tag on it, the preview's diff, and a later tag listing
only what follows it. Made once only under failures, in few requests, through PyGithub:
tests/integration/test_release_commit.py."""

from __future__ import annotations

import json

import pytest

from bot.domain.version import Version
from bot.usecases.tagging import preview_tag, tag_release
from tests.fakes.world import FakeWorld as World
from tests.fixtures.world import DEV


@pytest.fixture
def world(shipped_fake_world: World) -> World:
    return shipped_fake_world


def test_the_tag_sits_on_a_release_commit_with_the_changelog_and_package_json(
    world: World
) -> None:
    forge = world.forge()
    before = forge.branch_head("master")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert preview.release_commit is not None
    diff = preview.release_commit.diff
    assert '-  "version": "0.12.2",\n+  "version": "0.13.0",' in diff
    assert "+++ b/CHANGELOG.md" in diff and "+0.13.0 (2026-12-08)" in diff

    result = tag_release(world.ctx, world.ctx.service(),
                         DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    tagged = forge.tag_shas["0.13.0"]
    assert forge.branch_head("master") == tagged == result.release.commit_sha
    assert forge.commits[tagged].parents == (before,)
    assert forge.commits[tagged].title == "Release 0.13.0"
    assert sorted(forge.commit_files(tagged)) == ["CHANGELOG.md", "package.json"]
    package = forge.read_file("0.13.0", "package.json")
    assert package is not None
    assert json.loads(package)["version"] == "0.13.0"
    old = forge.read_file(before, "package.json")
    assert old is not None and package == old.replace(
        '"version": "0.12.2"', '"version": "0.13.0"')  # formatting kept
    changelog = forge.read_file("0.13.0", "CHANGELOG.md") or ""
    assert changelog.startswith("CHANGELOG\n=========\n\n0.13.0 (2026-12-08)\n---")
    assert "\n\n0.12.2 (" in changelog  # the older sections follow, untouched


def test_a_later_tag_lists_only_the_commits_after_the_release_commit(world: World) -> None:
    first = preview_tag(world.ctx, world.ctx.service(), DEV)
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.13.0"), expected_sha=first.head_sha)
    world.land("Bug 1096112 — Rooms can be renamed")
    second = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert [c.title for c in second.commits] == ["Bug 1096112 — Rooms can be renamed"]
    assert second.release_commit is not None
    assert '"version": "0.13.0",\n+  "version": "0.14.0"' in second.release_commit.diff
