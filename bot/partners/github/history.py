"""Reading commits and comparisons through GitHub's REST API.

Guarantees:
- a changelog costs few requests: `ancestry(b, h)` followed by `commits_between(b, h)`
  in the same thread is one comparison and its pages of `per_page` commits (the first
  page is kept for `comparison_ttl` seconds, used once); `changed_files(b, h)` after them
  is free;
- `contained_in(branch, shas)` costs the fewer requests of its two ways: one comparison
  per commit, or one request counting the branch's commits and its history in pages of
  `per_page` (stopping once every commit is found), so placing many tags is linear;
- `commit_files(sha)` is one `GET /repos/{o}/{r}/commits/{sha}` (a page per 300 files, up
  to GitHub's 3000), with a renamed file's old path as well as its new one;
- a missing commit is None (find_commit) or `NotFound`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from github.Comparison import Comparison
from github.Repository import Repository

from bot.domain.facts import Ancestry, Commit
from bot.partners.github.client import RepoClient
from bot.partners.github.errors import errors
from bot.usecases.ports import NotFound

FILES_PER_PAGE = 300  # GitHub's largest page of a commit's files


class History:
    """The repository's history; a comparison made by `ancestry` is kept `ttl` seconds
    for `commits_between` in the same thread."""

    def __init__(self, client: RepoClient, *, ttl: float, clock: Callable[[], float]) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._comparisons: dict[tuple[int, str, str], tuple[float, Comparison]] = {}
        # a comparison's file names, kept for changed_files (plain strings: any thread)
        self._files: dict[tuple[str, str], tuple[str, ...]] = {}

    @property
    def _repo(self) -> Repository:
        return self._client.repo

    def find_commit(self, sha: str) -> str | None:
        try:
            with errors(f"looking up commit {sha}"):
                commit = self._repo.get_commit(sha)
                return str(commit.commit.sha)  # reading .commit completes the lazy object
        except NotFound:
            return None

    def commit_files(self, sha: str) -> tuple[str, ...]:
        """The paths the commit changes against its first parent (GitHub's own list)."""
        with errors(f"reading the files of commit {sha[:12]}"):
            paths: list[str] = []
            listed = self._repo.get_commit(sha, commit_files_per_page=FILES_PER_PAGE)
            for changed in listed.files:
                if changed.previous_filename:
                    paths.append(changed.previous_filename)
                paths.append(changed.filename)
            return tuple(dict.fromkeys(paths))

    def ancestry(self, base: str, head: str) -> Ancestry:
        comparison = self._compare(base, head)
        self._comparisons[(threading.get_ident(), base, head)] = (self._clock(), comparison)
        return Ancestry(comparison.status, comparison.ahead_by, comparison.behind_by)

    def contained_in(self, branch: str, shas: Iterable[str]) -> frozenset[str]:
        wanted = frozenset(shas)
        if len(wanted) <= 1:  # one comparison, as cheap as counting the history
            return frozenset(s for s in wanted if self._is_ancestor(s, branch))
        with errors(f"listing the history of {branch}"):
            history = self._repo.get_commits(sha=branch)
            pages = -(-history.totalCount // self._client.per_page)  # one request (per_page=1)
            if pages >= len(wanted):
                return frozenset(s for s in wanted if self._is_ancestor(s, branch))
            found: set[str] = set()
            for commit in history:
                if commit.sha in wanted:
                    found.add(commit.sha)
                    if len(found) == len(wanted):
                        break
            return frozenset(found)

    def _is_ancestor(self, sha: str, branch: str) -> bool:
        """One comparison listing one commit (its status is all that is read)."""
        with errors(f"comparing {sha}...{branch}"):
            c = self._repo.compare(sha, branch, comparison_commits_per_page=1)
            return Ancestry(c.status, c.ahead_by, c.behind_by).base_is_ancestor

    def commits_between(self, base: str | None, head: str) -> list[Commit]:
        if base is None:
            with errors(f"listing the history of {head}"):
                listed = self._repo.get_commits(sha=head)
                return [_commit(c) for c in reversed(list(listed))]
        comparison = self._fresh_comparison(base, head)
        with errors(f"comparing {base}...{head}"):
            self._files[(base, head)] = tuple(f.filename for f in comparison.files)
            return [_commit(c) for c in comparison.commits]

    def changed_files(self, base: str, head: str) -> tuple[str, ...]:
        """The files base...head changes (GitHub lists up to 300): free after
        commits_between(base, head), which read them with its comparison."""
        kept = self._files.pop((base, head), None)
        if kept is not None:
            return kept
        comparison = self._compare(base, head)
        with errors(f"comparing {base}...{head}"):
            return tuple(f.filename for f in comparison.files)

    def _compare(self, base: str, head: str) -> Comparison:
        with errors(f"comparing {base}...{head}"):
            comparison = self._repo.compare(
                base, head, comparison_commits_per_page=self._client.per_page)
            comparison.status  # noqa: B018 - fetches the first page now, inside errors
            return comparison

    def _fresh_comparison(self, base: str, head: str) -> Comparison:
        # Kept per thread: its later pages are read through the client that made it.
        kept = self._comparisons.pop((threading.get_ident(), base, head), None)
        if kept is not None and self._clock() - kept[0] <= self._ttl:
            return kept[1]
        return self._compare(base, head)


def _commit(c: Any) -> Commit:
    return Commit(sha=c.sha, message=c.commit.message, author=c.commit.author.name,
                  parents=tuple(p.sha for p in c.parents),
                  committed_at=c.commit.committer.date)
