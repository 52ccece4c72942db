"""What a tag would be, without changing anything: the confirmation `/loop tag` shows.

The partner calls, in the order they depend on each other (each line waits for the one
above; calls on one line are made at once through `ctx.fanout`):
1. GitHub's tags, the recorded releases, and the heads of the branches the tag may be
   made from (master, and the maintenance branch of an asked version or line); and
   Bugzilla's connection, when it is the first call (its bugs come last);
2. the comparison of the nearest earlier release tag with that head (which says whether
   it is an ancestor, and lists the commits the tag adds; further candidates are
   compared at once when it is not);
3. the bugs those commits reference, from Bugzilla in one request, with the files the
   comparison changed (the API versions' impact; free after step 2's comparison) and
   the files each bug-referencing commit changed (categories by files: one request per
   commit not read before, all at once, bounded; bot/usecases/commit_files.py), and for
   `preview_tag` the files the release commit changes, on head, when configured, and
   the CHANGELOG the categories learn from when it is not one of them
   (bot/usecases/notes_voice.py).
So with every partner 2 s late a preview costs about three waits, not the sum of them.
A release recorded `tagging` (a tag confirmed, then cut short) is previewed at the
commit recorded for it, not at the branch's head, which may carry the bot's own
"Release X.Y.Z" commit by then.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.domain.actions import Actor
from bot.domain.api_impact import Impact
from bot.domain.changelog import Changelog
from bot.domain.errors import Refusal
from bot.domain.facts import Bug, Commit
from bot.domain.permissions import check_may_tag
from bot.domain.release import Release, State
from bot.domain.release_commit import ReleaseCommitPlan
from bot.domain.tagging import (
    SENT_BACK_ACTIONS,
    Naming,
    NothingToTag,
    TagPlan,
    check_adds_commits,
    plan_tag,
    replaced_release,
    replacement_note,
)
from bot.domain.version import Version, previous_candidates
from bot.usecases.commit_files import read_commit_files
from bot.usecases.context import Context, ServicePorts
from bot.usecases.notes_voice import learn, read_extra
from bot.usecases.ports import NotFound, PartnerError
from bot.usecases.release_commit import (
    ReleaseFiles,
    api_impact_of,
    plan_for,
    read_release_files,
    release_notes,
)

CANDIDATES_AT_ONCE = 8  # earlier releases compared at once when the nearest is no ancestor


@dataclass(frozen=True)
class TagPreview:
    service: str
    plan: TagPlan
    head_sha: str
    previous: Version | None
    commits: tuple[Commit, ...]
    changelog: Changelog
    api_impact: Impact = ()  # the API versions whose code changes, with the files
    release_commit: ReleaseCommitPlan | None = None  # made before the tag, when configured
    unread_files: int = 0  # bug-referencing commits whose files were not read (words used)
    release_files: ReleaseFiles = field(default_factory=dict)  # texts the commit changes
    replaces: str = ""  # the release a patch replaces, and why (for the notes)
    finishes: bool = False  # a tag confirmed before and cut short: this finishes it
    voice: str = ""  # what the categories learned from the CHANGELOG (preview_tag only)

    @property
    def version(self) -> str:
        return str(self.plan.version)


def naming(ports: ServicePorts) -> Naming:
    c = ports.config
    return Naming(c.tag_pattern, c.branch_pattern, c.main_branch, pipeline=c.pipeline)


def preview_tag(ctx: Context, ports: ServicePorts, actor: Actor, version: Version | None = None,
                line: str | None = None) -> TagPreview:
    """What `/loop tag` would tag for `actor`, with its release commit (`ports`: the
    service, resolved once by the caller)."""
    check_may_tag(actor, ports.config.name)
    found = _taggable(ctx, ports, version, line, with_release_files=True)
    notes = release_notes(found.changelog, found.version, ctx.clock().date(),
                          found.api_impact, found.replaces)
    commit = plan_for(ports, found.release_files, found.version, notes)
    return replace(found, release_commit=commit)


def taggable(
    ctx: Context, ports: ServicePorts, *, version: Version | None = None,
    line: str | None = None, with_release_files: bool = False,
) -> TagPreview:
    """What `/loop tag` would tag now, whoever asks; a `Refusal` says why nothing is
    (the tagging announcement asks this too, so the two never disagree). With
    `with_release_files`, the files the release commit changes are read with the bugs,
    and the categories learn from the CHANGELOG (the announcement needs neither)."""
    return _taggable(ctx, ports, version, line, with_release_files)


def _taggable(ctx: Context, ports: ServicePorts, version: Version | None, line: str | None,
              with_release_files: bool) -> TagPreview:
    maintenance = _maintenance_branches(ports, version, line)
    branches = (ports.config.main_branch, *maintenance)
    listed, releases, _, *heads = ctx.fanout.at_once(
        ports.forge.tags, lambda: _releases(ctx, ports), lambda: _connect(ports),
        *(lambda b=b: _head_or_none(ports, b) for b in branches))
    known = dict(zip(branches, heads, strict=True))
    tags = [t.name for t in listed]
    existing = tuple(b for b in maintenance if version and known[b] is not None)
    plan = plan_tag(naming(ports), tags, releases, version=version, line=line,
                    branches=existing)
    head = known[plan.branch] if plan.branch in known else _head_or_none(ports, plan.branch)
    recorded = _recorded_commit(releases, plan)
    head = recorded or head
    if head is None:
        raise NothingToTag(f"there is no branch {plan.branch} to tag {plan.version} from",
                           hint="backport a fix first: "
                                f"`/loop backport SHA to {plan.version.line}`")
    previous, commits = _since_previous_release(ctx, ports, plan, tags, head)
    check_adds_commits(plan, previous, len(commits))
    base = previous.tag_name(ports.config.tag_pattern) if previous else None
    bugs, impact, files, release_files, extra = ctx.fanout.at_once(
        lambda: _bugs(ports, commits), lambda: api_impact_of(ports, base, head),
        lambda: read_commit_files(ctx, ports, commits),
        lambda: read_release_files(ctx, ports, head) if with_release_files else {},
        lambda: read_extra(ports, head) if with_release_files else None)
    voice = learn(ports, release_files, extra) if with_release_files else None
    changelog = Changelog.build(commits, bugs, files.files, ports.config.notes.file_categories,
                                voice.model if voice else None, str(plan.version))
    return TagPreview(ports.config.name, plan, head, previous, commits, changelog, impact,
                      unread_files=files.unread, release_files=release_files,
                      replaces=_replaces(ctx, ports, releases, plan),
                      finishes=recorded is not None, voice=voice.note if voice else "")


def _recorded_commit(releases: Sequence[Release], plan: TagPlan) -> str | None:
    """A tag cut short is finished on the commit recorded when it was confirmed: the
    branch may have the bot's own release commit on top by now, or newer work."""
    found = [r.commit_sha for r in releases
             if r.version == str(plan.version) and r.state is State.TAGGING]
    return found[0] if found else None


