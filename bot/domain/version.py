"""Release versions, tag names and maintenance branch names.

Guarantees:
- A `Version` is always a plain X.Y.Z release (no epoch, pre-, post-, dev- or local part):
  anything else is refused with `BadVersion`, whose message shows the expected form.
  Parsing is done by `packaging`; a leading `v`/`V` is forgiven in what people type.
  Bounds (everywhere a version is read: `/loop tag`, `loopbot import`'s tags and tickets):
  at most MAX_VERSION_TEXT characters and MAX_PART_DIGITS digits in each of X, Y and Z
  (a date such as 20261208 fits); the refusal says which bound was passed.
- Tag names and branch names come from the configured patterns only (`{version}`,
  `{major}`, `{minor}`, `{patch}`, `{line}`), and `Version.from_tag` is their exact
  inverse: it answers None for any tag that the pattern would not have produced, so
  `v.tag_name(pattern)` gives back the very tag name `from_tag` read.
- The helpers that pick among tag names ignore every tag that is not a release tag under
  the pattern, and never read anything but the names they are given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion
from packaging.version import Version as _Parsed

from bot.domain.errors import Refusal, echoed

EXAMPLE = "0.13.1"
# A service change's label (`change-3`): a release that is not a version.
CHANGE_LABEL = re.compile(r"change-([0-9]{1,9})", re.IGNORECASE)
PATTERN_FIELDS = ("version", "major", "minor", "patch", "line")


class BadVersion(Refusal):
    """Text that is not a plain X.Y.Z release version."""


class BadPattern(Refusal):
    """A tag or branch pattern that names an unknown field."""


@dataclass(frozen=True, order=True)
class Version:
    """A plain X.Y.Z release; ordered numerically (0.9.0 < 0.10.0)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """Read `0.13.1` (or `v0.13.1`); refuse anything that is not X.Y.Z."""
        parsed = _parse(text)
        if not _is_plain_release(parsed):
            raise BadVersion(_refusal_text(text))
        major, minor, patch = parsed.release
        if max(major, minor, patch) >= 10**MAX_PART_DIGITS:
            raise BadVersion(f"couldn't read `{echoed(text)}` as a version: X, Y and Z have "
                             f"at most {MAX_PART_DIGITS} digits each, like {EXAMPLE}")
        return cls(major, minor, patch)

    @classmethod
    def from_tag(cls, tag: str, pattern: str) -> Version | None:
        """The version a release tag names under `pattern`, else None."""
        prefix, marker, suffix = pattern.partition("{version}")
        if not marker or not tag.startswith(prefix) or not tag.endswith(suffix):
            return None
        middle = tag[len(prefix) : len(tag) - len(suffix)]
        try:
            version = cls.parse(middle)
        except BadVersion:
            return None
        return version if version.tag_name(pattern) == tag else None

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def line(self) -> str:
        """The release line, `0.13` for 0.13.1."""
        return f"{self.major}.{self.minor}"

    @property
    def is_patch(self) -> bool:
        """True for a patch release (0.12.3), False for a line's first release (0.13.0)."""
        return self.patch > 0

    def next_minor(self) -> Version:
        return Version(self.major, self.minor + 1, 0)

    def next_patch(self) -> Version:
        return Version(self.major, self.minor, self.patch + 1)

    def tag_name(self, pattern: str) -> str:
        """`{version}` -> `0.13.0`; `v{version}` -> `v0.13.0`."""
        return _format(pattern, self, "tag")

    def branch_name(self, pattern: str) -> str:
        """The maintenance branch of this version's line: `{major}.{minor}.x` -> `0.12.x`."""
        return _format(pattern, self, "branch")


def release_versions(tags: Iterable[str], pattern: str) -> list[Version]:
    """The versions of the release tags among `tags`, ascending, without duplicates."""
    found = {Version.from_tag(tag, pattern) for tag in tags}
    return sorted(v for v in found if v is not None)


def latest_release(tags: Iterable[str], pattern: str) -> Version | None:
    """The highest release among `tags`, or None when there is none."""
    versions = release_versions(tags, pattern)
    return versions[-1] if versions else None


def latest_on_line(tags: Iterable[str], pattern: str, line: str) -> Version | None:
    """The highest release of `line` (`0.12`) among `tags`, or None."""
    versions = [v for v in release_versions(tags, pattern) if v.line == line]
    return versions[-1] if versions else None


def next_patch_on_line(tags: Iterable[str], pattern: str, line: str) -> Version | None:
    """The patch to tag next on `line` (after its latest release), or None if the line
    has no release at all."""
    latest = latest_on_line(tags, pattern, line)
    return latest.next_patch() if latest else None


def previous_candidates(version: Version, tags: Iterable[str], pattern: str) -> list[Version]:
    """The releases below `version`, highest first: the order in which to look for the
    previous release (the first one whose tag is an ancestor of the new tag)."""
    return [v for v in reversed(release_versions(tags, pattern)) if v < version]


MAX_VERSION_TEXT = 32  # no real version is longer; int() refuses 4,300 digits
MAX_PART_DIGITS = 8


def _parse(text: str) -> _Parsed:
    if len(text) > MAX_VERSION_TEXT:
        raise BadVersion(f"couldn't read `{echoed(text)}` as a version: it is {len(text):,} "
                         f"characters long, a version has at most {MAX_VERSION_TEXT} "
                         f"(X.Y.Z, like {EXAMPLE})")
    if not text.isascii():
        raise BadVersion(_refusal_text(text))
    try:
        return _Parsed(text)
    except (InvalidVersion, ValueError):
        raise BadVersion(_refusal_text(text)) from None


def _is_plain_release(parsed: _Parsed) -> bool:
    extras = (parsed.pre, parsed.post, parsed.dev, parsed.local)
    return parsed.epoch == 0 and len(parsed.release) == 3 and all(x is None for x in extras)


def _refusal_text(text: str) -> str:
    return f"couldn't read `{echoed(text)}` as a version: expected X.Y.Z, like {EXAMPLE}"


def _format(pattern: str, version: Version, what: str) -> str:
    fields = {
        "version": str(version),
        "major": version.major,
        "minor": version.minor,
        "patch": version.patch,
        "line": version.line,
    }
    try:
        return pattern.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join("{" + name + "}" for name in PATTERN_FIELDS)
        raise BadPattern(
            f"can't make a {what} name from the pattern `{pattern}` ({exc!r})",
            hint=f"use only {known} in the {what} pattern",
        ) from None


@dataclass(frozen=True)
class ReleaseLabel:
    """What names a release wherever a person types or links it (Slack, buttons, the
    board's `/releases/SERVICE/LABEL`): a version (`0.13.1`) or a service change's number
    (`change-3`), exactly one of the two."""

    version: Version | None = None
    change: int | None = None

    def __post_init__(self) -> None:
        if (self.version is None) == (self.change is None):
            raise ValueError("a release label is a version or a change number, one of them")

    @classmethod
    def parse(cls, text: str) -> ReleaseLabel:
        """`0.13.1` (also `v0.13.1`) or `change-3`; BadVersion for anything else."""
        change = CHANGE_LABEL.fullmatch(text)
        if change:
            return cls(change=int(change.group(1)))
        return cls(version=Version.parse(text))

    def __str__(self) -> str:
        return str(self.version) if self.version is not None else f"change-{self.change}"
