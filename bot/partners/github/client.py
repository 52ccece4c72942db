"""One repository's PyGithub client per thread, for the GitHub adapter's modules.

PyGithub's shared connection object keeps the request being built on itself, so two
threads on one client can swap URLs: each thread gets its own client; building one does
no I/O. A thread's connection is closed when the thread ends, and `close()` closes every
live thread's (at stop); a later call simply opens a new one.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from github import Github, GithubRetry
from github.GitRef import GitRef
from github.Repository import Repository

from bot.partners.github.errors import errors


class RepoClient:
    """`repo` is OWNER/NAME; `options` are PyGithub's (base_url, per_page, timeouts,
    throttling); `retries` and `retry_backoff` build its retry of 5xx answers."""

    def __init__(self, repo: str, *, retries: int, retry_backoff: float,
                 **options: Any) -> None:
        self.name = repo
        self.per_page: int = options["per_page"]
        self._options = options
        self._retries = retries
        self._backoff = retry_backoff
        self._clients = threading.local()
        self._live: weakref.WeakSet[Repository] = weakref.WeakSet()
        self._opening = threading.Lock()

    @property
    def repo(self) -> Repository:
        """This thread's client for the repository (lazy: no request until used)."""
        repo: Repository | None = getattr(self._clients, "repo", None)
        if repo is None:
            retry = GithubRetry(total=self._retries, backoff_factor=self._backoff)
            client = Github(retry=retry, lazy=True, **self._options)
            repo = self._clients.repo = client.get_repo(self.name)
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

    def branch_ref(self, branch: str) -> GitRef:
        """The branch's ref, read (so that edit() uses its /git/refs/ URL, not the lazy
        /git/ref/ one)."""
        with errors(f"reading branch {branch}"):
            ref = self.repo.get_git_ref(f"heads/{branch}")
            ref.object  # noqa: B018 - completes the lazy ref now, inside errors
            return ref
