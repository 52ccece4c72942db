"""GitHub, as loopbot's `Forge`: one repository over PyGithub (github.com or Enterprise).

Guarantees:
- every failure is a `PartnerError` ("github: ..."): `NotFound` for a missing tag, branch
  or commit, `Conflict` for a tag or branch already at another commit and for a
  cherry-pick that does not apply; messages never carry the token;
- `create_tag`, `create_branch` and `create_release` are idempotent: a retried POST that
  meets "Reference already exists" (or a release that exists) succeeds when the existing
  object is at the same commit;
- `release_commit` makes the "Release X.Y.Z" commit through the git data API, once
  (bot/partners/github_files.py);
- `cherry_pick` uses the REST API only (a temporary branch, the merges API, real commits
  with the original author and message) and moves the target branch once, at the end, by
  fast-forward; on a conflict the target branch is untouched and the temporary branch gone;
- reads of commits, tags and comparisons cost few requests (bot/partners/github_reads.py);
- safe to call from several threads at once: each thread gets its own PyGithub client
  (PyGithub's shared connection object keeps the request being built on itself, so two
  threads on one client can swap URLs); building one does no I/O. A thread's connection
  is closed when the thread ends, and `close()` closes every live thread's (at stop); a
  later call simply opens a new one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Sequence
from urllib.parse import quote, urlsplit

from github import (
    Auth,
    Github,
    GithubRetry,
    InputGitAuthor,
)
from github.Comparison import Comparison
from github.GitCommit import GitCommit
from github.GitRef import GitRef
from github.Repository import Repository

from bot.domain.facts import Tag
from bot.partners.github_errors import PARTNER, AlreadyExists, errors
from bot.partners.github_files import FileWrites
from bot.partners.github_reads import CommitReads
from bot.usecases.ports import CherryPickResult, Conflict, NotFound, PartnerError


class GitHubForge(CommitReads, FileWrites):
    """The Forge port over PyGithub for one OWNER/NAME repository."""

    def __init__(self, base_url: str, token: str, repo: str, *, per_page: int = 100,
                 seconds_between_requests: float = 0.25, seconds_between_writes: float = 1.0,
                 timeout: int = 15, retries: int = 10, retry_backoff: float = 0.0,
                 web_url: str | None = None, comparison_ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`repo` is OWNER/NAME. The throttling defaults are PyGithub's (safe for GitHub's
        secondary rate limits; tests pass 0). `retries` 5xx answers and dropped connections
        are retried (POSTs included), waiting `retry_backoff` * 2**n seconds between tries."""
        options = dict(base_url=base_url, auth=Auth.Token(token), per_page=per_page,
                       timeout=timeout, seconds_between_requests=seconds_between_requests,
                       seconds_between_writes=seconds_between_writes, lazy=True)

        def client() -> Github:  # lazy: no request until a method asks for something
            retry = GithubRetry(total=retries, backoff_factor=retry_backoff)
            return Github(retry=retry, **options)  # type: ignore[arg-type]

        self._new_client = client
        self._clients = threading.local()
        self._live: weakref.WeakSet[Repository] = weakref.WeakSet()  # threads' clients
        self._opening = threading.Lock()
        self.repo_name = repo
        self.per_page = per_page
        self.web_url = (web_url or _web_url(base_url)).rstrip("/")
        self._ttl = comparison_ttl
        self._clock = clock
        self._comparisons: dict[tuple[int, str, str], tuple[float, Comparison]] = {}
        # a comparison's file names, kept for changed_files (plain strings: any thread)
        self._files: dict[tuple[str, str], tuple[str, ...]] = {}

    @property
    def _repo(self) -> Repository:
        """This thread's client for the repository."""
        repo: Repository | None = getattr(self._clients, "repo", None)
        if repo is None:
            repo = self._clients.repo = self._new_client().get_repo(self.repo_name)
            weakref.finalize(repo, repo.requester.close)  # closed when its thread ends
            with self._opening:
                self._live.add(repo)
        return repo

    def close(self) -> None:
        """Close every live thread's connection to GitHub (the app is stopping)."""
        with self._opening:
            live = list(self._live)
        for repo in live:
            repo.requester.close()

    # -- reads -------------------------------------------------------------------------------
    def branch_head(self, branch: str) -> str:
        return self._branch_ref(branch).object.sha

    def _branch_ref(self, branch: str) -> GitRef:
        """The branch's ref, read (so that edit() uses its /git/refs/ URL, not the lazy
        /git/ref/ one)."""
        with errors(f"reading branch {branch}"):
            ref = self._repo.get_git_ref(f"heads/{branch}")
            ref.object  # noqa: B018 - completes the lazy ref now, inside _errors
            return ref

    def branch_exists(self, branch: str) -> bool:
        try:
            self.branch_head(branch)
        except NotFound:
            return False
        return True

    # -- writes ------------------------------------------------------------------------------
    def create_tag(self, name: str, commit_sha: str, message: str) -> Tag:
        with errors(f"creating tag {name}"):  # a tag object alone is no tag: not a change
            obj = self._repo.create_git_tag(name, message, commit_sha, "commit")
        try:
            with errors(f"creating tag {name}", write=True):
                self._repo.create_git_ref(f"refs/tags/{name}", obj.sha)
        except AlreadyExists:
            return self._existing_tag(name, commit_sha)
        return Tag(name, commit_sha)

    def _existing_tag(self, name: str, commit_sha: str) -> Tag:
        existing = self.tag(name)
        if existing is None:
            raise PartnerError(PARTNER, f"tag {name} was reported to exist but cannot be read")
        if existing.commit_sha != commit_sha:
            raise Conflict(PARTNER, f"tag {name} already exists at {existing.commit_sha[:12]}, "
                                    f"not at {commit_sha[:12]}")
        return existing

    def create_branch(self, name: str, from_sha: str) -> str:
        try:
            with errors(f"creating branch {name}", write=True):
                return self._repo.create_git_ref(f"refs/heads/{name}", from_sha).object.sha
        except AlreadyExists:
            head = self.branch_head(name)
            if head != from_sha:
                raise Conflict(PARTNER, f"branch {name} already exists at {head[:12]}, "
                                        f"not at {from_sha[:12]}") from None
            return head

    def cherry_pick(self, branch: str, shas: Sequence[str]) -> CherryPickResult:
        branch_ref = self._branch_ref(branch)
        with errors(f"reading the head of {branch}"):
            current = self._repo.get_git_commit(branch_ref.object.sha)
        temp = f"loopbot/cherry-pick/{uuid.uuid4().hex[:12]}"
        temp_ref: GitRef | None = None
        picked: list[tuple[str, str]] = []
        try:
            for sha in shas:
                current, temp_ref = self._pick(branch, sha, current, temp, temp_ref)
                picked.append((sha, current.sha))
            if picked:
                with errors(f"fast-forwarding {branch}", write=True):
                    branch_ref.edit(current.sha, force=False)
        finally:
            if temp_ref is not None:
                self._delete_quietly(temp_ref)
        return CherryPickResult(branch, current.sha, tuple(picked))

    def _pick(self, branch: str, sha: str, onto: GitCommit, temp: str,
              temp_ref: GitRef | None) -> tuple[GitCommit, GitRef]:
        """One commit onto `onto`, via the temporary branch; returns the new commit."""
        with errors(f"reading commit {sha[:12]}"):
            original = self._repo.get_git_commit(sha)
            title = original.message.splitlines()[0] if original.message else ""
        if len(original.parents) != 1:
            raise Conflict(PARTNER, f"commit {sha[:12]} ({title}) is a merge or root commit: "
                                    "pick the commits it brings instead")
        with errors(f"preparing the cherry-pick of {sha[:12]}"):
            scratch = self._repo.create_git_commit(
                f"loopbot: cherry-pick {sha[:12]} onto {branch}", onto.tree,
                [original.parents[0]])
            if temp_ref is None:
                temp_ref = self._repo.create_git_ref(f"refs/heads/{temp}", scratch.sha)
            else:
                temp_ref.edit(scratch.sha, force=True)
        try:
            with errors(f"merging {sha[:12]}"):
                merged = self._repo.merge(temp, sha, f"loopbot: apply {sha[:12]}")
        except Conflict:
            raise Conflict(PARTNER, f"commit {sha[:12]} ({title}) does not apply cleanly on "
                                    f"{branch}; {branch} is unchanged: backport it by hand"
                           ) from None
        if merged is None:
            raise PartnerError(PARTNER, f"merging {sha[:12]}: nothing to merge")
        with errors(f"committing the cherry-pick of {sha[:12]}"):
            new = self._repo.create_git_commit(picked_message(original.message, sha),
                                               merged.commit.tree, [onto],
                                               author=author_of(original))
        return new, temp_ref

    def _delete_quietly(self, ref: GitRef) -> None:
        try:
            with errors("deleting the temporary branch"):
                ref.delete()
        except PartnerError:
            pass  # a leftover loopbot/cherry-pick/* branch is harmless

    def release_url(self, tag: str) -> str | None:
        """The html URL of the tag's release; None when it has none yet."""
        try:
            with errors(f"reading the release of {tag}"):
                return self._repo.get_release(tag).html_url
        except NotFound:
            return None

    def create_release(self, tag: str, title: str, body: str, *,
                       known_missing: bool = False) -> str:
        """`known_missing`: the caller has just read `release_url(tag)` as None."""
        existing = None if known_missing else self.release_url(tag)
        if existing is not None:
            return existing
        try:
            with errors(f"creating the release of {tag}", write=True):
                return self._repo.create_git_release(tag, name=title, message=body).html_url
        except AlreadyExists:
            with errors(f"reading the release of {tag}"):
                return self._repo.get_release(tag).html_url

    # -- links -------------------------------------------------------------------------------
    def compare_url(self, base: str, head: str) -> str:
        return f"{self.web_url}/{self.repo_name}/compare/{quote(base)}...{quote(head)}"

    def tag_url(self, tag: str) -> str:
        return f"{self.web_url}/{self.repo_name}/releases/tag/{quote(tag)}"


def picked_message(message: str, sha: str) -> str:
    """The original message plus the line `git cherry-pick -x` adds, so a later backport
    can tell which commits a branch already carries."""
    return f"{message.rstrip()}\n\n(cherry picked from commit {sha})\n"


def _web_url(base_url: str) -> str:
    """github.com for api.github.com; https://HOST for Enterprise's https://HOST/api/v3."""
    parts = urlsplit(base_url)
    if parts.hostname == "api.github.com":
        return "https://github.com"
    return f"{parts.scheme}://{parts.netloc}{parts.path.removesuffix('/api/v3')}"


def author_of(commit: GitCommit) -> InputGitAuthor:
    """The author of a commit, as input for a new commit (keeps name, email and date)."""
    when = commit.author.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return InputGitAuthor(commit.author.name, commit.author.email, when)
