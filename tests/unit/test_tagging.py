"""Which version `/loop tag` proposes, and from which branch."""

from __future__ import annotations

import pytest

from bot.domain.pipeline import DEFAULT
from bot.domain.release import Kind, Release, State
from bot.domain.tagging import AlreadyTagged, Naming, NothingToTag, plan_tag
from bot.domain.version import BadVersion, Version

LOOP = Naming(pipeline=DEFAULT)
CLIENT = Naming(tag_pattern="v{version}", pipeline=DEFAULT)
V = Version.parse
TAGS = ["0.11.0", "0.11.1", "0.12.0", "0.12.1", "0.12.2"]


def test_plain_tag_is_the_next_minor_from_master() -> None:
    plan = plan_tag(LOOP, TAGS, [])
    assert (str(plan.version), plan.tag, plan.branch) == ("0.13.0", "0.13.0", "master")
    assert plan.why == "the next minor after 0.12.2"


def test_plain_tag_follows_the_tag_pattern() -> None:
    plan = plan_tag(CLIENT, ["v0.4.0", "v0.4.1", "0.9.0"], [])
    assert (str(plan.version), plan.tag) == ("0.5.0", "v0.5.0")


def test_plain_tag_after_a_stage_rejection_proposes_its_next_patch_from_master() -> None:
    rejected = Release("loop-server", "0.13.0", State.REJECTED, tag="0.13.0")
    plan = plan_tag(LOOP, [*TAGS, "0.13.0"], [rejected])
    assert (str(plan.version), plan.branch) == ("0.13.1", "master")
    assert plan.why == "0.13.0 was rejected on stage: its next patch, from master"


def test_a_rejected_service_change_does_not_turn_tags_into_patches() -> None:
    change = Release("loop-server", "change-2", State.REJECTED, kind=Kind.SERVICE)
    assert str(plan_tag(LOOP, TAGS, [change]).version) == "0.13.0"


def test_on_line_tags_the_next_patch_on_the_maintenance_branch() -> None:
    plan = plan_tag(LOOP, TAGS, [], line="0.12")
    assert (str(plan.version), plan.branch) == ("0.12.3", "0.12.x")
    assert str(plan_tag(LOOP, TAGS, [], line="0.11.x").version) == "0.11.2"


def test_on_a_line_with_no_release_is_refused() -> None:
    with pytest.raises(NothingToTag, match="line 0.14 has no release to patch"):
        plan_tag(LOOP, TAGS, [], line="0.14")


def test_explicit_patch_of_an_old_line_uses_its_maintenance_branch() -> None:
    plan = plan_tag(LOOP, [*TAGS, "0.13.0"], [], version=V("0.12.3"), branches=["0.12.x"])
    assert plan.branch == "0.12.x"


def test_explicit_patch_of_an_old_line_without_its_branch_is_refused() -> None:
    with pytest.raises(NothingToTag, match="no 0.11.x branch") as refused:
        plan_tag(LOOP, TAGS, [], version=V("0.11.2"))
    assert refused.value.hint == "backport the fix first: `/loop backport SHA to 0.11`"


def test_explicit_version_on_the_current_line_comes_from_master() -> None:
    assert plan_tag(LOOP, TAGS, [], version=V("v0.12.3")).branch == "master"
    assert plan_tag(LOOP, TAGS, [], version=V("1.0.0")).branch == "master"


def test_a_version_already_tagged_or_recorded_is_refused() -> None:
    with pytest.raises(AlreadyTagged, match="0.12.2 exists already: the tag 0.12.2 is on"):
        plan_tag(LOOP, TAGS, [], version=V("0.12.2"))
    recorded = Release("loop-server", "0.13.0", State.STAGE_DEPLOYED, tag="0.13.0")
    with pytest.raises(AlreadyTagged, match=r"0\.13\.0 exists already: tag 0\.13\.0, "
                                            r"release stage-deployed"):
        plan_tag(LOOP, [*TAGS, "0.13.0"], [recorded], version=V("0.13.0"))


@pytest.mark.parametrize("old", ["0.12.0", "0.12.1"])
def test_an_old_released_version_says_it_exists_and_how_to_patch_its_line(old: str) -> None:
    # issue 20: it said the line has no 0.12.x branch and asked for a backport
    done = Release("loop-server", old, State.DONE, tag=old)
    with pytest.raises(AlreadyTagged, match=f"{old} exists already: tag {old}, release done"
                       ) as refused:
        plan_tag(LOOP, [*TAGS, "0.13.0"], [done], version=V(old))
    assert (refused.value.hint or "").startswith("`/loop tag on 0.12` tags the next patch on 0.12")
    with pytest.raises(AlreadyTagged, match=f"{old} exists already: the tag {old} is on"):
        plan_tag(LOOP, [*TAGS, "0.13.0"], [], version=V(old))


def test_a_tag_cut_short_is_what_a_plain_tag_finishes() -> None:
    # issue 18: the tag exists on GitHub, the release is still recorded as tagging
    stuck = Release("loop-server", "0.13.0", State.TAGGING, branch="master")
    plan = plan_tag(LOOP, [*TAGS, "0.13.0"], [stuck])
    assert (str(plan.version), plan.tag, plan.branch) == ("0.13.0", "0.13.0", "master")
    assert plan.why == "the tag confirmed for it was cut short: this finishes it"
    assert str(plan_tag(LOOP, [*TAGS, "0.13.0"], [stuck], version=V("0.13.0")).version) == "0.13.0"


def test_a_patch_cut_short_is_finished_on_its_line_and_branch() -> None:
    stuck = Release("loop-server", "0.12.3", State.TAGGING, branch="0.12.x")
    plan = plan_tag(LOOP, [*TAGS, "0.13.0", "0.12.3"], [stuck], line="0.12")
    assert (str(plan.version), plan.branch) == ("0.12.3", "0.12.x")
    assert str(plan_tag(LOOP, [*TAGS, "0.13.0"], [stuck], line="0.11").version) == "0.11.2"


def test_a_malformed_version_is_refused_with_the_expected_form() -> None:
    with pytest.raises(BadVersion, match="couldn't read `0.13` as a version: expected X.Y.Z"):
        V("0.13")  # at the edge: plan_tag takes a parsed Version
