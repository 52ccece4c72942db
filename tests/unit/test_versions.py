from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import Refusal
from bot.domain.version import (
    BadPattern,
    BadVersion,
    ReleaseLabel,
    Version,
    latest_on_line,
    latest_release,
    next_patch_on_line,
    previous_candidates,
    release_versions,
)

LOOP_SERVER_TAGS = [
    "0.9.0", "0.10.0", "0.11.0", "0.11.1", "0.12.0", "0.12.1", "0.12.2", "0.13.0",
    "0.13.1", "v0.13.2", "0.14.0rc1", "old-prototype", "0.12", "2014-11-13",
]


def test_plain_release_is_read_with_its_parts() -> None:
    version = Version.parse("0.13.1")
    assert (version.major, version.minor, version.patch) == (0, 13, 1)
    assert str(version) == "0.13.1"
    assert version.line == "0.13"


@pytest.mark.parametrize("typed", ["v0.12.3", "V0.12.3", " 0.12.3 "])
def test_leading_v_and_spaces_are_forgiven(typed: str) -> None:
    assert Version.parse(typed) == Version(0, 12, 3)


@pytest.mark.parametrize(
    "text", ["0.13", "0.13.1rc1", "1.2.3.4", "0.13.1.dev0", "1!0.13.1", "0.13.1+local",
             "0.13.1.post1", "latest", "", "0.13.x"],
)
def test_anything_but_x_y_z_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(BadVersion) as caught:
        Version.parse(text)
    assert str(caught.value) == (
        f"couldn't read `{text}` as a version: expected X.Y.Z, like 0.13.1"
    )
    assert isinstance(caught.value, Refusal)


def test_a_too_long_version_is_refused_with_the_length_limit_not_the_form() -> None:
    """Issue 20: 39 digits were refused as "expected X.Y.Z"; the length limit is said."""
    with pytest.raises(BadVersion) as caught:
        Version.parse("1" * 39)
    assert caught.value.message == (
        f"couldn't read `{'1' * 39}` as a version: it is 39 characters long, a version has "
        "at most 32 (X.Y.Z, like 0.13.1)")


@pytest.mark.parametrize("text", ["99999999999999999999999.0.0", "0.123456789.0",
                                  "0.0.100000000"])
def test_an_absurd_version_is_refused_with_the_digit_limit(text: str) -> None:
    """Issue 17: `loopbot import` recorded a ticket for 99999999999999999999999.0.0."""
    with pytest.raises(BadVersion) as caught:
        Version.parse(text)
    assert caught.value.message == (
        f"couldn't read `{text}` as a version: X, Y and Z have at most 8 digits each, "
        "like 0.13.1")
    assert Version.from_tag(text, "{version}") is None
    assert Version.parse("20261208.0.99999999") == Version(20261208, 0, 99999999)


def test_versions_order_numerically_not_as_text() -> None:
    assert Version.parse("0.9.0") < Version.parse("0.10.0") < Version.parse("0.10.1")
    assert max(Version.parse(t) for t in ("0.12.2", "0.12.10", "0.12.9")) == Version(0, 12, 10)


def test_next_minor_starts_a_new_line_and_next_patch_stays_on_it() -> None:
    assert Version.parse("0.13.1").next_minor() == Version(0, 14, 0)
    assert Version.parse("0.12.2").next_patch() == Version(0, 12, 3)
    assert Version.parse("0.12.3").is_patch
    assert not Version.parse("0.14.0").is_patch


@pytest.mark.parametrize(
    ("pattern", "branch"),
    [("{major}.{minor}.x", "0.12.x"), ("{major}.{minor}.X", "0.12.X"), ("release-{line}",
                                                                          "release-0.12")],
)
def test_branch_name_follows_the_configured_pattern(pattern: str, branch: str) -> None:
    assert Version.parse("0.12.2").branch_name(pattern) == branch


