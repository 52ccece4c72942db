"""Tagging and backporting: the DEV use cases that write to git.

`preview_tag` (bot/usecases/tag_preview.py) says what a tag would be (version, branch
head, the commits it adds over the previous release, the bugs fixed and flagged) without
changing anything: it is what the confirmation shows. `tag_release` does it: the release
is recorded first (the unique (service, version) constraint makes a second, concurrent
tag of the same version impossible), then the annotated tag and the GitHub release are
made, each idempotent, so repeating the command after a failure finishes it and never
tags twice.

`backport` cherry-picks fixes onto a line's maintenance branch through the API, creating
the branch from the line's latest release tag when it is missing; commits already
carried over (`cherry picked from commit ...`) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain.actions import Actor
from bot.domain.audit import AuditEntry
from bot.domain.changelog import commits_for_bug
from bot.domain.errors import Refusal
from bot.domain.permissions import check_may_backport, check_may_tag
from bot.domain.release import Release, State
from bot.domain.tagging import AlreadyTagged
from bot.domain.version import Version, latest_on_line
from bot.usecases.context import Context, Progress, ServicePorts, quiet
from bot.usecases.ports import (
    AlreadyExists,
    CherryPickResult,
    Conflict,
    NotFound,
    StaleRelease,
)
from bot.usecases.release_commit import (
    make_release_commit,
    plan_for,
    read_release_files,
    release_notes,
)
from bot.usecases.tag_preview import TagPreview, naming, preview_tag, taggable

__all__ = ["BackportResult", "HeadMoved", "TagPreview", "TagResult", "backport",
           "finish_interrupted_tag", "naming", "preview_tag", "tag_release", "taggable"]


class HeadMoved(Refusal):
    pass


@dataclass(frozen=True)
class TagResult:
    release: Release
    preview: TagPreview | None  # None when a repeat finished an interrupted tag
    release_url: str
    resumed: bool = False


def tag_release(
    ctx: Context, ports: ServicePorts, actor: Actor, version: Version, *,
    expected_sha: str | None = None, request_id: str | None = None,
    progress: Progress = quiet,
) -> TagResult:
    """Tag `version` as previewed. `expected_sha` (from the confirmation) refuses when the
    branch moved since the preview, so what was confirmed is what gets tagged. `ports`: the
    service, resolved once by the caller."""
    with ctx.store.unit_of_work() as uow:
        existing = uow.releases.get(ports.config.name, str(version))
    if existing is not None and existing.state is State.TAGGING:
        return _finish_tag(ctx, ports, actor, existing, request_id, progress)
    preview = preview_tag(ctx, ports, actor, version)
    if expected_sha and preview.head_sha != expected_sha:
        raise HeadMoved(f"{preview.plan.branch} moved since the preview "
                        f"({expected_sha[:7]} -> {preview.head_sha[:7]})",
                        hint=f"run `/loop tag {version}` again to see what it adds now")
    release = _record(ctx, ports, preview)
    return _finish_tag(ctx, ports, actor, release, request_id, progress, preview)


def finish_interrupted_tag(
    ctx: Context, ports: ServicePorts, actor: Actor, version: Version, *,
    request_id: str | None = None, progress: Progress = quiet,
) -> TagResult:
    """Finish a tag that was confirmed, then cut short (its release recorded `tagging`),
    as recorded; anything else is refused, so a button never tags what nobody confirmed."""
    asked = str(version)
    with ctx.store.unit_of_work() as uow:
        existing = uow.releases.get(ports.config.name, asked)
    if existing is None or existing.state is not State.TAGGING:
        raise Refusal(f"{ports.config.name} {asked} has no tag left to finish",
                      hint=f"`/loop status {asked}` shows where it stands")
    return _finish_tag(ctx, ports, actor, existing, request_id, progress)


def _record(ctx: Context, ports: ServicePorts, preview: TagPreview) -> Release:
    now = ctx.clock()
    release = Release(
        service=preview.service, version=preview.version, state=State.TAGGING,
        commit_sha=preview.head_sha, branch=preview.plan.branch,
        previous_version=str(preview.previous) if preview.previous else None,
        fixed_bugs=preview.changelog.fixed_ids, flagged_bugs=preview.changelog.flagged_ids,
        notes=release_notes(preview.changelog, preview.version, now.date(),
                            preview.api_impact, preview.replaces),
        created_at=now, updated_at=now,
    )
    try:
        with ctx.store.unit_of_work() as uow:
            release = uow.releases.add(release)
            uow.commit()
    except AlreadyExists:
        raise AlreadyTagged(f"{preview.version} is being tagged by someone else",
                            hint=f"`/loop status {preview.version}` shows it") from None
    return release


def _finish_tag(
    ctx: Context, ports: ServicePorts, actor: Actor, release: Release,
    request_id: str | None, progress: Progress, preview: TagPreview | None = None,
) -> TagResult:
    check_may_tag(actor, release.service)
    tag_name = Version.parse(release.version).tag_name(ports.config.tag_pattern)
    assert release.commit_sha is not None
    plan = preview.release_commit if preview is not None else plan_for(  # a resumed tag
        ports, read_release_files(ctx, ports, release.commit_sha), release.version,
        release.notes)
    tagged_sha = make_release_commit(ports, release, progress, plan)
    title = f"{release.service} {release.version}"
    # Whether the release exists already (a repeat) is read while the tag is made.
    _, existing_url = ctx.fanout.at_once(
        lambda: ports.forge.create_tag(tag_name, tagged_sha, title),
        lambda: ports.forge.release_url(tag_name))
    progress(f"tagged {tag_name} at {tagged_sha[:7]}")
    release_url = existing_url or ports.forge.create_release(tag_name, title, release.notes,
                                                             known_missing=True)
    progress("published the release notes")
    tagged = replace(release, state=State.TAGGED, tag=tag_name, commit_sha=tagged_sha,
                     updated_at=ctx.clock())
    result = TagResult(tagged, preview, release_url, resumed=preview is None)
    with ctx.store.unit_of_work() as uow:
        try:  # only the one caller that moves it out of TAGGING records the tag
            uow.releases.save(tagged, expected_state=State.TAGGING)
        except StaleRelease:
            return replace(result, resumed=True)
        uow.audit.add(AuditEntry(
            actor=actor.user_id, action="tag", service=release.service,
            version=release.version, roles=actor.role_values(release.service),
            from_state=State.TAGGING.value, to_state=State.TAGGED.value,
            detail=f"{tag_name} at {tagged_sha[:7]} on {release.branch}",
            request_id=request_id, at=ctx.clock(),
        ))
        uow.commit()
    return result


@dataclass(frozen=True)
class BackportResult:
    line: str
    branch: str
    created_branch: bool
    result: CherryPickResult | None
    skipped: tuple[str, ...]  # shas already on the branch


def backport(
    ctx: Context, ports: ServicePorts, actor: Actor, line: str, *, shas: Sequence[str] = (),
    bug_id: int | None = None, request_id: str | None = None, progress: Progress = quiet,
) -> BackportResult:
    """Carry fixes from master onto `line`'s maintenance branch (created if missing).
    Reads that do not depend on each other go out together: the tags with master's head,
    then the commits that reference the bug with the maintenance branch's head."""
    check_may_backport(actor, ports.config.name)
    config = ports.config
    wants_bug = not shas and bug_id is not None
    listed, main_head = ctx.fanout.at_once(
        ports.forge.tags,
        lambda: ports.forge.branch_head(config.main_branch) if wants_bug else None)
    tags = [t.name for t in listed]
    base = latest_on_line(tags, config.tag_pattern, Version.parse(f"{line}.0").line)
    if base is None:
        raise Refusal(f"{config.name} has no release on line {line} to backport to",
                      hint="`/loop status` lists the releases")
    branch = base.branch_name(config.branch_pattern)
    tag_name = base.tag_name(config.tag_pattern)
    picks, branch_head = ctx.fanout.at_once(
        lambda: _existing(ctx, ports, shas) if shas else _commits_for_bug(
            ports, base, bug_id, main_head),
        lambda: _head_or_none(ports, branch))
    created = branch_head is None
    if branch_head is None:
        tag_sha = next(t.commit_sha for t in listed if t.name == tag_name)
        branch_head = ports.forge.create_branch(branch, tag_sha)
        progress(f"created {branch} from {base}")
    # a branch just made from the tag carries nothing yet
    carried = set() if created else _already_carried(ports, tag_name, branch_head)
    todo = [s for s in picks if not any(s.startswith(c) or c.startswith(s) for c in carried)]
    skipped = tuple(s for s in picks if s not in todo)
    result = None
    if todo:
        try:
            result = ports.forge.cherry_pick(branch, todo)
        except Conflict as exc:
            raise Refusal(f"{exc}; {branch} is unchanged",
                          hint="backport it by hand, or pick the commits it depends on "
                               "first") from None
        progress(f"picked {len(todo)} commit(s) onto {branch}")
    _audit_backport(ctx, actor, config.name, line, branch, todo, skipped, request_id)
    return BackportResult(base.line, branch, created, result, skipped)


