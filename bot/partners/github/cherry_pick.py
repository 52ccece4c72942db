"""Cherry-picks through the REST API only (the method of tibdex/github-cherry-pick): for
commit C with parent P onto head H, a commit with H's tree and parent P on a temporary
branch, C merged into it (the merges API: H + (C - P)), then the real commit with that
tree, parent H, C's author and message. The target branch moves once, at the end, by
fast-forward; on a conflict it is untouched and the temporary branch gone."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from github import InputGitAuthor
from github.GitCommit import GitCommit
from github.GitRef import GitRef

from bot.partners.github.client import RepoClient
from bot.partners.github.errors import PARTNER, errors
from bot.usecases.ports import CherryPickResult, Conflict, PartnerError


def cherry_pick(client: RepoClient, branch: str, shas: Sequence[str]) -> CherryPickResult:
    branch_ref = client.branch_ref(branch)
    with errors(f"reading the head of {branch}"):
        current = client.repo.get_git_commit(branch_ref.object.sha)
    temp = f"loopbot/cherry-pick/{uuid.uuid4().hex[:12]}"
    temp_ref: GitRef | None = None
    picked: list[tuple[str, str]] = []
    try:
        for sha in shas:
            current, temp_ref = _pick(client, branch, sha, current, temp, temp_ref)
            picked.append((sha, current.sha))
        if picked:
            with errors(f"fast-forwarding {branch}", write=True):
                branch_ref.edit(current.sha, force=False)
    finally:
        if temp_ref is not None:
            _delete_quietly(temp_ref)
    return CherryPickResult(branch, current.sha, tuple(picked))


def _pick(client: RepoClient, branch: str, sha: str, onto: GitCommit, temp: str,
          temp_ref: GitRef | None) -> tuple[GitCommit, GitRef]:
    """One commit onto `onto`, via the temporary branch; returns the new commit."""
    repo = client.repo
    with errors(f"reading commit {sha[:12]}"):
        original = repo.get_git_commit(sha)
        title = original.message.splitlines()[0] if original.message else ""
    if len(original.parents) != 1:
        raise Conflict(PARTNER, f"commit {sha[:12]} ({title}) is a merge or root commit: "
                                "pick the commits it brings instead")
    with errors(f"preparing the cherry-pick of {sha[:12]}"):
        scratch = repo.create_git_commit(
            f"loopbot: cherry-pick {sha[:12]} onto {branch}", onto.tree,
            [original.parents[0]])
        if temp_ref is None:
            temp_ref = repo.create_git_ref(f"refs/heads/{temp}", scratch.sha)
        else:
            temp_ref.edit(scratch.sha, force=True)
    try:
        with errors(f"merging {sha[:12]}"):
            merged = repo.merge(temp, sha, f"loopbot: apply {sha[:12]}")
    except Conflict:
        raise Conflict(PARTNER, f"commit {sha[:12]} ({title}) does not apply cleanly on "
                                f"{branch}; {branch} is unchanged: backport it by hand"
                       ) from None
    if merged is None:
        raise PartnerError(PARTNER, f"merging {sha[:12]}: nothing to merge")
    with errors(f"committing the cherry-pick of {sha[:12]}"):
        new = repo.create_git_commit(picked_message(original.message, sha),
                                     merged.commit.tree, [onto], author=author_of(original))
    return new, temp_ref


def _delete_quietly(ref: GitRef) -> None:
    try:
        with errors("deleting the temporary branch"):
            ref.delete()
    except PartnerError:
        pass  # a leftover loopbot/cherry-pick/* branch is harmless


def picked_message(message: str, sha: str) -> str:
    """The original message plus the line `git cherry-pick -x` adds, so a later backport
    can tell which commits a branch already carries."""
    return f"{message.rstrip()}\n\n(cherry picked from commit {sha})\n"


def author_of(commit: GitCommit) -> InputGitAuthor:
    """The author of a commit, as input for a new commit (keeps name, email and date)."""
    when = commit.author.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return InputGitAuthor(commit.author.name, commit.author.email, when)
