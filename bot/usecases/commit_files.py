"""The files the bug-referencing commits of a changelog change, for the categories by
files (bot/domain/file_categories.py).

Cost: one GitHub request per commit never read before, all at once through `ctx.fanout`
(so one partner wait, alongside the changelog's Bugzilla read), for at most
`notes.max_commit_file_reads` commits; each list is kept in the store by sha, so the tag
step after a preview, and later changelogs, read nothing again. Nothing is read for a
service without `notes.file_categories`.

A failed read (GitHub down, a 5xx after PyGithub's retries) is not fatal: the categories
are a nicety of the notes, not a step of the process, so the bugs of that commit are
categorised from words, a warning is logged, and the preview says how many commits'
files were not read. What was read is kept; nothing else is written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.changelog import commits_by_bug
from bot.domain.facts import Commit
from bot.domain.file_categories import commits_to_read
from bot.usecases.context import Context, ServicePorts
from bot.usecases.ports import PartnerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommitFiles:
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sha -> paths
    unread: int = 0  # bug-referencing commits whose files are not known (cap, failures)


def read_commit_files(ctx: Context, ports: ServicePorts, commits: Sequence[Commit]
                      ) -> CommitFiles:
    """The files of the commits the changelog's categories may use (see the module)."""
    notes = ports.config.notes
    if not notes.file_categories:
        return CommitFiles()
    plan = commits_to_read(list(commits_by_bug(commits).values()),
                           notes.max_commit_file_reads)
    kept = ctx.store.commit_files.get(plan.shas)
    missing = [sha for sha in plan.shas if sha not in kept]
    read = ctx.fanout.map(lambda sha: _read_or_none(ports, sha), missing)
    fresh = {sha: paths for sha, paths in zip(missing, read, strict=True) if paths is not None}
    ctx.store.commit_files.keep(fresh)
    failed = len(missing) - len(fresh)
    if failed:
        log.warning("%s: the files of %d commit(s) could not be read from GitHub; their "
                    "bugs are categorised from words", ports.config.name, failed)
    return CommitFiles({**kept, **fresh}, plan.left_out + failed)


def _read_or_none(ports: ServicePorts, sha: str) -> tuple[str, ...] | None:
    try:
        return ports.forge.commit_files(sha)
    except PartnerError as exc:
        log.warning("%s", exc)
        return None