def _existing(ctx: Context, ports: ServicePorts, shas: Sequence[str]) -> list[str]:
    """The full shas (looked up at once); a sha that names no commit is the caller's typo:
    nothing is done."""
    found = dict(zip(shas, ctx.fanout.map(ports.forge.find_commit, list(shas)), strict=True))
    missing = [sha for sha, full in found.items() if full is None]
    if missing:
        listed = ", ".join(f"`{sha}`" for sha in missing)
        raise Refusal(f"{ports.config.repo} has no commit {listed}; nothing was changed",
                      hint="check the sha (`git log --oneline` on "
                           f"{ports.config.main_branch}), or backport by bug: "
                           "`/loop backport bug N to LINE`")
    return [full for full in found.values() if full is not None]


def _commits_for_bug(ports: ServicePorts, base: Version, bug_id: int | None,
                     head: str | None) -> list[str]:
    """The commits on master since `base` that reference the bug (`head`: master's)."""
    if bug_id is None or head is None:
        raise Refusal("name the commits or the bug to backport",
                      hint="`/loop backport SHA [SHA...] to LINE` or "
                           "`/loop backport bug N to LINE`")
    tag = base.tag_name(ports.config.tag_pattern)
    found = commits_for_bug(ports.forge.commits_between(tag, head), bug_id)
    if not found:
        raise Refusal(f"no commit on {ports.config.main_branch} since {base} references "
                      f"bug {bug_id}", hint="land the fix on master first")
    return [c.sha for c in found]


def _head_or_none(ports: ServicePorts, branch: str) -> str | None:
    try:
        return ports.forge.branch_head(branch)
    except NotFound:
        return None


def _already_carried(ports: ServicePorts, tag: str, head: str) -> set[str]:
    """The master commits the branch (at `head`) already carries, from `-x` lines."""
    carried: set[str] = set()
    for commit in ports.forge.commits_between(tag, head):
        for line in commit.message.splitlines():
            if line.startswith("(cherry picked from commit "):
                carried.add(line.removeprefix("(cherry picked from commit ").rstrip(")"))
    return carried


def _audit_backport(
    ctx: Context, actor: Actor, service: str, line: str, branch: str, picked: list[str],
    skipped: tuple[str, ...], request_id: str | None,
) -> None:
    detail = f"{len(picked)} picked onto {branch}: {', '.join(s[:7] for s in picked)}"
    if skipped:
        detail += f"; already there: {', '.join(s[:7] for s in skipped)}"
    with ctx.store.unit_of_work() as uow:
        uow.audit.add(AuditEntry(
            actor=actor.user_id, action="backport", service=service, version=line,
            roles=actor.role_values(service), detail=detail,
            request_id=request_id, at=ctx.clock(),
        ))
        uow.commit()
