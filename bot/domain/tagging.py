"""Which version to tag next, from which branch (PROCESS.md, "A normal release" step 1
and "When something goes wrong").

`plan_tag` answers for the three ways DEV asks: a plain `/loop tag` (the next minor from
master, or, while the cycle's release is rejected on stage, its next patch from master),
an explicit version, or `on LINE` (the next patch on that line's maintenance branch). It
refuses a version that is already tagged or recorded, saying so before anything about
its line. A release left in `tagging` (a tag confirmed, then cut short) is what each of
the three finishes first: its own version, on the branch recorded for it. Pure: the tags
and the releases are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.domain.errors import Refusal, one_line
from bot.domain.pipeline import Pipeline
from bot.domain.release import Kind, Release, State
from bot.domain.rules import sent_back_on
from bot.domain.version import Version, latest_release, next_patch_on_line


class AlreadyTagged(Refusal):
    pass


class NothingToTag(Refusal):
    pass


@dataclass(frozen=True)
class Naming:
    """A service's naming patterns (from its configuration), and its pipeline: where a
    release sent back was rejected."""

    tag_pattern: str = "{version}"
    branch_pattern: str = "{major}.{minor}.x"
    main_branch: str = "master"
    pipeline: Pipeline = field(kw_only=True)


@dataclass(frozen=True)
class TagPlan:
    version: Version
    tag: str
    branch: str  # the branch whose head gets the tag
    why: str  # how the version was chosen, for the confirmation message


def plan_tag(
    naming: Naming,
    tags: Iterable[str],
    releases: Iterable[Release],
    *,
    version: Version | None = None,
    line: str | None = None,
    branches: Iterable[str] = (),
) -> TagPlan:
    """`branches`: the maintenance branches known to exist (at least the asked version's)."""
    tags = list(tags)
    releases = [r for r in releases if r.kind is Kind.CODE]
    interrupted = _interrupted(releases, version, line)
    if interrupted is not None:
        return _finishing(naming, interrupted)
    if version is not None:
        _refuse_existing(TagPlan(version, version.tag_name(naming.tag_pattern), "", ""), tags,
                         releases)
        plan = _explicit(naming, tags, version, set(branches))
    elif line is not None:
        plan = _on_line(naming, tags, line)
    else:
        plan = _next(naming, tags, releases)
    _refuse_existing(plan, tags, releases)
    return plan


def check_adds_commits(plan: TagPlan, previous: Version | None, commits: int) -> None:
    """A release must add commits over the previous release on its branch."""
    if previous is not None and commits == 0:
        raise NothingToTag(f"{plan.branch} has nothing new since {previous}",
                           hint="land a fix first")


def _explicit(naming: Naming, tags: list[str], version: Version, branches: set[str]) -> TagPlan:
    """A line's maintenance branch, once it exists, is where its patches are tagged;
    otherwise master, unless master has moved on to a newer line."""
    tag = version.tag_name(naming.tag_pattern)
    maintenance = version.branch_name(naming.branch_pattern)
    if maintenance in branches:
        return TagPlan(version, tag, maintenance, f"a patch on {maintenance}, as asked")
    latest = latest_release(tags, naming.tag_pattern)
    if latest is not None and (version.major, version.minor) < (latest.major, latest.minor):
        raise NothingToTag(f"{version} belongs to line {version.line}, which has no "
                           f"{maintenance} branch, and master has moved on to {latest.line}",
                           hint=f"backport the fix first: `/loop backport SHA to {version.line}`")
    return TagPlan(version, tag, naming.main_branch, "as asked")


def _on_line(naming: Naming, tags: list[str], line: str) -> TagPlan:
    base = _line_base(line)
    following = next_patch_on_line(tags, naming.tag_pattern, base.line)
    if following is None:
        raise NothingToTag(f"line {base.line} has no release to patch",
                           hint="`/loop tag X.Y.0` starts a new line from master")
    branch = following.branch_name(naming.branch_pattern)
    return TagPlan(following, following.tag_name(naming.tag_pattern), branch,
                   f"the next patch on {branch}")


def _next(naming: Naming, tags: list[str], releases: list[Release]) -> TagPlan:
    sent_back = _sent_back(releases)
    if sent_back is not None:
        patch = Version.parse(sent_back.version).next_patch()
        while patch.tag_name(naming.tag_pattern) in tags:
            patch = patch.next_patch()
        how = _how(sent_back, naming.pipeline)
        return TagPlan(patch, patch.tag_name(naming.tag_pattern), naming.main_branch,
                       f"{sent_back.version} was {how}: its next patch, from "
                       f"{naming.main_branch}")
    latest = latest_release(tags, naming.tag_pattern)
    following = latest.next_minor() if latest else Version.parse("0.1.0")
    return TagPlan(following, following.tag_name(naming.tag_pattern), naming.main_branch,
                   f"the next minor after {latest}" if latest else "the first release")


SENT_BACK_ACTIONS = ("reject", "backoff prod")  # their audit entries say why


def replaced_release(releases: Iterable[Release], version: Version) -> Release | None:
    """The release `version` replaces: the newest of its line rejected on stage or backed
    off from prod, older than it, that no patch has replaced yet."""
    older = [r for r in releases if r.kind is Kind.CODE and Version.parse(r.version) < version
             and Version.parse(r.version).line == version.line]
    return _sent_back(older)


def replacement_note(replaced: Release, why: str, pipeline: Pipeline) -> str:
    """The release notes' line on the release a patch replaces, and why (one line)."""
    how = _how(replaced, pipeline)
    said = one_line(why)
    return f"Replaces {replaced.version}, {how}" + (f": {said}" if said else "")


def _how(sent_back: Release, pipeline: Pipeline) -> str:
    if sent_back.state is State.BACKED_OFF:
        return "backed off from prod"
    return f"rejected on {sent_back_on(sent_back, pipeline)}"


def _sent_back(releases: list[Release]) -> Release | None:
    """The newest release rejected on stage or backed off from prod that no patch has
    replaced yet."""
    live = [r for r in releases if r.state in (State.REJECTED, State.BACKED_OFF)]
    return max(live, key=lambda r: Version.parse(r.version)) if live else None


def _interrupted(releases: list[Release], version: Version | None, line: str | None
                 ) -> Release | None:
    """The release left in `tagging` that this request finishes: the asked version's, the
    asked line's, or (a plain `/loop tag`) the newest."""
    stuck = [r for r in releases if r.state is State.TAGGING]
    if version is not None:
        stuck = [r for r in stuck if r.version == str(version)]
    elif line is not None:
        asked = _line_base(line).line
        stuck = [r for r in stuck if Version.parse(r.version).line == asked]
    return max(stuck, key=lambda r: Version.parse(r.version), default=None)


def _finishing(naming: Naming, release: Release) -> TagPlan:
    version = Version.parse(release.version)
    return TagPlan(version, version.tag_name(naming.tag_pattern),
                   release.branch or naming.main_branch,
                   "the tag confirmed for it was cut short: this finishes it")


def _line_base(line: str) -> Version:
    return Version.parse(f"{line.removesuffix('.x').removesuffix('.X')}.0")


def _refuse_existing(plan: TagPlan, tags: list[str], releases: list[Release]) -> None:
    recorded = {r.version: r for r in releases}
    release = recorded.get(str(plan.version))
    if release is not None and release.state is not State.TAGGING:
        raise AlreadyTagged(f"{plan.version} exists already: tag {release.tag or plan.tag}, "
                            f"release {release.state.value}", hint=_instead(plan.version))
    if release is None and plan.tag in tags:
        raise AlreadyTagged(f"{plan.version} exists already: the tag {plan.tag} is on GitHub",
                            hint=_instead(plan.version))


def _instead(version: Version) -> str:
    return (f"`/loop tag on {version.line}` tags the next patch on {version.line}; "
            f"`/loop status {version}` shows where {version} stands")

