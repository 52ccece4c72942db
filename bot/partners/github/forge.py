"""GitHub, as loopbot's `Forge`: one repository over PyGithub (github.com or Enterprise).

Guarantees:
- every failure is a `PartnerError` ("github: ..."): `NotFound` for a missing tag, branch
  or commit, `Conflict` for a tag or branch already at another commit and for a
  cherry-pick that does not apply; messages never carry the token (errors.py);
- `create_tag`, `create_branch` and `create_release` are idempotent: a retried POST that
  meets "Reference already exists" (or a release that exists) succeeds when the existing
  object is at the same commit (refs.py, release_page.py);
- `release_commit` makes the "Release X.Y.Z" commit through the git data API, once
  (contents.py);
- `cherry_pick` uses the REST API only and moves the target branch once, at the end, by
  fast-forward; on a conflict the target branch is untouched (cherry_pick.py);
- reads of commits and comparisons cost few requests (history.py);
- safe to call from several threads at once: each thread gets its own PyGithub client
  (client.py); `close()` closes them all (at stop), a later call opens a new one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote, urlsplit

from github import Auth

from bot.domain.facts import Ancestry, Commit, Tag
from bot.partners.github import cherry_pick, contents, refs, release_page
from bot.partners.github.client import RepoClient
from bot.partners.github.history import History
from bot.usecases.ports import CherryPickResult


class GitHubForge:
    """The Forge port over PyGithub for one OWNER/NAME repository."""

    def __init__(self, base_url: str, token: str, repo: str, *, per_page: int = 100,
                 seconds_between_requests: float = 0.25, seconds_between_writes: float = 1.0,
                 timeout: int = 15, retries: int = 10, retry_backoff: float = 0.0,
                 web_url: str | None = None, comparison_ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`repo` is OWNER/NAME. The throttling defaults are PyGithub's (safe for GitHub's
        secondary rate limits; tests pass 0). `retries` 5xx answers and dropped connections
        are retried (POSTs included), waiting `retry_backoff` * 2**n seconds between tries."""
        self._client = RepoClient(
            repo, retries=retries, retry_backoff=retry_backoff, base_url=base_url,
            auth=Auth.Token(token), per_page=per_page, timeout=timeout,
            seconds_between_requests=seconds_between_requests,
            seconds_between_writes=seconds_between_writes)
        self._history = History(self._client, ttl=comparison_ttl, clock=clock)
        self.repo_name = repo
        self.web_url = (web_url or _web_url(base_url)).rstrip("/")

    def close(self) -> None:
        """Close every live thread's connection to GitHub (the app is stopping)."""
        self._client.close()

    # -- tags and branches -------------------------------------------------------------------
    def branch_head(self, branch: str) -> str:
        return refs.branch_head(self._client, branch)

    def branch_exists(self, branch: str) -> bool:
        return refs.branch_exists(self._client, branch)

    def tags(self) -> list[Tag]:
        return refs.tags(self._client)

    def tag(self, name: str) -> Tag | None:
        return refs.tag(self._client, name)

    def create_tag(self, name: str, commit_sha: str, message: str) -> Tag:
        return refs.create_tag(self._client, name, commit_sha, message)

    def create_branch(self, name: str, from_sha: str) -> str:
        return refs.create_branch(self._client, name, from_sha)

    # -- history -----------------------------------------------------------------------------
    def find_commit(self, sha: str) -> str | None:
        return self._history.find_commit(sha)

    def commit_files(self, sha: str) -> tuple[str, ...]:
        return self._history.commit_files(sha)

    def ancestry(self, base: str, head: str) -> Ancestry:
        return self._history.ancestry(base, head)

    def contained_in(self, branch: str, shas: Iterable[str]) -> frozenset[str]:
        return self._history.contained_in(branch, shas)

    def commits_between(self, base: str | None, head: str) -> list[Commit]:
        return self._history.commits_between(base, head)

    def changed_files(self, base: str, head: str) -> tuple[str, ...]:
        return self._history.changed_files(base, head)

    # -- changes -----------------------------------------------------------------------------
    def cherry_pick(self, branch: str, shas: Sequence[str]) -> CherryPickResult:
        return cherry_pick.cherry_pick(self._client, branch, shas)

    def read_file(self, ref: str, path: str) -> str | None:
        return contents.read_file(self._client, ref, path)

    def release_commit(self, branch: str, base_sha: str, message: str,
                       files: Sequence[tuple[str, str]]) -> tuple[str, bool]:
        return contents.release_commit(self._client, self._history, branch, base_sha,
                                       message, files)

    def release_url(self, tag: str) -> str | None:
        return release_page.release_url(self._client, tag)

    def create_release(self, tag: str, title: str, body: str, *,
                       known_missing: bool = False) -> str:
        return release_page.create_release(self._client, tag, title, body,
                                       known_missing=known_missing)

    # -- links -------------------------------------------------------------------------------
    def compare_url(self, base: str, head: str) -> str:
        return f"{self.web_url}/{self.repo_name}/compare/{quote(base)}...{quote(head)}"

    def tag_url(self, tag: str) -> str:
        return f"{self.web_url}/{self.repo_name}/releases/tag/{quote(tag)}"


def _web_url(base_url: str) -> str:
    """github.com for api.github.com; https://HOST for Enterprise's https://HOST/api/v3."""
    parts = urlsplit(base_url)
    if parts.hostname == "api.github.com":
        return "https://github.com"
    return f"{parts.scheme}://{parts.netloc}{parts.path.removesuffix('/api/v3')}"
