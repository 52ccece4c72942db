"""The "Release X.Y.Z" commit before the tag (loop-server's shipped configuration), made
through PyGithub's git data API against the git-backed GitHub stand-in and read back with
`git`: once only under failures and lost answers, and in few requests. The files it
changes, the tag on it and the preview's diff: tests/unit/test_release_commit_tagging.py."""

from __future__ import annotations

import subprocess

import pytest

from bot.config.settings import Settings
from bot.domain.release import State
from bot.domain.version import Version
from bot.usecases.context import load_release
from bot.usecases.ports import Conflict, PartnerError
from bot.usecases.tagging import preview_tag, tag_release
from tests.fixtures.world import DEV, World


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    return shipped_settings


def git(world: World, *args: str) -> str:
    path = world.sandbox.github.repo_path("mozilla-services", "loop-server")
    return subprocess.run(["git", "--git-dir", str(path), *args], capture_output=True,
                          text=True, check=True).stdout


def release_commits(world: World, version: str) -> list[str]:
    return [line for line in git(world, "log", "--format=%H %s", "master").splitlines()
            if line.endswith(f" Release {version}")]


def test_the_release_commit_is_made_once_when_github_fails_at_any_request(
    world: World
) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    with world.sandbox.github.counting() as seen:
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    requests = len(seen)
    assert requests >= 8  # reads, blobs, tree, commit, ref, tag, tag ref, release
    for failing in range(requests):
        version = f"0.{14 + failing}.0"
        world.land(f"Bug {1096200 + failing} — Change number {failing}")
        preview = preview_tag(world.ctx, world.ctx.service(), DEV, version=Version.parse(version))
        world.sandbox.github.faults.fail_next(500, after=failing)
        with pytest.raises(PartnerError):
            tag_release(world.ctx, world.ctx.service(),
                        DEV, Version.parse(version), expected_sha=preview.head_sha)
        world.sandbox.github.faults.clear()
        result = tag_release(world.ctx, world.ctx.service(),
                             DEV, Version.parse(version), expected_sha=preview.head_sha)
        assert len(release_commits(world, version)) == 1, (failing, version)
        assert result.release.state is State.TAGGED
        assert git(world, "log", "-1", "--format=%s", version).strip() == f"Release {version}"


@pytest.mark.parametrize("write", [r"/git/commits$", r"/git/refs/heads/master$"])
def test_a_lost_answer_does_not_make_a_second_release_commit(world: World, write: str) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    world.sandbox.github.faults.lose_next(path=write)
    with pytest.raises(PartnerError):
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert len(release_commits(world, "0.13.0")) == 1
    assert git(world, "log", "-1", "--format=%s", "0.13.0").strip() == "Release 0.13.0"


def test_a_branch_moved_by_someone_else_meanwhile_is_refused_and_nothing_is_committed(
    world: World
) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    world.sandbox.github.faults.fail_next(500, path=r"/git/trees$")
    with pytest.raises(PartnerError):
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    world.land("Bug 1096300 — Landed while the tag was failing")
    with pytest.raises(Conflict, match="master moved since"):
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert release_commits(world, "0.13.0") == []
    assert load_release(world.ctx, "loop-server", "0.13.0").state is State.TAGGING


def test_the_tagging_step_reads_each_file_once_and_writes_no_separate_blobs(
    world: World
) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    with world.sandbox.github.counting() as seen:
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    reads = [r.path for r in seen if r.method == "GET" and "/contents/" in r.path]
    assert sorted(p.rsplit("/", 1)[-1] for p in reads) == ["CHANGELOG.md", "package.json"]
    assert [r.path for r in seen if r.path.endswith("/git/blobs")] == []
    assert len([r for r in seen if r.method == "POST" and r.path.endswith("/git/trees")]) == 1


def test_the_preview_reads_the_release_files_together_with_the_bugs(world: World) -> None:
    """With both partners slow, the version files cost the preview no wait of their own:
    they are read at once, with the changelog's Bugzilla read (not a latency later each)."""
    latency = 0.6
    github, bugzilla = world.sandbox.github, world.sandbox.bugzilla
    for stand_in in (github, bugzilla):
        stand_in.faults.latency = latency
        stand_in.reset_log()
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert preview.release_commit is not None and preview.release_commit.changes
    reads = [r.received for r in github.requests if "/contents/" in r.path]
    bugs = [r.received for r in bugzilla.requests if r.path == "/rest/bug"]
    assert len(reads) == 2 and len(bugs) == 1
    assert max(reads + bugs) - min(reads + bugs) < latency / 2
