"""Git plumbing over one bare repository, for the GitHub stand-in.

`GitRepo` runs the git CLI (>= 2.38, for `git merge-tree --write-tree`) with no user or
system configuration, so results depend only on the repository. Ref changes go through
`git update-ref --stdin` with the expected old value, so a concurrent change is refused
instead of lost.

Few git processes per request: objects (a commit, a tag, a blob, a sha peeled to a commit
or tree) are read from one long-lived `git cat-file --batch-command` (catfile.py); refs
are listed once per state of the ref files (refsnapshot.py), and names are resolved
against that listing; what only depends on objects (a commit's files, a tree, whether one
commit contains another) is kept by sha. Names git must interpret (short shas, revision
syntax) still go to `git rev-parse`. The long-lived process runs between `open()` and
`close()` (the GitHub stand-in's start and stop).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache

from bot.sandbox.github.catfile import CatFile
from bot.sandbox.github.fastimport import FastImport
from bot.sandbox.github.gitobjects import (
    LOG_FORMAT,
    CommitInfo,
    FileChange,
    RefInfo,
    Signature,
    TagInfo,
    parse_log_record,
    parse_raw_commit,
    parse_raw_tag,
    text,
)
from bot.sandbox.github.refsnapshot import RefLister

__all__ = ["ZERO", "CommitInfo", "FastImport", "FileChange", "GitError", "GitRepo",
           "RefInfo", "Signature", "TagInfo"]

ZERO = "0" * 40
_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
}
_FULL_SHA = re.compile(r"[0-9a-f]{40}")
_PLAIN_PATH = re.compile(r"[^\s*?\[\\:/]+(/[^\s*?\[\\:/]+)*")  # no glob, no empty part
# names check-ref-format accepts for sure (else git says): no part starts with a dot or
# ends with .lock, no "..", nothing special
_SURE_REF = re.compile(r"refs(/(?!\.)(?![^/]*\.lock(/|$))[A-Za-z0-9_.+-]*[A-Za-z0-9_+-])+")
T = TypeVar("T")


class GitError(Exception):
    """A git command failed; the message carries git's own stderr."""


