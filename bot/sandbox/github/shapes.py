"""GitHub REST response shapes, built from git objects for the stand-in.

Each function returns the JSON GitHub returns for that object (the fields PyGithub reads,
with GitHub's names and nesting): the "git commit" of /git/commits and the "repos commit"
of /commits (which nests a git commit under "commit"), refs, annotated tags, trees,
branches, tags lists and repositories. Dates are ISO 8601 in UTC with a Z, like GitHub.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.sandbox.github.gitrepo import CommitInfo, FileChange, RefInfo, Signature, TagInfo

DOCS = "https://docs.github.com/rest"


def iso(when: int) -> str:
    return dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, key: str) -> str:
    return f"{kind}_{hashlib.sha1(key.encode()).hexdigest()[:16]}"


def person(sig: Signature) -> dict[str, Any]:
    return {"name": sig.name, "email": sig.email, "date": iso(sig.when)}


@dataclass(frozen=True)
class RepoShapes:
    """Shapes for one repository served at `server` (the stand-in's base URL)."""

    server: str
    owner: str
    name: str

    @property
    def api(self) -> str:
        return f"{self.server}/repos/{self.owner}/{self.name}"

    @property
    def html(self) -> str:
        return f"{self.server}/{self.owner}/{self.name}"

    def repository(self, default_branch: str) -> dict[str, Any]:
        full = f"{self.owner}/{self.name}"
        return {
            "id": int(hashlib.sha1(full.encode()).hexdigest()[:7], 16),
            "node_id": node_id("R", full),
            "name": self.name,
            "full_name": full,
            "owner": {"login": self.owner, "id": 1, "type": "Organization",
                      "url": f"{self.server}/users/{self.owner}"},
            "private": False,
            "html_url": self.html,
            "url": self.api,
            "git_url": f"git://127.0.0.1/{full}.git",
            "default_branch": default_branch,
            "permissions": {"admin": False, "push": True, "pull": True},
        }

    def git_commit(self, c: CommitInfo) -> dict[str, Any]:
        return {
            "sha": c.sha,
            "node_id": node_id("C", c.sha),
            "url": f"{self.api}/git/commits/{c.sha}",
            "html_url": f"{self.html}/commit/{c.sha}",
            "author": person(c.author),
            "committer": person(c.committer),
            "message": c.message,
            "tree": {"sha": c.tree, "url": f"{self.api}/git/trees/{c.tree}"},
            "parents": [
                {"sha": p, "url": f"{self.api}/git/commits/{p}",
                 "html_url": f"{self.html}/commit/{p}"} for p in c.parents
            ],
            "verification": {"verified": False, "reason": "unsigned", "signature": None,
                             "payload": None},
        }

    def repos_commit(self, c: CommitInfo,
                     files: Sequence[FileChange] | None = None) -> dict[str, Any]:
        inner = self.git_commit(c)
        inner["url"] = f"{self.api}/git/commits/{c.sha}"
        for key in ("sha", "node_id", "html_url", "parents"):
            inner.pop(key)
        inner["comment_count"] = 0
        shape: dict[str, Any] = {
            "sha": c.sha,
            "node_id": node_id("C", c.sha),
            "commit": inner,
            "url": f"{self.api}/commits/{c.sha}",
            "html_url": f"{self.html}/commit/{c.sha}",
            "comments_url": f"{self.api}/commits/{c.sha}/comments",
            "author": None,  # no GitHub account is linked to the sandbox's authors
            "committer": None,
            "parents": [
                {"sha": p, "url": f"{self.api}/commits/{p}", "html_url": f"{self.html}/commit/{p}"}
                for p in c.parents
            ],
        }
        if files is not None:
            shape["files"] = [self._file(c.sha, *f) for f in files]
            added = sum(f[2] for f in files)
            deleted = sum(f[3] for f in files)
            shape["stats"] = {"additions": added, "deletions": deleted, "total": added + deleted}
        return shape

    def _file(self, sha: str, status: str, path: str, added: int, deleted: int,
              previous: str | None = None) -> dict[str, Any]:
        names = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied"}
        shape: dict[str, Any] = {
            "filename": path, "status": names.get(status, "changed"),
            "additions": added, "deletions": deleted, "changes": added + deleted,
            "blob_url": f"{self.html}/blob/{sha}/{quote(path)}",
            "raw_url": f"{self.html}/raw/{sha}/{quote(path)}",
        }
        if previous is not None:  # a renamed (or copied) file, as GitHub shows it
            shape["previous_filename"] = previous
        return shape

    def ref(self, r: RefInfo) -> dict[str, Any]:
        kind = "tags" if r.type == "tag" else "commits"
        return {
            "ref": r.name,
            "node_id": node_id("REF", r.name),
            "url": f"{self.api}/git/{quote(r.name)}",
            "object": {"sha": r.sha, "type": r.type, "url": f"{self.api}/git/{kind}/{r.sha}"},
        }

    def tag_object(self, t: TagInfo) -> dict[str, Any]:
        kind = "commits" if t.object_type == "commit" else f"{t.object_type}s"
        return {
            "node_id": node_id("TAG", t.sha),
            "tag": t.name,
            "sha": t.sha,
            "url": f"{self.api}/git/tags/{t.sha}",
            "message": t.message,
            "tagger": person(t.tagger) if t.tagger else None,
            "object": {"type": t.object_type, "sha": t.object_sha,
                       "url": f"{self.api}/git/{kind}/{t.object_sha}"},
            "verification": {"verified": False, "reason": "unsigned", "signature": None,
                             "payload": None},
        }

    def tags_entry(self, r: RefInfo) -> dict[str, Any]:
        name = r.name.removeprefix("refs/tags/")
        return {
            "name": name,
            "commit": {"sha": r.peeled, "url": f"{self.api}/commits/{r.peeled}"},
            "zipball_url": f"{self.api}/zipball/refs/tags/{quote(name)}",
            "tarball_url": f"{self.api}/tarball/refs/tags/{quote(name)}",
            "node_id": node_id("REF", r.name),
        }

    def branch_entry(self, r: RefInfo) -> dict[str, Any]:
        return {
            "name": r.name.removeprefix("refs/heads/"),
            "commit": {"sha": r.sha, "url": f"{self.api}/commits/{r.sha}"},
            "protected": False,
        }

    def branch(self, name: str, c: CommitInfo) -> dict[str, Any]:
        return {
            "name": name,
            "commit": self.repos_commit(c),
            "_links": {"self": f"{self.api}/branches/{quote(name)}",
                       "html": f"{self.html}/tree/{quote(name)}"},
            "protected": False,
            "protection": {"enabled": False, "required_status_checks": {
                "enforcement_level": "off", "contexts": [], "checks": []}},
            "protection_url": f"{self.api}/branches/{quote(name)}/protection",
        }

    def tree(self, sha: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        for entry in entries:
            kind = "trees" if entry["type"] == "tree" else "blobs"
            entry["url"] = f"{self.api}/git/{kind}/{entry['sha']}"
            if entry["size"] is None:
                del entry["size"]
        return {"sha": sha, "url": f"{self.api}/git/trees/{sha}", "tree": entries,
                "truncated": False}
