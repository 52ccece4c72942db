"""Release-note categories from the files each commit changed (loop-server's shipped
`notes.file_categories`), read through PyGithub from the git-backed GitHub stand-in: a
failed read, the requests' budget and their concurrency. The categories, their
precedence, the mixed-files rule, the cap and the reads kept: on the fakes, in
tests/unit/test_release_notes_files.py."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.config.notes import NotesSettings
from bot.config.settings import Settings
from bot.sandbox.server import LoggedRequest
from bot.usecases.tagging import preview_tag
from tests.fixtures.standins import with_file_categories
from tests.fixtures.world import DEV, World

OWNER, NAME = "mozilla-services", "loop-server"
COMMIT_READ = re.compile(r"/commits/[0-9a-f]{40}$")


@pytest.fixture
def settings(shipped_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The plain settings with loop-server's shipped categories by files (the cap
    replaced by a test's param)."""
    return with_file_categories(shipped_settings, getattr(request, "param", None))


def land(world: World, message: str, *paths: str) -> str:
    return world.sandbox.github.commit(OWNER, NAME, "master", message,
                                       {p: f"{message}\n" for p in paths})


def fixed(world: World, summary: str, **fields: Any) -> int:
    return world.sandbox.bugzilla.add_bug(summary, "RESOLVED", "FIXED", **fields)


def commit_reads(requests: list[LoggedRequest]) -> list[str]:
    return [r.path for r in requests if COMMIT_READ.search(r.path)]


def test_a_failed_read_falls_back_to_words_with_a_warning_and_is_retried_later(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    bug = fixed(world, "Stale defaults on stage")
    sha = land(world, f"Bug {bug} — Refresh the sample defaults", "config/sample.json")
    world.sandbox.github.faults.fail_next(500, path=f"/commits/{sha}$")
    with caplog.at_level(logging.WARNING):
        preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert {f.id: f.category for f in preview.changelog.fixed}[bug] == "bugfix"
    assert preview.unread_files == 1
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"files of commit {sha[:12]}" in w for w in warned), warned
    assert world.ctx.store.commit_files.get([sha]) == {}  # nothing kept for the failed read
    with world.sandbox.github.counting() as github:
        again = preview_tag(world.ctx, world.ctx.service(), DEV)
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
        preview = preview_tag(world.ctx, world.ctx.service(), DEV)
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
    preview_tag(world.ctx, world.ctx.service(), DEV)
    reads = [r.received for r in github.requests if COMMIT_READ.search(r.path)]
    bugs = [r.received for r in bugzilla.requests if r.path == "/rest/bug"]
    assert len(reads) == 4 and len(bugs) == 1
    assert max(reads + bugs) - min(reads + bugs) < latency / 2
