"""Partners failing in the middle of a step: the use case says clearly what failed, and
repeating the same command once the partner is back finishes the step with exactly one
tag, one ticket and one audit entry (DESIGN.md: every command is safe to repeat)."""

from __future__ import annotations

import subprocess
import threading

import pytest
import requests

from bot.domain.actions import Action
from bot.domain.errors import Refusal
from bot.domain.release import Env, State
from bot.domain.version import ReleaseLabel, Version
from bot.sandbox.bugzilla.standin import SANDBOX_KEY
from bot.sandbox.world import GITHUB_TOKEN
from bot.usecases.context import load_release
from bot.usecases.ports import PartnerError
from bot.usecases.release import advance
from bot.usecases.tagging import preview_tag, tag_release
from tests.fixtures.world import DEV, OPS, QA, World

TAG_GITHUB_REQUESTS = 8  # a clean /loop tag: tags, ref, compare, tag object, ref, release
GREENLIGHT_BUGZILLA_REQUESTS = 3  # stage ticket, prod ticket, the prod ticket's dependencies


def audit_actions(world: World, version: str) -> list[str]:
    with world.ctx.store.unit_of_work() as uow:
        return [e.action for e in uow.audit.find("loop-server", version)]


def github_releases(world: World, tag: str) -> list[dict]:
    url = f"{world.sandbox.github.url}/repos/mozilla-services/loop-server/releases"
    answer = requests.get(url, headers={"Authorization": f"token {GITHUB_TOKEN}"}, timeout=5)
    return [r for r in answer.json() if r["tag_name"] == tag]


