"""Git plumbing over one bare repository, for the GitHub stand-in.

`GitRepo` runs the git CLI (>= 2.38, for `git merge-tree --write-tree`) with no user or
system configuration, so results depend only on the repository. Ref changes go through
`git update-ref --stdin` with the expected old value, so a concurrent change is refused
instead of lost. `FastImport` writes many commits and annotated tags in one `git
fast-import` run (milliseconds for hundreds of commits), deterministically when the dates
are fixed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ZERO = "0" * 40
_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
}
_LOG_FORMAT = "%H%x1f%T%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%B%x1e"
FileChange = tuple[str, str, int, int, str | None]  # status, path, +, -, renamed from


class GitError(Exception):
    """A git command failed; the message carries git's own stderr."""


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    when: int  # seconds since the epoch, UTC

    def raw(self) -> str:
        return f"{self.name} <{self.email}> {self.when} +0000"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str


@dataclass(frozen=True)
class TagInfo:
    sha: str
    name: str
    object_sha: str
    object_type: str
    tagger: Signature | None
    message: str


@dataclass(frozen=True)
class RefInfo:
    name: str  # refs/heads/master
    sha: str  # what the ref points at (a tag object for annotated tags)
    type: str  # commit, tag
    peeled: str  # the commit (annotated tags peeled)