class GitRepo:
    """One bare repository on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._objects = CatFile(lambda: {**os.environ, **_ENV, "GIT_DIR": str(path)})
        self._kept: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=4096)  # by shas
        self._lock = threading.Lock()
        self._refs = RefLister(path, self.git, self._objects)

    def init(self) -> GitRepo:
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "--bare", "--quiet", "--initial-branch=master")
        return self

    def open(self) -> None:
        """Read objects through one long-lived git from now on (until close())."""
        self._objects.open()

    def close(self) -> None:
        """End the long-lived git; later reads each run a git of their own."""
        self._objects.close()

    def git(self, *args: str, input: str | None = None, env: Mapping[str, str] | None = None,
            ok: Sequence[int] = (0,)) -> str:
        """Run git in this repository; GitError unless the exit status is in `ok`."""
        done = self.run(*args, input=input, env=env)
        if done.returncode not in ok:
            raise GitError(f"git {args[0]}: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def run(self, *args: str, input: str | None = None,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **_ENV, "GIT_DIR": str(self.path), **(env or {})}
        return subprocess.run(["git", *args], input=input, env=full_env, capture_output=True,
                              text=True, check=False)

    def _keep(self, key: tuple[str, ...], shas: Sequence[str],
              compute: Callable[[], tuple[T, bool]]) -> T:
        """What compute() says, kept under `key` when `shas` are all full shas (objects
        never change) and compute() says its answer holds for good (git found them)."""
        if not all(_FULL_SHA.fullmatch(sha) for sha in shas):
            return compute()[0]
        with self._lock:
            if key in self._kept:
                return self._kept[key]
        value, lasting = compute()
        if lasting:
            with self._lock:
                self._kept[key] = value
        return value

    # -- objects ----------------------------------------------------------------------
    def resolve(self, rev: str, kind: str = "commit") -> str | None:
        """The sha of `rev` peeled to `kind` (commit, tree), or None."""
        if not rev or rev.startswith("-"):
            return None
        if _FULL_SHA.fullmatch(rev):
            found = self._objects.info(f"{rev}^{{{kind}}}")
            return found[0] if found else None
        ref = self._refs.snapshot().dwim(rev, self.path)
        if ref is not None:
            found = self._objects.info(f"{ref.sha}^{{{kind}}}")
            return found[0] if found else None
        out = self.git("rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{rev}^{{{kind}}}", ok=(0, 1, 128))
        return out.strip() or None

    def object_type(self, sha: str) -> str | None:
        if not _is_sha(sha):
            return None
        if _FULL_SHA.fullmatch(sha):  # a short sha may grow ambiguous: git says
            found = self._objects.info(sha)
            return found[1] if found else None
        return self.git("cat-file", "-t", sha, ok=(0, 1, 128)).strip() or None

    def commit(self, sha: str) -> CommitInfo | None:
        if not _FULL_SHA.fullmatch(sha):
            return self.log(sha, "-1")[0] if self.object_type(sha) == "commit" else None

        def read() -> tuple[CommitInfo | None, bool]:
            found = self._objects.contents(sha)
            if found is None:
                return None, False  # not yet: it may be written later
            if found[1] != "commit":
                return None, True
            return parse_raw_commit(sha, found[2]) or self.log(sha, "-1")[0], True

        return self._keep(("commit", sha), (sha,), read)

    def log(self, *revs: str) -> list[CommitInfo]:
        """`git log` of the revision arguments, newest first (topological)."""
        out = self.git("log", "--topo-order", f"--format={LOG_FORMAT}", *revs, "--")
        return [parse_log_record(rec) for rec in out.split("\x1e") if rec.strip("\n")]

    def count(self, *revs: str) -> int:
        return int(self.git("rev-list", "--count", *revs, "--").strip())

    def merge_base(self, a: str, b: str) -> str | None:
        return self._keep(("merge-base", a, b), (a, b), lambda: (self.git(
            "merge-base", a, b, ok=(0, 1)).strip() or None, True))

    def is_ancestor(self, a: str, b: str) -> bool:
        def ask() -> tuple[bool, bool]:
            status = self.run("merge-base", "--is-ancestor", a, b).returncode
            return status == 0, status in (0, 1)  # else a commit is missing (yet)

        return self._keep(("is-ancestor", a, b), (a, b), ask)

    def tree_entries(self, tree: str, recursive: bool = False) -> list[dict[str, object]]:
        kept = self._keep(("ls-tree", tree, "-r" if recursive else ""), (tree,),
                          lambda: (self._tree_entries(tree, recursive), True))
        return [dict(entry) for entry in kept]  # the caller adds its urls to them

    def _tree_entries(self, tree: str, recursive: bool) -> list[dict[str, object]]:
        args = ["ls-tree", "-l", "-z", *(["-r", "-t"] if recursive else []), tree]
        entries: list[dict[str, object]] = []
        for line in self.git(*args).split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append({"path": path, "mode": mode, "type": kind, "sha": sha,
                            "size": None if size == "-" else int(size)})
        return entries

    def path_entry(self, commit: str, path: str) -> tuple[str, str] | None:
        """(type, sha) of the entry `git ls-tree COMMIT -- PATH` shows first, or None."""
        if _FULL_SHA.fullmatch(commit) and _PLAIN_PATH.fullmatch(path) and not any(
                part in (".", "..") for part in path.split("/")):
            found = self._objects.info(f"{commit}:{path}")  # the same entry, by name
            return (found[1], found[0]) if found else None
        listed = self.git("ls-tree", "-z", commit, "--", path, ok=(0, 128))
        meta = listed.split("\0")[0].split("\t")[0].split()
        return (meta[1], meta[2]) if len(meta) == 3 else None

    def changed_files(self, sha: str) -> list[FileChange]:
        """(status letter, path, additions, deletions, a rename's old path) against the
        first parent, renames found as GitHub finds them; NUL-separated, so any path."""
        return list(self._keep(("changed", sha), (sha,), lambda: (self._changed_files(sha), True)))

    def _changed_files(self, sha: str) -> list[FileChange]:
        # one diff-tree: the raw entries (":modes shas STATUS", path or old and new path),
        # then the same entries' numstat ("+\t-\tpath", or "+\t-\t", old, new), per parent
        out = self.git("diff-tree", "-r", "--root", "--no-commit-id", "-M", "-z", "-m",
                       "--first-parent", "--raw", "--numstat", sha).split("\0")
        files: list[FileChange] = []
        i = 0
        while i < len(out) and out[i].startswith(":"):  # a group per parent (a merge: -m)
            entries = []
            while i < len(out) and out[i].startswith(":"):
                status = out[i].split()[-1][0]
                moved = status in "RC"
                entries.append((status, out[i + 1], out[i + 2]) if moved
                               else (status, out[i + 1]))
                i += 3 if moved else 2
            for entry in entries:
                added, deleted, _ = out[i].split("\t", 2)
                files.append((entry[0], entry[-1], _int(added), _int(deleted),
                              entry[1] if len(entry) == 3 else None))
                i += 3 if len(entry) == 3 else 1
        return files

    def merge_tree(self, base: str, head: str) -> str | None:
        """The tree of a three-way merge of two commits, or None on a conflict."""
        done = self.run("merge-tree", "--write-tree", "--no-messages", base, head)
        if done.returncode == 1:
            return None
        if done.returncode != 0:
            raise GitError(f"git merge-tree: {done.stderr.strip()}")
        return done.stdout.split()[0]

    def commit_tree(self, tree: str, parents: Sequence[str], message: str,
                    author: Signature, committer: Signature) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = {
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": f"{author.when} +0000",
            "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": f"{committer.when} +0000",
        }
        return self.git(*args, input=message, env=env).strip()

    def make_tag(self, name: str, object_sha: str, object_type: str, message: str,
                 tagger: Signature) -> str:
        text = (f"object {object_sha}\ntype {object_type}\ntag {name}\n"
                f"tagger {tagger.raw()}\n\n{message}")
        return self.git("mktag", input=text).strip()

    def tag(self, sha: str) -> TagInfo | None:
        if _FULL_SHA.fullmatch(sha):
            found = self._objects.contents(sha)
            if found is None or found[1] != "tag":
                return None
            return parse_raw_tag(sha, found[2])
        if self.object_type(sha) != "tag":
            return None
        return parse_raw_tag(sha, self.git("cat-file", "tag", sha).encode())

    def blob_text(self, sha: str) -> str:
        """A blob's content, as `git cat-file blob SHA` prints it to a text pipe."""
        found = self._objects.contents(sha) if _FULL_SHA.fullmatch(sha) else None
        if found is None or found[1] != "blob":
            return self.git("cat-file", "blob", sha)
        return text(found[2])

    # -- refs -------------------------------------------------------------------------
    def refs(self, prefix: str = "refs/", sort: str = "refname") -> list[RefInfo]:
        """The refs under `prefix`, as `git for-each-ref --sort=SORT PREFIX` lists them."""
        return self._refs.listed(prefix, sort)

    def ref(self, name: str) -> RefInfo | None:
        return self._refs.snapshot().by_name.get(name)

    def head_branch(self) -> str:
        """`git symbolic-ref --short HEAD` (empty when HEAD is detached or missing)."""
        return self._refs.head_branch()

    def update_ref(self, name: str, new: str | None, old: str | None) -> bool:
        """Set (or delete, new None) a ref if it still holds `old` (None: must not exist).
        False when the ref changed meanwhile."""
        if new is None:
            line = f"delete {name} {old}\n"
        elif old is None:
            line = f"create {name} {new}\n"
        else:
            line = f"update {name} {new} {old}\n"
        return self.run("update-ref", "--stdin", input=line).returncode == 0

    def ref_sha(self, name: str) -> str | None:
        ref = self.ref(name)
        return ref.sha if ref else None

    def check_ref_format(self, name: str) -> bool:
        return _ref_format_ok(name)

    # -- bulk -------------------------------------------------------------------------
    def fast_import(self, stream: FastImport) -> dict[int, str]:
        """Run a fast-import stream; returns mark -> sha."""
        with tempfile.NamedTemporaryFile("r", suffix=".marks", delete=False) as marks:
            path = marks.name
        try:
            self.git("fast-import", "--quiet", "--force", f"--export-marks={path}",
                     input=stream.text())
            pairs = (line.split() for line in Path(path).read_text().splitlines())
            return {int(mark[1:]): sha for mark, sha in pairs}
        finally:
            os.unlink(path)


@lru_cache(maxsize=1024)
def _ref_format_ok(name: str) -> bool:
    """`git check-ref-format NAME` (a rule on the name alone)."""
    if _SURE_REF.fullmatch(name) and ".." not in name:
        return True
    done = subprocess.run(["git", "check-ref-format", name], capture_output=True,
                          check=False, env={**os.environ, **_ENV})
    return done.returncode == 0


def _is_sha(value: str) -> bool:
    return 4 <= len(value) <= 40 and all(c in "0123456789abcdef" for c in value)


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0
