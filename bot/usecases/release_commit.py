"""The "Release X.Y.Z" commit before the tag, when the service configures
`release_commit.files` (bot/domain/release_commit.py says how each file changes).

`read_release_files` reads the files at the commit being released (the tag preview, with
its other last reads) and `plan_for` plans the commit (the preview shows its diff);
`make_release_commit` makes it on the release's branch in the tagging step (from the
preview it has just made, so the files are not read twice) and returns the sha to tag.
Planned from the recorded base commit and notes, the commit is the same on every retry,
and the forge finds a commit made by an earlier, interrupted run instead of adding
another.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.api_impact import Impact, api_impact
from bot.domain.api_impact import describe as describe_impact
from bot.domain.changelog import Changelog, render_flagged, render_notes
from bot.domain.release import Release
from bot.domain.release_commit import FileBump, ReleaseCommitPlan, plan_release_commit
from bot.usecases.context import Context, Progress, ServicePorts

ReleaseFiles = dict[str, str | None]  # path -> text (None: not on the branch)

FLAGGED_HEADING = "\nReferenced but not RESOLVED FIXED:"


def release_notes(changelog: Changelog, version: str, day: dt.date, impact: Impact,
                  replaces: str = "") -> str:
    """The release notes: the CHANGELOG section (with the API versions whose code changes,
    and the release a patch replaces), then the warning about flagged bugs."""
    notes = render_notes(changelog, version, day, describe_impact(impact), replaces)
    if changelog.flagged:
        notes += FLAGGED_HEADING + "\n" + render_flagged(changelog)
    return notes


def api_impact_of(ports: ServicePorts, base: str | None, head: str) -> Impact:
    """The API versions whose files base...head changes (free after the changelog's
    comparison); none for a first release or a service without `api_versions`."""
    served_by = ports.config.api_versions
    if not served_by or base is None:
        return ()
    return api_impact(ports.forge.changed_files(base, head), served_by)


def read_release_files(ctx: Context, ports: ServicePorts, sha: str) -> ReleaseFiles:
    """The texts at `sha` of the files the release commit changes, read at once."""
    paths = [f.path for f in ports.config.release_commit.files]
    texts = ctx.fanout.map(lambda path: ports.forge.read_file(sha, path), paths)
    return dict(zip(paths, texts, strict=True))


def plan_for(ports: ServicePorts, current: ReleaseFiles, version: str, notes: str
             ) -> ReleaseCommitPlan | None:
    """The release commit on top of the commit whose files' texts are `current`, or None
    when the service makes none."""
    conf = ports.config.release_commit
    if not conf.files:
        return None
    bumps = [FileBump(f.path, f.kind, f.key) for f in conf.files]
    return plan_release_commit(conf.message.format(version=version), bumps, current,
                               version, changelog_section(notes))


def changelog_section(notes: str) -> str:
    """The notes' CHANGELOG section, without the warning about flagged bugs."""
    return notes.split(FLAGGED_HEADING, 1)[0]


def make_release_commit(ports: ServicePorts, release: Release, progress: Progress,
                        plan: ReleaseCommitPlan | None) -> str:
    """The sha to tag: the release commit `plan` says (made now, or found), else the base
    commit (`plan_for` plans it; the tagging step reuses its preview's plan)."""
    base, branch = release.commit_sha, release.branch
    assert base is not None and branch is not None, "a recorded release has both"
    if plan is None or not plan.changes:
        return base
    sha, made = ports.forge.release_commit(branch, base, plan.message, plan.files)
    how = "committed" if made else "found"
    progress(f"{how} “{plan.message}” ({sha[:7]}) on {branch}: "
             f"{', '.join(path for path, _ in plan.files)}")
    return sha