def test_tag_name_follows_the_configured_pattern() -> None:
    assert Version.parse("0.13.0").tag_name("{version}") == "0.13.0"
    assert Version.parse("0.13.0").tag_name("v{version}") == "v0.13.0"


def test_a_pattern_with_an_unknown_field_is_refused_with_the_known_ones() -> None:
    with pytest.raises(BadPattern) as caught:
        Version.parse("0.19.0").branch_name("{series}.x")
    assert caught.value.hint is not None and "{major}" in caught.value.hint


@pytest.mark.parametrize(
    ("tag", "pattern", "expected"),
    [
        ("0.13.0", "{version}", Version(0, 13, 0)),
        ("v0.6.0", "v{version}", Version(0, 6, 0)),
        ("v0.13.0", "{version}", None),
        ("0.13.0", "v{version}", None),
        ("0.13.0rc1", "{version}", None),
        ("0.013.0", "{version}", None),
        ("loop-server-0.16.1", "loop-server-{version}", Version(0, 16, 1)),
        ("0.16.X", "{version}", None),
    ],
)
def test_from_tag_reads_only_release_tags_of_the_pattern(
    tag: str, pattern: str, expected: Version | None
) -> None:
    assert Version.from_tag(tag, pattern) == expected


@settings(database=None)
@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99),
       st.sampled_from(["{version}", "v{version}", "loop-client-{version}"]))
def test_from_tag_inverts_tag_name(major: int, minor: int, patch: int, pattern: str) -> None:
    version = Version(major, minor, patch)
    assert Version.from_tag(version.tag_name(pattern), pattern) == version


def test_latest_release_ignores_tags_outside_the_pattern() -> None:
    assert latest_release(LOOP_SERVER_TAGS, "{version}") == Version(0, 13, 1)
    assert latest_release(["v0.5.0", "v0.6.1"], "v{version}") == Version(0, 6, 1)
    assert latest_release(["prototype"], "{version}") is None


def test_latest_on_a_line_and_its_next_patch() -> None:
    assert latest_on_line(LOOP_SERVER_TAGS, "{version}", "0.12") == Version(0, 12, 2)
    assert next_patch_on_line(LOOP_SERVER_TAGS, "{version}", "0.12") == Version(0, 12, 3)
    assert next_patch_on_line(LOOP_SERVER_TAGS, "{version}", "0.8") is None


def test_previous_candidates_of_a_new_minor_go_down_from_the_highest_below() -> None:
    candidates = previous_candidates(Version(0, 14, 0), LOOP_SERVER_TAGS, "{version}")
    assert [str(v) for v in candidates[:4]] == ["0.13.1", "0.13.0", "0.12.2", "0.12.1"]
    assert candidates[-1] == Version(0, 9, 0)


def test_previous_candidates_of_a_patch_exclude_itself_and_later_releases() -> None:
    candidates = previous_candidates(Version(0, 12, 2), LOOP_SERVER_TAGS, "{version}")
    assert [str(v) for v in candidates] == ["0.12.1", "0.12.0", "0.11.1", "0.11.0", "0.10.0",
                                            "0.9.0"]


def test_release_versions_are_ascending_and_unique() -> None:
    versions = release_versions(["0.11.0", "0.10.0", "0.11.0", "0.9.0"], "{version}")
    assert versions == [Version(0, 9, 0), Version(0, 10, 0), Version(0, 11, 0)]


def test_a_release_label_is_a_version_or_a_change_number() -> None:
    assert ReleaseLabel.parse("v0.13.1") == ReleaseLabel(version=Version(0, 13, 1))
    assert ReleaseLabel.parse("Change-007") == ReleaseLabel(change=7)
    assert [str(ReleaseLabel.parse(t)) for t in ("V0.13.1", "change-03")] == [
        "0.13.1", "change-3"]
    with pytest.raises(BadVersion, match="expected X.Y.Z"):
        ReleaseLabel.parse("change-")
    with pytest.raises(ValueError):
        ReleaseLabel(version=Version(0, 13, 1), change=3)
