"""A GitHub REST API stand-in backed by real bare git repositories.

`GitHubStandIn` serves ROOT/OWNER/NAME.git (ROOT given to the constructor, a temporary
directory by default) with the endpoints loopbot and PyGithub use: the repository,
branches, the tags list, git refs, annotated tags, git and "repos" commits, trees,
comparisons, merges (`git merge-tree`) and releases. Everything is stored on disk: refs
and objects in git, releases in a JSON file beside them, so a stand-in started again on the
same ROOT serves the same state.

Guarantees: a request without one of the accepted tokens answers 401 "Bad credentials";
errors have GitHub's shape (`message`, `documentation_url`, and `errors` on some 422s);
ref changes are atomic and writes to one repository are serialised by a lock. Besides the
base class's faults, `lose_next_response()` runs a request and then answers 502, like a
proxy timing out after GitHub did the work (how a retried POST meets "Reference already
exists").

Test and sandbox helpers: `create_repo`, `import_repo`, `repo_path`, `commit` (a DEV
pushing one commit) and `commit_many` (hundreds of commits in one `git fast-import`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Self

from bot.domain.errors import Refusal
from bot.sandbox.github.base import REPO, RepoHandle
from bot.sandbox.github.commits import CommitRoutes
from bot.sandbox.github.files import FileRoutes
from bot.sandbox.github.gitrepo import FastImport, GitRepo, Signature
from bot.sandbox.github.refs import RefRoutes
from bot.sandbox.github.release_page import ReleaseRoutes
from bot.sandbox.github.shapes import DOCS, RepoShapes
from bot.sandbox.routes import HTTPError, Request, Response, route
from bot.sandbox.server import StandIn

DEFAULT_TOKENS = frozenset({"ghp_sandbox"})
DEV = Signature("Sandbox Dev", "dev@example.com", 1416300000)  # 2014-11-18 08:40 UTC
_NAME = re.compile(r"[A-Za-z0-9_.-]+")



class SourceRepoError(Refusal):
    """`--repo` names something that is not a git repository with commits."""


def source_default_branch(source: str | Path) -> str:
    """The default branch of the repository at `source`: what its `origin` names for a
    clone, else the branch HEAD names. SourceRepoError says what is wrong with it."""
    path = Path(source).expanduser()
    if not path.is_dir():
        raise SourceRepoError(f"--repo {source}: no such folder")
    listed = subprocess.run(["git", "ls-remote", "--symref", str(path.resolve())],
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})
    if listed.returncode != 0:
        raise SourceRepoError(f"--repo {source}: not a git repository (give the folder "
                              "that `git clone` or `git init` made)")
    symrefs: dict[str, str] = {}
    refs: set[str] = set()
    for line in listed.stdout.splitlines():
        left, _, name = line.partition("\t")
        if left.startswith("ref: "):
            symrefs[name] = left.removeprefix("ref: ")
        else:
            refs.add(name)
    for symref, prefix in (("refs/remotes/origin/HEAD", "refs/remotes/origin/"),
                           ("HEAD", "refs/heads/")):
        target = symrefs.get(symref, "")
        if target.startswith(prefix) and target in refs:
            return target.removeprefix(prefix)
    raise SourceRepoError(f"--repo {source}: the repository has no commit on its default "
                          "branch")


class GitHubStandIn(StandIn):
    name = "github"

    def __init__(self, root: str | Path | None = None, *,
                 tokens: Iterable[str] = DEFAULT_TOKENS, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        # the first matching route answers; these groups come before its own routes
        groups = (ReleaseRoutes(self), FileRoutes(self), CommitRoutes(self), RefRoutes(self))
        super().__init__(host, port, route_groups=groups)
        self._owns_root = root is None
        self.root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="ghs-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.tokens = frozenset(tokens)
        self._repos: dict[tuple[str, str], RepoHandle] = {}
        self._repos_lock = threading.Lock()
        self._serving = False  # between start() and stop(): each repository keeps a git

    def start(self) -> Self:
        with self._repos_lock:
            self._serving = True
            for handle in self._repos.values():
                handle.git.open()
        super().start()
        return self

    def stop(self) -> None:
        super().stop()
        with self._repos_lock:
            self._serving = False
            for handle in self._repos.values():
                handle.git.close()  # its long-lived git, which reads from the root
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers for tests and the sandbox ---------------------------------------------
    def repo_path(self, owner: str, name: str) -> Path:
        if not (_NAME.fullmatch(owner) and _NAME.fullmatch(name)):
            raise ValueError(f"not a repository name: {owner}/{name}")
        return self.root / owner / f"{name}.git"

    def git(self, owner: str, name: str) -> GitRepo:
        """The repository's plumbing, the one the API serves from (closed on stop)."""
        return self._handle(owner, name).git

    def create_repo(self, owner: str, name: str) -> Path:
        """An empty bare repository (HEAD on master)."""
        path = self.repo_path(owner, name)
        if not path.exists():
            GitRepo(path).init()
        return path

    def import_repo(self, owner: str, name: str, source: str | Path) -> Path:
        """A copy of an existing repository: its branches (local ones, and the remote
        branches of `origin` for a plain clone) and tags; its default branch stays the
        default. A `source` that is no git repository raises SourceRepoError first."""
        default = source_default_branch(source)
        self.create_repo(owner, name)
        repo = self.git(owner, name)
        with self._handle(owner, name).lock:
            repo.git("fetch", "--quiet", "--no-tags", str(source),
                     "+refs/remotes/origin/*:refs/heads/*", "^refs/remotes/origin/HEAD")
            repo.git("fetch", "--quiet", "--no-tags", str(source),
                     "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
            repo.git("symbolic-ref", "HEAD", f"refs/heads/{default}")
            repo.git("pack-refs", "--all")  # thousands of loose tags make every read slow
        return repo.path

    def default_branch(self, owner: str, name: str) -> str:
        """The branch GitHub would call the repository's default."""
        return self._handle(owner, name).default_branch()

    def commit(self, owner: str, name: str, branch: str, message: str,
               files: Mapping[str, str | None], author: Signature = DEV) -> str:
        """Land one commit on a branch (created from nothing if missing), like a DEV
        pushing; `files` maps paths to new content (None deletes). Returns its sha."""
        return self.commit_many(owner, name, branch, [(message, files)], author=author)[-1]

    def commit_many(self, owner: str, name: str, branch: str,
                    commits: Sequence[tuple[str, Mapping[str, str | None]]],
                    author: Signature = DEV) -> list[str]:
        """Land commits in order on a branch in one fast-import; author dates step by a
        minute from `author.when`. Returns their shas, oldest first."""
        handle = self._handle(owner, name)
        ref = f"refs/heads/{branch}"
        with handle.lock:
            parent: int | str | None = handle.git.ref_sha(ref)
            stream = FastImport()
            marks = []
            for i, (message, files) in enumerate(commits):
                who = Signature(author.name, author.email, author.when + 60 * i)
                parents = [parent] if parent is not None else []
                parent = stream.commit(ref, message, files, author=who, parents=parents)
                marks.append(parent)
            shas = handle.git.fast_import(stream)
        return [shas[m] for m in marks]

    def lose_next_response(self, method: str, path: str, count: int = 1,
                           status: int = 502) -> None:
        """The next `count` METHOD requests matching the path regex are carried out, then
        answered `status` instead of their result."""
        self.faults.lose_next(count, path, method=method.upper(), status=status)

    # -- plumbing ---------------------------------------------------------------------------
    def _handle(self, owner: str, name: str) -> RepoHandle:
        path = self.repo_path(owner, name)
        with self._repos_lock:
            handle = self._repos.get((owner, name))
            if handle is None:
                handle = RepoHandle(GitRepo(path), RepoShapes(self.url, owner, name))
                self._repos[(owner, name)] = handle
                if self._serving:
                    handle.git.open()
            return handle

    def open_repo(self, owner: str, name: str) -> RepoHandle:
        try:
            path = self.repo_path(owner, name)
        except ValueError as exc:
            raise HTTPError(404, "Not Found") from exc
        if not (path / "HEAD").exists():
            raise HTTPError(404, "Not Found")
        return self._handle(owner, name)

    def _route(self, request: Request) -> Response:
        if self._token(request) not in self.tokens:
            raise HTTPError(401, "Bad credentials")
        return super()._route(request)

    @staticmethod
    def _token(request: Request) -> str | None:
        header = request.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() in ("token", "bearer") else None

    def error_response(self, error: HTTPError) -> Response:
        body = {"message": error.message, "documentation_url": DOCS, **error.extra,
                "status": str(error.status)}
        return Response(error.status, body)

    # -- repository ---------------------------------------------------------------------------
    @route("GET", REPO)
    def get_repo(self, request: Request, owner: str, name: str) -> Response:
        repo = self.open_repo(owner, name)
        return Response(200, repo.shapes.repository(repo.default_branch()))
