"""Release-note categories from the files each commit changed (loop-server's shipped
`notes.file_categories`), on the fakes: the categories, their precedence, the mixed-files
rule, the cap and its preview line, and the reads kept in the store. A failed read, the
requests' budget and their concurrency: tests/integration/test_release_notes_files.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.messages.release import tag_preview, unread_files_line
from bot.usecases.context import load_release
from bot.usecases.tagging import preview_tag, tag_release
from tests.fakes.world import FakeWorld as World
from tests.fixtures.standins import with_file_categories
from tests.fixtures.world import DEV


@pytest.fixture
def settings(shipped_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The plain settings with loop-server's shipped categories by files (the cap
    replaced by a test's param)."""
    return with_file_categories(shipped_settings, getattr(request, "param", None))


@pytest.fixture
def world(fake_world: World) -> World:
    return fake_world


def land(world: World, message: str, *paths: str) -> str:
    return world.forge().commit("master", message, {p: f"{message}\n" for p in paths})


def fixed(world: World, summary: str, **fields: Any) -> int:
    return world.tracker().add_bug(summary, "RESOLVED", "FIXED", **fields)


def commit_reads(world: World) -> int:
    """How many commits' files the forge was asked for so far."""
    return world.forge().calls.count("commit_files")


def test_categories_come_from_the_files_each_bug_changed(world: World) -> None:
    timeout = fixed(world, "Redis times out on stage")
    cleanup = fixed(world, "Old keys pile up in Redis")
    loads = fixed(world, "Rooms are not load tested")
    land(world, f"Bug {timeout} — Raise the Redis timeout", "config/production.json")
    land(world, f"Bug {timeout} — Declare the Redis timeout", "loop/config.js")
    land(world, f"Bug {cleanup} — Remove the old keys", "tools/remove_old_keys.js")
    land(world, f"Bug {loads} — A scenario for rooms", "loadtests/loadtest/rooms.py",
         "loadtests/config/megabench.ini")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    categories = {f.id: f.category for f in preview.changelog.fixed}
    assert (categories[timeout], categories[cleanup], categories[loads]) == (
        "config", "tooling", "loadtest")
    shown = json.dumps(tag_preview(preview, "offer-1").blocks, ensure_ascii=False)
    assert f"• [config] bug {timeout} Redis times out on stage" in shown
    assert "files not read" not in shown


def test_fields_beat_files_and_files_beat_words_and_mixed_files_go_by_words(
        world: World) -> None:
    secret = fixed(world, "Token secret shipped in the sample", keywords=["sec-high"])
    wanted = fixed(world, "Rooms have a configurable size", type="enhancement")
    worded = fixed(world, "Refactor the storage of rooms")
    mixed = fixed(world, "Rooms expire too early")
    land(world, f"Bug {secret} — Drop the secret", "config/sample.json")
    land(world, f"Bug {wanted} — Room size", "config/production.json")
    land(world, f"Bug {worded} — Refactor the storage", "tools/migrate_redis.js")
    land(world, f"Bug {mixed} — Longer room expiry", "config/production.json",
         "loop/routes/rooms.js")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    categories = {f.id: f.category for f in preview.changelog.fixed}
    assert [categories[b] for b in (secret, wanted, worded, mixed)] == [
        "security", "feature", "tooling", "bugfix"]
    assert f"- [tooling] {worded} — Refactor the storage of rooms" in release_text(world)


def release_text(world: World) -> str:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    tag_release(world.ctx, world.ctx.service(),
                DEV, preview.plan.version, expected_sha=preview.head_sha)
    return load_release(world.ctx, world.service, preview.version).notes


def test_files_read_once_serve_the_tag_step_and_later_previews(world: World) -> None:
    bug = fixed(world, "Stale defaults on stage")
    land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert commit_reads(world) == 4  # ours and the demo's 3 bug commits since 0.12.2
    assert preview.unread_files == 0
    tag_release(world.ctx, world.ctx.service(),
                DEV, preview.plan.version, expected_sha=preview.head_sha)
    assert commit_reads(world) == 4  # none again
    assert f"- [config] {bug} — Stale defaults on stage" in load_release(
        world.ctx, world.service, preview.version).notes


@pytest.mark.parametrize("settings", [3], indirect=True)  # the demo's 3 bug commits fill it
def test_beyond_the_cap_bugs_go_by_words_and_the_preview_says_so(world: World) -> None:
    bug = fixed(world, "Stale defaults on stage")
    land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert commit_reads(world) == 3
    assert preview.unread_files == 1
    assert {f.id: f.category for f in preview.changelog.fixed}[bug] == "bugfix"
    shown = json.dumps(tag_preview(preview, "offer-1").blocks, ensure_ascii=False)
    assert unread_files_line(1) in shown
    assert unread_files_line(1) == "files not read for 1 commit(s); categories from words"