class GitRepo:
    """One bare repository on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._peeled: dict[str, tuple[str, str]] = {}  # sha -> (type, peeled): immutable

    def init(self) -> GitRepo:
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "--bare", "--quiet", "--initial-branch=master")
        return self

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

    # -- objects ----------------------------------------------------------------------
    def resolve(self, rev: str, kind: str = "commit") -> str | None:
        """The sha of `rev` peeled to `kind` (commit, tree), or None."""
        if not rev or rev.startswith("-"):
            return None
        out = self.git("rev-parse", "--verify", "--quiet", "--end-of-options",
                       f"{rev}^{{{kind}}}", ok=(0, 1, 128))
        return out.strip() or None

    def object_type(self, sha: str) -> str | None:
        if not _is_sha(sha):
            return None
        return self.git("cat-file", "-t", sha, ok=(0, 1, 128)).strip() or None

    def commit(self, sha: str) -> CommitInfo | None:
        if self.object_type(sha) != "commit":
            return None
        return self.log(sha, "-1")[0]

    def log(self, *revs: str) -> list[CommitInfo]:
        """`git log` of the revision arguments, newest first (topological)."""
        out = self.git("log", "--topo-order", f"--format={_LOG_FORMAT}", *revs, "--")
        return [_parse_commit(rec) for rec in out.split("\x1e") if rec.strip("\n")]

    def count(self, *revs: str) -> int:
        return int(self.git("rev-list", "--count", *revs, "--").strip())

    def merge_base(self, a: str, b: str) -> str | None:
        return self.git("merge-base", a, b, ok=(0, 1)).strip() or None

    def is_ancestor(self, a: str, b: str) -> bool:
        return self.run("merge-base", "--is-ancestor", a, b).returncode == 0

    def tree_entries(self, tree: str, recursive: bool = False) -> list[dict[str, object]]:
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

    def changed_files(self, sha: str) -> list[FileChange]:
        """(status letter, path, additions, deletions, a rename's old path) against the
        first parent, renames found as GitHub finds them; NUL-separated, so any path."""
        args = ("diff-tree", "-r", "--root", "--no-commit-id", "-M", "-z", "-m", "--first-parent")
        names = self.git(*args, "--name-status", sha).split("\0")
        stats = self.git(*args, "--numstat", sha).split("\0")
        files: list[FileChange] = []
        i = j = 0
        while i < len(names) - 1:
            moved = names[i][0] in "RC"  # status, old path, new path
            added, deleted, _ = stats[j].split("\t", 2)
            files.append((names[i][0], names[i + 2 if moved else i + 1], _int(added),
                          _int(deleted), names[i + 1] if moved else None))
            i, j = i + (3 if moved else 2), j + (3 if moved else 1)
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
        if self.object_type(sha) != "tag":
            return None
        head, _, message = self.git("cat-file", "tag", sha).partition("\n\n")
        fields = dict(line.split(" ", 1) for line in head.splitlines())
        return TagInfo(sha, fields["tag"], fields["object"], fields["type"],
                       _parse_ident(fields["tagger"]) if "tagger" in fields else None, message)

    # -- refs -------------------------------------------------------------------------
    def refs(self, prefix: str = "refs/", sort: str = "refname") -> list[RefInfo]:
        """The refs under `prefix`. Peeling reads every object, so each object's type and
        commit are read once and kept (a page of 10,000 tags read them all again)."""
        out = self.git("for-each-ref", f"--sort={sort}", "--format=%(refname)%00%(objectname)",
                       prefix)
        pairs = [line.split("\0") for line in out.splitlines()]
        new = sorted({sha for _, sha in pairs} - self._peeled.keys())
        if new:
            lines = self.git("cat-file", "--batch-check=%(objectname) %(objecttype)",
                             input="".join(f"{sha}\n{sha}^{{}}\n" for sha in new)).split("\n")
            for n, sha in enumerate(new):
                kind, peeled = lines[2 * n].split()[1], lines[2 * n + 1].split()[0]
                self._peeled[sha] = (kind, peeled)
        return [RefInfo(name, sha, *self._peeled[sha]) for name, sha in pairs]

    def ref(self, name: str) -> RefInfo | None:
        found = [r for r in self.refs(name) if r.name == name]
        return found[0] if found else None

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
        return self.run("check-ref-format", name).returncode == 0

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


class FastImport:
    """A `git fast-import` stream: commits (with parents given as marks or shas) and
    annotated tags. Refs are written when the stream is imported."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._mark = 0

    def commit(self, ref: str, message: str, files: Mapping[str, str | None], *,
               author: Signature, parents: Sequence[int | str] = (),
               committer: Signature | None = None) -> int:
        self._mark += 1
        out = [f"commit {ref}", f"mark :{self._mark}", f"author {author.raw()}",
               f"committer {(committer or author).raw()}", _data(message)]
        if parents:
            out.append(f"from {_ref(parents[0])}")
            out += [f"merge {_ref(p)}" for p in parents[1:]]
        else:
            out.append("deleteall")
        for path, content in files.items():
            out += [f"D {path}"] if content is None else [f"M 100644 inline {path}",
                                                          _data(content)]
        self._parts.append("\n".join(out) + "\n")
        return self._mark

    def tag(self, name: str, target: int | str, message: str, tagger: Signature) -> None:
        self._parts.append(f"tag {name}\nfrom {_ref(target)}\ntagger {tagger.raw()}\n"
                           f"{_data(message)}\n")

    def reset(self, ref: str, target: int | str) -> None:
        self._parts.append(f"reset {ref}\nfrom {_ref(target)}\n\n")

    def text(self) -> str:
        return "".join(self._parts) + "done\n"


def _ref(target: int | str) -> str:
    return f":{target}" if isinstance(target, int) else target


def _data(text: str) -> str:
    return f"data {len(text.encode('utf-8'))}\n{text}"


def _is_sha(value: str) -> bool:
    return 4 <= len(value) <= 40 and all(c in "0123456789abcdef" for c in value)


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _parse_ident(text: str) -> Signature:
    name, _, rest = text.partition(" <")
    email, _, when = rest.partition("> ")
    return Signature(name, email, int(when.split()[0]))


def _parse_commit(record: str) -> CommitInfo:
    sha, tree, parents, an, ae, at, cn, ce, ct, body = record.lstrip("\n").split("\x1f", 9)
    return CommitInfo(sha, tree, tuple(parents.split()), Signature(an, ae, int(at)),
                      Signature(cn, ce, int(ct)), body.rstrip("\n"))
