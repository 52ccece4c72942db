"""A bare repository's refs, listed by git once per state of its ref files.

`git for-each-ref` answers from packed-refs and the loose ref files under refs/; git
replaces either by writing a new file, whoever writes (the stand-in, a test's own git,
fast-import). `refs_state` reads those bytes (a few small files), so a listing is
reused exactly as long as nothing it came from changed, and any write is seen by the
next read. Looking a name up follows git's rules for a short name (`master`, `0.12.2`,
`heads/master`), so the stand-in resolves names without asking git each time.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.sandbox.github.catfile import CatFile, CatFileError
from bot.sandbox.github.gitobjects import RefInfo

# git's ref_rev_parse_rules, in order; the first that names an existing ref wins
_RULES = ("{}", "refs/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/{}",
          "refs/remotes/{}/HEAD")
_PLAIN = re.compile(r"[A-Za-z0-9._/+-]+")  # no revision syntax (^ ~ : @ { ...)
# a loose ref file holding a sha; a name for-each-ref surely lists (not a .lock file)
_SHA_LINE = re.compile(rb"[0-9a-f]{40}\n")
_SURE_NAME = re.compile(r"refs(/(?!\.)(?![^/]*\.lock(/|$))[A-Za-z0-9_.+-]*[A-Za-z0-9_+-])+")
_GLOB = re.compile(r"[*?\[\\]")
# sorts by the names alone (git breaks ties by name): kept per set of names
_BY_NAME = frozenset({"refname", "v:refname", "-v:refname", "version:refname",
                      "-version:refname"})

RefsState = tuple[bytes | None, tuple[tuple[str, bytes], ...]]


def refs_state(git_dir: Path) -> RefsState:
    """The bytes of packed-refs and of every loose ref file."""
    loose = []
    for root, _, names in os.walk(git_dir / "refs"):
        for name in names:
            path = os.path.join(root, name)
            content = _read(path)
            if content is not None:
                loose.append((path, content))
    return _read(str(git_dir / "packed-refs")), tuple(sorted(loose))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


@dataclass(frozen=True)
class RefSnapshot:
    """Every ref under refs/ (sorted by name, as `git for-each-ref` sorts them) in the
    state `state` of the ref files."""

    state: RefsState
    refs: tuple[RefInfo, ...]
    by_name: dict[str, RefInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name.update((r.name, r) for r in self.refs)

    @staticmethod
    def answers(pattern: str) -> bool:
        """Whether `under(pattern)` can answer (no glob: git would wildmatch those)."""
        return _GLOB.search(pattern) is None

    def under(self, pattern: str) -> list[RefInfo]:
        """What `git for-each-ref PATTERN` lists for a pattern without glob characters:
        the ref itself, or those below it (a pattern ending in / is a plain prefix)."""
        size = len(pattern)
        return [r for r in self.refs if r.name.startswith(pattern) and (
            len(r.name) == size or r.name[size] == "/" or pattern.endswith("/"))]

    def dwim(self, name: str, git_dir: Path) -> RefInfo | None:
        """The ref a plain name means to git, or None when git must say (no such ref,
        revision syntax, or a file of that name beside HEAD)."""
        if not _PLAIN.fullmatch(name):
            return None
        for rule in _RULES:
            full = rule.format(name)
            if full in self.by_name:
                return self.by_name[full]
            if rule == "{}" and (git_dir / name).exists():
                return None
        return None


class RefLister:
    """The refs of the repository at `path`, listed by `git` (a function running git
    there) once per state of the ref files; objects peeled by `objects`."""

    def __init__(self, path: Path, git: Callable[..., str], objects: CatFile) -> None:
        self.path = path
        self._git = git
        self._objects = objects
        self._peeled: dict[str, tuple[str, str]] = {}  # sha -> (type, peeled): immutable
        self._snapshot: RefSnapshot | None = None
        self._orders: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._head: tuple[object, str] | None = None
        self._listing = threading.Lock()

    def snapshot(self) -> RefSnapshot:
        """Every ref, listed by git again only when a ref file changed."""
        state = refs_state(self.path)
        kept = self._snapshot
        if kept is not None and kept.state == state:
            return kept
        with self._listing:  # requests arriving together after a change wait for one git
            kept = self._snapshot
            if kept is not None and kept.state == state:
                return kept
            refs = None if kept is None else self._moved(kept, state)
            if refs is None:
                refs = self._for_each_ref("refs/", "refname")
            snapshot = RefSnapshot(state, tuple(refs))
            if refs_state(self.path) == state:  # else it may hold a change its state misses
                self._snapshot = snapshot
            return snapshot

    def _moved(self, kept: RefSnapshot, state: RefsState) -> list[RefInfo] | None:
        """The refs after loose refs alone were set or removed (what the stand-in's own
        update-ref does), read from their files as git reads them; None when git must
        list them (packed-refs changed, a symbolic ref, a name or object git may skip)."""
        if kept.state[0] != state[0]:
            return None
        before, after = dict(kept.state[1]), dict(state[1])
        refs = dict(kept.by_name)
        packed = state[0] or b""
        for path in before.keys() | after.keys():
            content = after.get(path)
            if content == before.get(path):
                continue
            name = os.path.relpath(path, self.path).replace(os.sep, "/")
            if not _SURE_NAME.fullmatch(name) or ".." in name:
                return None
            if content is None:  # removed: the packed value shows again, if any
                if f" {name}\n".encode() in packed:
                    return None
                refs.pop(name, None)
                continue
            sha = content.decode("ascii", "replace").strip()
            if not _SHA_LINE.fullmatch(content) or not self._peel([sha]):
                return None
            refs[name] = RefInfo(name, sha, *self._peeled[sha])
        return [refs[name] for name in sorted(refs)]

    def listed(self, prefix: str, sort: str) -> list[RefInfo]:
        """What `git for-each-ref --sort=SORT PREFIX` lists."""
        if not RefSnapshot.answers(prefix) or sort not in _BY_NAME:
            return self._for_each_ref(prefix, sort)
        snapshot = self.snapshot()
        under = snapshot.under(prefix)
        if sort == "refname":
            return under
        # a version order depends on the names alone: git says it again for new names
        names = tuple(r.name for r in under)
        kept = self._orders.get((prefix, sort))
        if kept is not None and kept[0] == names:
            return [snapshot.by_name[name] for name in kept[1]]
        with self._listing:
            listed = self._for_each_ref(prefix, sort)
        order = tuple(r.name for r in listed)
        if sorted(order) == list(names):  # else a ref changed meanwhile: keep nothing
            self._orders[(prefix, sort)] = (names, order)
        return listed

    def head_branch(self) -> str:
        """`git symbolic-ref --short HEAD`, asked again when HEAD changed or a name came
        or went (a short name is made longer where it would be ambiguous)."""
        head = _read(str(self.path / "HEAD"))
        state = (head, tuple(self.snapshot().by_name), tuple(sorted(os.listdir(self.path))))
        kept = self._head
        if kept is not None and kept[0] == state:
            return kept[1]
        short = self._git("symbolic-ref", "--short", "HEAD", ok=(0, 1, 128)).strip()
        self._head = (state, short)
        return short

    def _for_each_ref(self, prefix: str, sort: str) -> list[RefInfo]:
        """Peeling reads every object, so each object's type and commit are read once and
        kept (a page of 10,000 tags read them all again)."""
        out = self._git("for-each-ref", f"--sort={sort}",
                        "--format=%(refname)%00%(objectname)", prefix)
        pairs = [line.split("\0") for line in out.splitlines()]
        if not self._peel({sha for _, sha in pairs}):
            raise CatFileError("a ref names a missing object")
        return [RefInfo(name, sha, *self._peeled[sha]) for name, sha in pairs]

    def _peel(self, shas: Iterable[str]) -> bool:
        """Read (and keep) each object's type and peeled sha; False if one is missing."""
        new = sorted(set(shas) - self._peeled.keys())
        if len(new) > 64:  # thousands of tags: one git for all, not a question each
            lines = self._git("cat-file", "--batch-check=%(objectname) %(objecttype)",
                              input="".join(f"{sha}\n{sha}^{{}}\n" for sha in new)).split("\n")
            for n, sha in enumerate(new):
                kind, peeled = lines[2 * n].split()[1], lines[2 * n + 1].split()[0]
                self._peeled[sha] = (kind, peeled)
            return True
        for sha in new:
            object_info, peeled_info = self._objects.info(sha), self._objects.info(f"{sha}^{{}}")
            if object_info is None or peeled_info is None:
                return False
            self._peeled[sha] = (object_info[1], peeled_info[0])
        return True
