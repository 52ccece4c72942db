"""PROCESS.md, walked through the use cases on the in-memory fakes (tests/fakes), seeded
like the sandbox. The adapters' side of each step is tested against the stand-ins in
tests/integration (the contract tests keep the fakes honest) and end to end in tests/e2e."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action, GuardFailed
from bot.domain.errors import Refusal
from bot.domain.facts import Tag
from bot.domain.release import Env, State
from bot.domain.version import ReleaseLabel, Version
from bot.usecases.context import load_release
from bot.usecases.release import advance
from bot.usecases.tagging import backport, preview_tag, tag_release
from tests.fakes.world import FakeWorld as World
from tests.fixtures.world import DEV, LEAD, OPS, QA

label = ReleaseLabel.parse

STAGE_SUMMARY = "Loop — Please deploy loop-server {} to Stage"
PROD_SUMMARY = "Loop — Please deploy loop-server {} to Production"


def tag(world: World, version: str | None = None, line: str | None = None) -> str:
    preview = preview_tag(world.ctx, world.ctx.service(), DEV,
                          version=Version.parse(version) if version else None,
                          line=line)
    result = tag_release(world.ctx, world.ctx.service(),
                         DEV, preview.plan.version, expected_sha=preview.head_sha)
    return result.release.version


def to_stage_verified(world: World, version: str) -> None:
    advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, label(version), QA)
    world.deploy("stage", version)
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_STAGE, label(version), OPS)
    advance(world.ctx, world.ctx.service(), Action.VERIFY_STAGE, label(version), QA)


def to_done(world: World, version: str) -> None:
    to_stage_verified(world, version)
    advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, label(version), QA)
    world.deploy("prod", version)
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_PROD, label(version), OPS)
    advance(world.ctx, world.ctx.service(), Action.VERIFY_PROD, label(version), QA)


@pytest.fixture
def world(fake_world: World) -> World:
    return fake_world


def comments(world: World, bug_id: int) -> list[str]:
    return world.tracker().comments.get(bug_id, [])


def test_normal_release_goes_from_tag_to_verified_in_prod(world: World) -> None:
    bugzilla = world.tracker()
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert preview.version == "0.13.0" and preview.plan.branch == "master"
    assert str(preview.previous) == "0.12.2"
    assert set(preview.changelog.fixed_ids) == {1094662, 1093488}
    assert preview.changelog.flagged_ids == (1096112,)  # referenced, still NEW

    result = tag_release(world.ctx, world.ctx.service(),
                         DEV, Version.parse("0.13.0"), expected_sha=preview.head_sha)
    assert world.forge().tag("0.13.0") == Tag("0.13.0", preview.head_sha)
    assert "1094662 — Fix SP backwards compatibility" in result.release.notes
    assert result.release_url.endswith("/releases/tag/0.13.0")

    requested = advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, label("0.13.0"), QA)
    stage = requested.release.ticket(Env.STAGE)
    assert stage is not None and requested.release.state is State.STAGE_REQUESTED
    ticket = bugzilla.bug(stage.bug_id)
    assert ticket.summary == STAGE_SUMMARY.format("0.13.0")
    assert set(ticket.depends_on) == {1094662, 1093488}

    with pytest.raises(GuardFailed, match="stage reports 0.12.2, not 0.13.0"):
        advance(world.ctx, world.ctx.service(), Action.DEPLOYED_STAGE, label("0.13.0"), OPS)
    world.deploy("stage", "0.13.0")
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_STAGE, label("0.13.0"), OPS)
    assert (bugzilla.bug(stage.bug_id).status, bugzilla.bug(stage.bug_id).resolution) \
        == ("RESOLVED", "FIXED")

    verified = advance(world.ctx, world.ctx.service(), Action.VERIFY_STAGE, label("0.13.0"), QA)
    assert bugzilla.bug(stage.bug_id).status == "VERIFIED"
    assert verified.release.state is State.PROD_REQUESTED
    prod = verified.release.ticket(Env.PROD)
    assert prod is not None
    assert bugzilla.bug(prod.bug_id).summary == PROD_SUMMARY.format("0.13.0")

    greenlit = advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, label("0.13.0"), QA)
    assert greenlit.release.state is State.GREENLIT
    world.deploy("prod", "0.13.0")
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_PROD, label("0.13.0"), OPS)
    done = advance(world.ctx, world.ctx.service(), Action.VERIFY_PROD, label("0.13.0"), QA)
    assert done.release.state is State.DONE
    assert bugzilla.bug(prod.bug_id).status == "VERIFIED"

    with world.ctx.store.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.find("loop-server", "0.13.0")]
    assert actions == ["tag", "request stage", "deployed stage", "verify stage",
                       "greenlight", "deployed prod", "verify prod"]


def test_bug_on_stage_makes_a_patch_that_supersedes_the_stage_ticket(world: World) -> None:
    tag(world, "0.13.0")
    first = advance(world.ctx, world.ctx.service(),
                    Action.REQUEST_STAGE, label("0.13.0"), QA).release.ticket(Env.STAGE)
    world.deploy("stage", "0.13.0")
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_STAGE, label("0.13.0"), OPS)
    found = world.tracker().add_bug("Rooms cannot be renamed on stage", "NEW")
    rejected = advance(world.ctx, world.ctx.service(),
                       Action.REJECT, label("0.13.0"), QA, bug_id=found,
                       reason="renaming a room answers 500")
    assert rejected.release.state is State.REJECTED
    assert first is not None
    assert any(f"bug {found}" in c for c in comments(world, first.bug_id))

    fix = world.land(f"Bug {found} — Allow renaming rooms again")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert preview.version == "0.13.1" and preview.plan.branch == "master"
    assert [c.sha for c in preview.commits] == [fix]  # exactly what it adds over 0.13.0
    assert "0.13.0 was rejected on stage" in preview.plan.why
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.13.1"), expected_sha=preview.head_sha)

    requested = advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, label("0.13.1"), QA)
    second = requested.release.ticket(Env.STAGE)
    assert second is not None and [r.version for r in requested.superseded] == ["0.13.0"]
    old = world.tracker().bug(first.bug_id)
    assert (old.status, old.resolution) == ("RESOLVED", "INVALID")
    assert any(f"Superseded by bug {second.bug_id}" in c for c in comments(world, first.bug_id))
    assert load_release(world.ctx, "loop-server", "0.13.0").state is State.SUPERSEDED
    assert load_release(world.ctx, "loop-server", "0.13.0").superseded_by == "0.13.1"


def test_regression_blocks_prod_until_its_bug_is_fixed(world: World) -> None:
    tag(world, "0.13.0")
    to_stage_verified(world, "0.13.0")
    regression = world.tracker().add_bug("Calls drop after 60 s on stage load", "NEW")
    blocked = advance(world.ctx, world.ctx.service(),
                      Action.BLOCK, label("0.13.0"), QA, bug_id=regression)
    prod = blocked.release.ticket(Env.PROD)
    assert prod is not None
    assert regression in world.tracker().bug(prod.bug_id).depends_on
    with pytest.raises(GuardFailed, match=f"prod is blocked for 0.13.0 by bug {regression}"):
        advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, label("0.13.0"), QA)
    assert load_release(world.ctx, "loop-server", "0.13.0").state is State.PROD_REQUESTED

    # The fix lands and the regression is closed:
    world.ctx.service().tracker.set_status(regression, "RESOLVED", "FIXED", "fixed on master")
    greenlit = advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, label("0.13.0"), QA)
    assert greenlit.release.state is State.GREENLIT


def test_prod_bug_is_backported_to_a_new_maintenance_branch_and_released(world: World) -> None:
    bug = world.tracker().add_bug("Hawk sessions expire too early in prod", "NEW")
    fix = world.land(f"Bug {bug} — Keep Hawk sessions for 30 days", "loop/hawk.js")
    forge = world.forge()
    assert not forge.branch_exists("0.12.x")

    result = backport(world.ctx, world.ctx.service(), DEV, "0.12", bug_id=bug)
    assert result.created_branch and result.branch == "0.12.x"
    assert result.result is not None and [o for o, _ in result.result.picked] == [fix]
    tagged = forge.tag_shas["0.12.2"]  # the branch starts at the tag and adds the pick
    assert [c.parents for c in forge.commits_between(tagged, "0.12.x")] == [(tagged,)]
    assert f"(cherry picked from commit {fix})" in forge.commits[
        forge.branch_head("0.12.x")].message
    again = backport(world.ctx, world.ctx.service(),
                     DEV, "0.12", bug_id=bug)  # nothing is picked twice
    assert again.result is None and again.skipped == (fix,)

    world.ctx.service().tracker.set_status(bug, "RESOLVED", "FIXED", "fixed in 0.12.3")
    preview = preview_tag(world.ctx, world.ctx.service(), DEV, line="0.12")
    assert preview.version == "0.12.3" and preview.plan.branch == "0.12.x"
    assert str(preview.previous) == "0.12.2" and preview.changelog.fixed_ids == (bug,)
    tag_release(world.ctx, world.ctx.service(),
                DEV, Version.parse("0.12.3"), expected_sha=preview.head_sha)
    to_done(world, "0.12.3")
    assert load_release(world.ctx, "loop-server", "0.12.3").state is State.DONE


def test_emergency_override_pushes_past_a_missing_step_with_its_reason_logged(
    world: World,
) -> None:
    tag(world, "0.13.0")
    advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, label("0.13.0"), QA)
    world.deploy("stage", "0.13.0")
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_STAGE, label("0.13.0"), OPS)
    with pytest.raises(Refusal):
        advance(world.ctx, world.ctx.service(), Action.GREENLIGHT, label("0.13.0"), QA)
    reason = "TokBox credentials leaked: 0.13.0 rotates them"
    result = advance(world.ctx, world.ctx.service(),
                     Action.GREENLIGHT, label("0.13.0"), LEAD, override_reason=reason)
    assert result.release.state is State.GREENLIT and result.decision.is_override
    with world.ctx.store.unit_of_work() as uow:
        entry = uow.audit.find("loop-server", "0.13.0")[-1]
    assert entry.action == "override greenlight" and entry.override_reason == reason
    assert "was stage-deployed" in entry.detail and "not VERIFIED" in entry.detail


def test_a_second_service_follows_its_own_tag_pattern_and_environments(world: World) -> None:
    """loop-client tags `v0.1.0`; its tickets and its stage URL are its own."""
    world.forge("loop-client").commit("master",
                                      "Bug 1101300 — Show the room name in the title bar",
                                      {"index.html": "<title>Room</title>\n"})
    preview = preview_tag(world.ctx, world.ctx.service("loop-client"), DEV)
    assert (preview.version, preview.plan.tag, preview.previous) == ("0.1.0", "v0.1.0", None)
    result = tag_release(world.ctx, world.ctx.service("loop-client"), DEV, Version.parse("0.1.0"),
                         expected_sha=preview.head_sha)
    assert result.release.tag == "v0.1.0" and result.release.service == "loop-client"
    assert world.forge("loop-client").tag("v0.1.0") == Tag("v0.1.0", preview.head_sha)
    filed = advance(world.ctx, world.ctx.service("loop-client"),
                    Action.REQUEST_STAGE, label("0.1.0"), QA)
    stage = filed.release.ticket(Env.STAGE)
    assert stage is not None
    assert world.tracker("loop-client").bug(stage.bug_id).summary == \
        "Loop — Please deploy loop-client 0.1.0 to Stage"
    world.deploy("stage", "0.1.0", service="loop-client", rev=preview.head_sha)
    advance(world.ctx, world.ctx.service("loop-client"), Action.DEPLOYED_STAGE, label("0.1.0"), OPS)
    assert load_release(world.ctx, "loop-client", "0.1.0").state is State.STAGE_DEPLOYED
