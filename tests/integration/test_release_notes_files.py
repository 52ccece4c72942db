"""Release-note categories from the files each commit changed (loop-server's shipped
`notes.file_categories`), read through PyGithub from the git-backed GitHub stand-in: the
categories, their precedence, the mixed-files rule, the cap and its preview line, the
reads kept in the database, and a failed read."""

from __future__ import annotations

import json
import logging
import re

import pytest

from bot.config.notes import NotesSettings
from bot.config.settings import Settings
from bot.messages.release import tag_preview, unread_files_line
from bot.sandbox.server import LoggedRequest
from bot.usecases.context import load_release
from bot.usecases.tagging import preview_tag, tag_release
from tests.fixtures.standins import without_opt_ins
from tests.fixtures.world import DEV, World

OWNER, NAME = "mozilla-services", "loop-server"
COMMIT_READ = re.compile(r"/commits/[0-9a-f]{40}$")


@pytest.fixture
def settings(shipped_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The plain settings with loop-server's shipped categories by files (the cap
    replaced by a test's param)."""
    plain = without_opt_ins(shipped_settings)
    server, client = plain.services
    notes = shipped_settings.services[0].notes
    assert notes.file_categories, "app.yaml ships loop-server's categories by files"
    if hasattr(request, "param"):
        notes = notes.model_copy(update={"max_commit_file_reads": request.param})
    return plain.model_copy(update={"services": (server.model_copy(update={"notes": notes}),
                                                 client)})


def land(world: World, message: str, *paths: str) -> str:
    return world.sandbox.github.commit(OWNER, NAME, "master", message,
                                       {p: f"{message}\n" for p in paths})


def fixed(world: World, summary: str, **fields: object) -> int:
    return world.sandbox.bugzilla.add_bug(summary, "RESOLVED", "FIXED", **fields)


def commit_reads(requests: list[LoggedRequest]) -> list[str]:
    return [r.path for r in requests if COMMIT_READ.search(r.path)]


def test_categories_come_from_the_files_each_bug_changed(world: World) -> None:
    timeout = fixed(world, "Redis times out on stage")
    cleanup = fixed(world, "Old keys pile up in Redis")
    loads = fixed(world, "Rooms are not load tested")
    land(world, f"Bug {timeout} — Raise the Redis timeout", "config/production.json")
    land(world, f"Bug {timeout} — Declare the Redis timeout", "loop/config.js")
    land(world, f"Bug {cleanup} — Remove the old keys", "tools/remove_old_keys.js")
    land(world, f"Bug {loads} — A scenario for rooms", "loadtests/loadtest/rooms.py",
         "loadtests/config/megabench.ini")
    preview = preview_tag(world.ctx, DEV)
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
    preview = preview_tag(world.ctx, DEV)
    categories = {f.id: f.category for f in preview.changelog.fixed}
    assert [categories[b] for b in (secret, wanted, worded, mixed)] == [
        "security", "feature", "tooling", "bugfix"]
    assert f"- [tooling] {worded} — Refactor the storage of rooms" in release_text(world)


def release_text(world: World) -> str:
    preview = preview_tag(world.ctx, DEV)
    tag_release(world.ctx, DEV, preview.version, expected_sha=preview.head_sha)
    return load_release(world.ctx, world.service, preview.version).notes


def test_files_read_once_serve_the_tag_step_and_later_previews(world: World) -> None:
    bug = fixed(world, "Stale defaults on stage")
    land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    with world.sandbox.github.counting() as first:
        preview = preview_tag(world.ctx, DEV)
    assert len(commit_reads(first)) == 4  # ours and the demo's 3 bug commits since 0.12.2
    assert preview.unread_files == 0
    with world.sandbox.github.counting() as again:
        tag_release(world.ctx, DEV, preview.version, expected_sha=preview.head_sha)
    assert commit_reads(again) == []
    assert f"- [config] {bug} — Stale defaults on stage" in load_release(
        world.ctx, world.service, preview.version).notes


@pytest.mark.parametrize("settings", [3], indirect=True)  # the demo's 3 bug commits fill it
def test_beyond_the_cap_bugs_go_by_words_and_the_preview_says_so(world: World) -> None:
    bug = fixed(world, "Stale defaults on stage")
    land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    with world.sandbox.github.counting() as github:
        preview = preview_tag(world.ctx, DEV)
    assert len(commit_reads(github)) == 3
    assert preview.unread_files == 1
    assert {f.id: f.category for f in preview.changelog.fixed}[bug] == "bugfix"
    shown = json.dumps(tag_preview(preview, "offer-1").blocks, ensure_ascii=False)
    assert unread_files_line(1) in shown
    assert unread_files_line(1) == "files not read for 1 commit(s); categories from words"


def test_a_failed_read_falls_back_to_words_with_a_warning_and_is_retried_later(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    bug = fixed(world, "Stale defaults on stage")
    sha = land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    world.sandbox.github.faults.fail_next(500, path=f"/commits/{sha}$")
    with caplog.at_level(logging.WARNING):
        preview = preview_tag(world.ctx, DEV)
    assert {f.id: f.category for f in preview.changelog.fixed}[bug] == "bugfix"
    assert preview.unread_files == 1
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"files of commit {sha[:12]}" in w for w in warned), warned
    assert world.ctx.store.commit_files.get([sha]) == {}  # nothing kept for the failed read
    with world.sandbox.github.counting() as github:
        again = preview_tag(world.ctx, DEV)
    assert commit_reads(github) == [f"/repos/{OWNER}/{NAME}/commits/{sha}"]
    assert {f.id: f.category for f in again.changelog.fixed}[bug] == "config"
    assert again.unread_files == 0


def test_a_500_commit_changelog_stays_in_budget_with_its_file_reads_counted_apart(
        world: World) -> None:
    sandbox = world.sandbox
    bugs = [fixed(world, f"Loop regression {n}") for n in range(100)]
    sandbox.github.commit_many(OWNER, NAME, "master", [
        (f"Bug {bugs[n % 100]} — step {n} of the rooms rewrite", {f"loop/r{n}.js": f"{n}\n"})
        for n in range(500)])
    with sandbox.github.counting() as github:
        preview = preview_tag(world.ctx, DEV)
    reads = commit_reads(github)
    changelog = [r.path for r in github if not COMMIT_READ.search(r.path)]
    assert len(changelog) <= 8, changelog
    # 3 demo commits, then whole bugs of 5 commits while they fit: 3 + 19 x 5
    assert len(reads) == 98 <= NotesSettings().max_commit_file_reads
    assert preview.unread_files == 503 - 98


def test_the_file_reads_go_out_together_with_the_bugzilla_read(world: World) -> None:
    """With both partners slow, the commits' file reads cost no wait of their own: they
    arrive with the changelog's Bugzilla read (a serial read would come a latency later)."""
    latency = 0.6
    bug = fixed(world, "Stale defaults on stage")
    land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    github, bugzilla = world.sandbox.github, world.sandbox.bugzilla
    for stand_in in (github, bugzilla):
        stand_in.faults.latency = latency
        stand_in.reset_log()
    preview_tag(world.ctx, DEV)
    reads = [r.received for r in github.requests if COMMIT_READ.search(r.path)]
    bugs = [r.received for r in bugzilla.requests if r.path == "/rest/bug"]
    assert len(reads) == 4 and len(bugs) == 1
    assert max(reads + bugs) - min(reads + bugs) < latency / 2