def _maintenance_branches(ports: ServicePorts, version: Version | None,
                          line: str | None) -> tuple[str, ...]:
    """The maintenance branch the asked version or line would be tagged on (read at once
    with the tags; plan_tag refuses a malformed line with the right words)."""
    if version is not None:
        return (version.branch_name(ports.config.branch_pattern),)
    if line is None:
        return ()
    try:
        return (Version.parse(f"{line.removesuffix('.x').removesuffix('.X')}.0")
                .branch_name(ports.config.branch_pattern),)
    except Refusal:
        return ()


def _replaces(ctx: Context, ports: ServicePorts, releases: Sequence[Release],
              plan: TagPlan) -> str:
    """Which release the planned patch replaces and why: the reason recorded with the
    rejection or the back-off (the store's audit log: local, quick)."""
    replaced = replaced_release(releases, plan.version)
    if replaced is None:
        return ""
    with ctx.store.unit_of_work() as uow:
        said = [e for e in uow.audit.find(replaced.service, replaced.version)
                if e.action.removeprefix("override ") in SENT_BACK_ACTIONS]
    return replacement_note(replaced, said[-1].detail if said else "",
                            ports.config.pipeline)


def _releases(ctx: Context, ports: ServicePorts) -> list[Release]:
    with ctx.store.unit_of_work() as uow:
        return uow.releases.find(ports.config.name)


def _connect(ports: ServicePorts) -> None:
    """Bugzilla's connection, early; a failure is told by the bugs' read, if there is one."""
    with contextlib.suppress(PartnerError):
        ports.tracker.connect()


def _head_or_none(ports: ServicePorts, branch: str) -> str | None:
    try:
        return ports.forge.branch_head(branch)
    except NotFound:
        return None


def _since_previous_release(
    ctx: Context, ports: ServicePorts, plan: TagPlan, tags: list[str], head: str
) -> tuple[Version | None, tuple[Commit, ...]]:
    """The nearest release whose tag is an ancestor of head (what `git describe` finds),
    and the commits head adds over it. The nearest is compared first (its comparison
    lists the commits too); only when it is no ancestor are the next ones compared at
    once, a few at a time, nearest first."""
    pattern = ports.config.tag_pattern
    candidates = previous_candidates(plan.version, tags, pattern)
    if candidates:
        first = candidates[0].tag_name(pattern)
        if ports.forge.ancestry(first, head).base_is_ancestor:
            return candidates[0], tuple(ports.forge.commits_between(first, head))
    rest = candidates[1:]
    for start in range(0, len(rest), CANDIDATES_AT_ONCE):
        batch = rest[start:start + CANDIDATES_AT_ONCE]
        ancestors = ctx.fanout.map(
            lambda c: ports.forge.ancestry(c.tag_name(pattern), head).base_is_ancestor, batch)
        for candidate, is_ancestor in zip(batch, ancestors, strict=True):
            if is_ancestor:
                base = candidate.tag_name(pattern)
                return candidate, tuple(ports.forge.commits_between(base, head))
    return None, tuple(ports.forge.commits_between(None, head))


def _bugs(ports: ServicePorts, commits: Sequence[Commit]) -> dict[int, Bug]:
    ids = Changelog.build(commits, {}).bug_ids
    return ports.tracker.bugs(ids) if ids else {}
