"""`FakeForge`: one repository in memory (a commit graph whose commits each hold their
whole tree), honouring the `Forge` port as GitHubForge does on the stand-in: NotFound for
a missing branch, Conflict for a tag or branch at another commit and for a commit that
does not apply, idempotent tags, branches, releases and release commits.

`FakeForge.from_git(path)` copies a real repository (the sandbox's demo) into memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.facts import Ancestry, Commit, Tag
from bot.partners.github.cherry_pick import picked_message
from bot.usecases.ports import CherryPickResult, Conflict, NotFound

PARTNER = "GitHub"
Tree = Mapping[str, str]


@dataclass
class FakeForge:
    repo: str = "mozilla-services/loop-server"
    web_url: str = "https://github.com"
    commits: dict[str, Commit] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tag_shas: dict[str, str] = field(default_factory=dict)  # tag -> commit (peeled)
    releases: dict[str, str] = field(default_factory=dict)  # tag -> html url
    calls: list[str] = field(default_factory=list)  # method names, in order

    # -- building (tests) -------------------------------------------------------------
    def commit(self, branch: str, message: str, files: Tree | None = None, *,
               author: str = "Loop Developer") -> str:
        """A commit on `branch` (made if missing) changing `files`; returns its sha."""
        parent = self.branches.get(branch)
        tree = {**(self.trees[parent] if parent else {}), **(files or {})}
        sha = self._add(message, (parent,) if parent else (), tree, author)
        self.branches[branch] = sha
        return sha

    def copy(self) -> FakeForge:
        return FakeForge(self.repo, self.web_url, dict(self.commits), dict(self.trees),
                         dict(self.branches), dict(self.tag_shas), dict(self.releases))

    @classmethod
    def from_git(cls, git_dir: Path, repo: str) -> FakeForge:
        forge = cls(repo)
        log = _git(git_dir, "log", "--all", "--reverse", "--topo-order",
                   "--format=%H%x00%P%x00%an%x00%ct%x00%B%x01")
        for record in filter(str.strip, log.split("\x01")):
            sha, parents, author, stamp, message = record.lstrip("\n").split("\x00")
            forge.commits[sha] = Commit(sha, message.rstrip("\n") + "\n", author,
                                        tuple(parents.split()),
                                        dt.datetime.fromtimestamp(int(stamp), dt.UTC))
            forge.trees[sha] = _tree(git_dir, sha)  # blob ids; read below in one batch
        blobs = _blobs(git_dir, {b for tree in forge.trees.values() for b in tree.values()})
        forge.trees = {sha: {path: blobs[b] for path, b in tree.items()}
                       for sha, tree in forge.trees.items()}
        for line in _git(git_dir, "for-each-ref", "--format=%(refname) %(objectname)",
                         "refs/heads", "refs/tags").splitlines():
            ref, sha = line.split()
            if ref.startswith("refs/heads/"):
                forge.branches[ref.removeprefix("refs/heads/")] = sha
            else:
                name = ref.removeprefix("refs/tags/")
                forge.tag_shas[name] = _git(git_dir, "rev-parse", f"{name}^{{commit}}").strip()
        return forge

    # -- reads ------------------------------------------------------------------------
    def branch_head(self, branch: str) -> str:
        self.calls.append("branch_head")
        if branch not in self.branches:
            raise NotFound(PARTNER, f"no branch {branch} in {self.repo}")
        return self.branches[branch]

    def branch_exists(self, branch: str) -> bool:
        self.calls.append("branch_exists")
        return branch in self.branches

    def find_commit(self, sha: str) -> str | None:
        self.calls.append("find_commit")
        found = [s for s in self.commits if s.startswith(sha.lower())]
        return found[0] if len(found) == 1 else None

    def tags(self) -> list[Tag]:
        self.calls.append("tags")
        return [Tag(name, sha) for name, sha in sorted(self.tag_shas.items(), reverse=True)]

    def tag(self, name: str) -> Tag | None:
        self.calls.append("tag")
        sha = self.tag_shas.get(name)
        return Tag(name, sha) if sha else None

    def ancestry(self, base: str, head: str) -> Ancestry:
        self.calls.append("ancestry")
        b, h = self._ancestors(self._sha(base)), self._ancestors(self._sha(head))
        ahead, behind = len(h - b), len(b - h)
        status = ("identical" if not ahead and not behind else "ahead" if not behind
                  else "behind" if not ahead else "diverged")
        return Ancestry(status, ahead, behind)

    def contained_in(self, branch: str, shas: Iterable[str]) -> frozenset[str]:
        self.calls.append("contained_in")
        history = self._ancestors(self.branch_head(branch))
        return frozenset(s for s in shas if s in history)

    def commits_between(self, base: str | None, head: str) -> list[Commit]:
        self.calls.append("commits_between")
        seen = self._ancestors(self._sha(head)) - (
            self._ancestors(self._sha(base)) if base else set())
        order = list(self.commits)  # insertion order is oldest first
        return [self.commits[s] for s in sorted(seen, key=order.index)]

    def changed_files(self, base: str, head: str) -> tuple[str, ...]:
        self.calls.append("changed_files")
        return _diff(self.trees[self._sha(base)], self.trees[self._sha(head)])

    def commit_files(self, sha: str) -> tuple[str, ...]:
        self.calls.append("commit_files")
        commit = self.commits[self._sha(sha)]
        parent = self.trees[commit.parents[0]] if commit.parents else {}
        return _diff(parent, self.trees[commit.sha])

    def read_file(self, ref: str, path: str) -> str | None:
        self.calls.append("read_file")
        return self.trees[self._sha(ref)].get(path)

    def release_url(self, tag: str) -> str | None:
        self.calls.append("release_url")
        return self.releases.get(tag)

    def compare_url(self, base: str, head: str) -> str:
        return f"{self.web_url}/{self.repo}/compare/{base}...{head}"

    def tag_url(self, tag: str) -> str:
        return f"{self.web_url}/{self.repo}/releases/tag/{tag}"

    # -- writes -----------------------------------------------------------------------
    def create_tag(self, name: str, commit_sha: str, message: str) -> Tag:
        self.calls.append("create_tag")
        existing = self.tag_shas.setdefault(name, self._sha(commit_sha))
        if existing != commit_sha:
            raise Conflict(PARTNER, f"tag {name} already exists at {existing[:12]}, "
                                    f"not at {commit_sha[:12]}")
        return Tag(name, existing)

    def create_branch(self, name: str, from_sha: str) -> str:
        self.calls.append("create_branch")
        head = self.branches.setdefault(name, self._sha(from_sha))
        if head != from_sha:
            raise Conflict(PARTNER, f"branch {name} already exists at {head[:12]}, "
                                    f"not at {from_sha[:12]}")
        return head

    def cherry_pick(self, branch: str, shas: Sequence[str]) -> CherryPickResult:
        self.calls.append("cherry_pick")
        head = self.branch_head(branch)
        picked: list[tuple[str, str]] = []
        for sha in shas:
            original = self.commits[self._sha(sha)]
            title = original.title
            if len(original.parents) != 1:
                raise Conflict(PARTNER, f"commit {sha[:12]} ({title}) is a merge or root "
                                        "commit: pick the commits it brings instead")
            before, after, onto = (self.trees[original.parents[0]], self.trees[sha],
                                   self.trees[head])
            changed = _diff(before, after)
            # file by file (git merges line by line: a fake conflict may be clean there)
            if any(onto.get(p) not in (before.get(p), after.get(p)) for p in changed):
                raise Conflict(PARTNER, f"commit {sha[:12]} ({title}) does not apply cleanly "
                                        f"on {branch}; {branch} is unchanged: backport it "
                                        "by hand")
            tree = {**onto, **{p: after[p] for p in changed if p in after}}
            for gone in (p for p in changed if p not in after):
                tree.pop(gone, None)
            head = self._add(picked_message(original.message, sha), (head,), tree,
                             original.author)
            picked.append((sha, head))
        self.branches[branch] = head
        return CherryPickResult(branch, head, tuple(picked))

    def create_release(self, tag: str, title: str, body: str, *,
                       known_missing: bool = False) -> str:
        self.calls.append("create_release")
        if tag not in self.tag_shas:
            raise NotFound(PARTNER, f"no tag {tag} in {self.repo}")
        return self.releases.setdefault(tag, self.tag_url(tag))

    def release_commit(self, branch: str, base_sha: str, message: str,
                       files: Sequence[tuple[str, str]]) -> tuple[str, bool]:
        self.calls.append("release_commit")
        head = self.branch_head(branch)
        if head == base_sha:
            return self.commit(branch, message, dict(files)), True
        made = self.commits[head]
        if made.parents == (base_sha,) and made.message == message:
            return head, False
        raise Conflict(PARTNER, f"{branch} moved from {base_sha[:12]} to {head[:12]} "
                                "meanwhile")

    # -- plumbing ---------------------------------------------------------------------
    def _add(self, message: str, parents: tuple[str, ...], tree: Tree, author: str) -> str:
        stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=len(self.commits))
        sha = hashlib.sha1(repr((message, parents, sorted(tree.items()), stamp)).encode()
                           ).hexdigest()
        self.commits[sha] = Commit(sha, message, author, parents, stamp)
        self.trees[sha] = dict(tree)
        return sha

    def _sha(self, ref: str) -> str:
        sha = self.branches.get(ref) or self.tag_shas.get(ref) or (
            ref if ref in self.commits else None)
        if sha is None:
            raise NotFound(PARTNER, f"no commit, branch or tag {ref} in {self.repo}")
        return sha

    def _ancestors(self, sha: str) -> set[str]:
        seen, todo = set(), [sha]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.commits[current].parents)
        return seen


def _diff(before: Tree, after: Tree) -> tuple[str, ...]:
    return tuple(sorted(p for p in {*before, *after} if before.get(p) != after.get(p)))


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True,
                          capture_output=True, text=True).stdout


def _tree(git_dir: Path, sha: str) -> dict[str, str]:
    listing = _git(git_dir, "ls-tree", "-r", "--format=%(objectname) %(path)", sha)
    return {path: sha for sha, path in (line.split(" ", 1) for line in listing.splitlines())}


def _blobs(git_dir: Path, ids: set[str]) -> dict[str, str]:
    wanted = sorted(ids)
    out = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                         input="".join(f"{b}\n" for b in wanted).encode(), check=True,
                         capture_output=True).stdout
    texts, at = {}, 0
    for blob in wanted:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        texts[blob] = out[header_end + 1:header_end + 1 + size].decode()
        at = header_end + 1 + size + 1
    return texts