def tag_refs(world: World, tag: str) -> list[str]:
    path = world.sandbox.github.repo_path("mozilla-services", "loop-server")
    out = subprocess.run(["git", "--git-dir", str(path), "for-each-ref", "--format=%(objectname)",
                          f"refs/tags/{tag}"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def tickets_named(world: World, summary: str) -> list[int]:
    return [b["id"] for b in world.sandbox.bugzilla.db.all() if b["summary"] == summary]


def assert_clear(error: Exception, partner: str) -> None:
    text = str(error)
    assert text.startswith(f"{partner}:"), text
    assert GITHUB_TOKEN not in text and SANDBOX_KEY not in text


@pytest.mark.parametrize("failing", range(TAG_GITHUB_REQUESTS))
def test_tag_finishes_once_after_github_fails_at_any_request(world: World, failing: int) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    world.sandbox.github.faults.fail_next(500, after=failing)
    with pytest.raises(PartnerError) as failed:
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert_clear(failed.value, "GitHub")
    world.sandbox.github.faults.clear()

    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert len(tag_refs(world, "0.13.0")) == 1
    assert len(github_releases(world, "0.13.0")) == 1
    assert load_release(world.ctx, "loop-server", "0.13.0").state is State.TAGGED
    assert audit_actions(world, "0.13.0") == ["tag"]


def test_a_clean_tag_makes_the_requests_the_fault_tests_fail_one_by_one(world: World) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    with world.sandbox.github.counting() as seen:
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert len(seen) == TAG_GITHUB_REQUESTS


@pytest.mark.parametrize("write", [r"/git/tags$", r"/git/refs$", r"/releases$"])
def test_tag_finishes_once_when_a_github_answer_is_lost(world: World, write: str) -> None:
    """GitHub did the work but the answer never came back (a proxy timed out)."""
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    world.sandbox.github.faults.lose_next(path=write, method="POST")
    with pytest.raises(PartnerError):
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert len(tag_refs(world, "0.13.0")) == 1
    assert len(github_releases(world, "0.13.0")) == 1
    assert audit_actions(world, "0.13.0") == ["tag"]


def test_tag_finishes_after_bugzilla_fails_reading_the_changelog(world: World) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    world.sandbox.bugzilla.faults.fail_next(500)
    with pytest.raises(PartnerError) as failed:
        tag_release(world.ctx, world.ctx.service(),
                    DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert_clear(failed.value, "Bugzilla")
    assert tag_refs(world, "0.13.0") == []  # nothing was tagged
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert audit_actions(world, "0.13.0") == ["tag"]


def tagged(world: World, version: str = "0.13.0") -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV, version=Version.parse(version))
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse(version), expected_sha=preview.head_sha)


@pytest.mark.parametrize("lost", [False, True], ids=["refused", "answer-lost"])
def test_stage_request_files_one_ticket_whatever_bugzilla_did(world: World, lost: bool) -> None:
    tagged(world)
    faults = world.sandbox.bugzilla.faults
    if lost:
        faults.lose_next(path=r"^/rest/bug$", method="POST")
    else:
        faults.fail_next(503, path=r"^/rest/bug$", method="POST")
    with pytest.raises(PartnerError) as failed:
        advance(world.ctx, world.ctx.service(),
                Action.REQUEST_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    assert_clear(failed.value, "Bugzilla")
    assert load_release(world.ctx, "loop-server", "0.13.0").state is State.TAGGED

    result = advance(world.ctx, world.ctx.service(),
                     Action.REQUEST_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    summary = "Loop — Please deploy loop-server 0.13.0 to Stage"
    stage = result.release.ticket(Env.STAGE)
    assert stage is not None and tickets_named(world, summary) == [stage.bug_id]
    assert audit_actions(world, "0.13.0") == ["tag", "request stage"]


@pytest.mark.parametrize("failing", range(GREENLIGHT_BUGZILLA_REQUESTS))
def test_greenlight_after_bugzilla_fails_at_any_request(world: World, failing: int) -> None:
    tagged(world)
    advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    world.deploy("stage", "0.13.0")
    advance(world.ctx, world.ctx.service(),
            Action.DEPLOYED_STAGE, ReleaseLabel.parse("0.13.0"), OPS)
    advance(world.ctx, world.ctx.service(), Action.VERIFY_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    world.sandbox.bugzilla.faults.fail_next(500, after=failing)
    with pytest.raises(PartnerError) as failed:
        advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, ReleaseLabel.parse("0.13.0"), QA)
    assert_clear(failed.value, "Bugzilla")
    assert load_release(world.ctx, "loop-server", "0.13.0").state is State.PROD_REQUESTED

    advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, ReleaseLabel.parse("0.13.0"), QA)
    assert audit_actions(world, "0.13.0")[-1:] == ["greenlight"]
    assert audit_actions(world, "0.13.0").count("greenlight") == 1


def test_verify_finishes_once_when_filing_the_prod_ticket_fails(world: World) -> None:
    """The stage ticket is VERIFIED by the first attempt, then filing prod fails."""
    tagged(world)
    advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    world.deploy("stage", "0.13.0")
    advance(world.ctx, world.ctx.service(),
            Action.DEPLOYED_STAGE, ReleaseLabel.parse("0.13.0"), OPS)
    world.sandbox.bugzilla.faults.fail_next(500, path=r"^/rest/bug$", method="POST")
    with pytest.raises(PartnerError):
        advance(world.ctx, world.ctx.service(),
                Action.VERIFY_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    result = advance(world.ctx, world.ctx.service(),
                     Action.VERIFY_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    assert result.release.state is State.PROD_REQUESTED
    summary = "Loop — Please deploy loop-server 0.13.0 to Production"
    prod = result.release.ticket(Env.PROD)
    assert prod is not None and tickets_named(world, summary) == [prod.bug_id]
    assert audit_actions(world, "0.13.0").count("verify stage") == 1


def test_two_tags_of_the_same_version_started_at_once_make_one_tag(world: World) -> None:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def tag_it() -> None:
        start.wait()
        try:
            outcomes.append(tag_release(world.ctx, world.ctx.service(),
                                        DEV, Version.parse("0.13.0"),
                                        expected_sha=preview.head_sha))
        except Refusal as refusal:
            outcomes.append(refusal)

    threads = [threading.Thread(target=tag_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2
    assert len(tag_refs(world, "0.13.0")) == 1
    assert len(github_releases(world, "0.13.0")) == 1
    assert audit_actions(world, "0.13.0") == ["tag"]
