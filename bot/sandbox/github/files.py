"""The GitHub stand-in's blobs, trees and file contents, backed by real git objects.

- `POST /git/blobs` `{"content", "encoding": "utf-8"|"base64"}` -> 201 `{"sha", "url"}`;
  `GET /git/blobs/SHA` -> the blob, base64 encoded.
- `POST /git/trees` `{"base_tree"?, "tree": [{"path", "mode", "type", "sha"|"content"}]}`
  -> 201 with the new tree: entries are applied on top of base_tree (nested paths make
  their folders; `"sha": null` deletes), through a scratch index (`git update-index`,
  `git write-tree`), as GitHub does. A missing blob or base tree answers 422.
- `GET /contents/PATH?ref=REF` -> a file's content (base64) and blob sha; 404 when the
  file does not exist at that ref.
"""

from __future__ import annotations

import base64
import os
import tempfile
from urllib.parse import unquote

from bot.sandbox.github.base import REPO, RepoHandle, RouteGroup, body_field
from bot.sandbox.routes import HTTPError, Request, Response, route

MODES = frozenset({"100644", "100755", "040000", "160000", "120000"})


class FileRoutes(RouteGroup):

    @route("POST", REPO + r"/git/blobs")
    def create_blob(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        content = body_field(body, "content")
        encoding = body.get("encoding", "utf-8")
        if encoding not in ("utf-8", "base64"):
            raise HTTPError(422, "Invalid request.", errors=["encoding is not supported"])
        data = base64.b64decode(content) if encoding == "base64" else content.encode()
        sha = _write_blob(repo, data)
        return Response(201, {"sha": sha, "url": f"{repo.shapes.api}/git/blobs/{sha}"})

    @route("GET", REPO + r"/git/blobs/([0-9a-fA-F]{4,40})")
    def get_blob(self, request: Request, owner: str, name: str, sha: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        if repo.git.object_type(sha) != "blob":
            raise HTTPError(404, "Not Found")
        return Response(200, _blob(repo, sha))

    @route("POST", REPO + r"/git/trees")
    def create_tree(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        entries = body_field(body, "tree", list)
        base = body.get("base_tree")
        if base is not None and repo.git.object_type(str(base)) != "tree":
            raise HTTPError(422, "base_tree is not a valid tree oid")
        with tempfile.TemporaryDirectory() as scratch:
            index = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
            if base is not None:
                repo.git.git("read-tree", str(base), env=index)
            if any(isinstance(e, dict) and "content" not in e and e.get("sha") is None
                   for e in entries):  # a removal: entry by entry, as it always was
                for entry in entries:
                    _apply(repo, entry, index)
            else:  # one update-index for all the entries, applied in their order
                lines = [_entry_line(repo, entry) for entry in entries]
                if lines:
                    repo.git.git("update-index", "--add", "--index-info",
                                 input="".join(lines), env=index)
            sha = repo.git.git("write-tree", env=index).strip()
        return Response(201, repo.shapes.tree(sha, repo.git.tree_entries(sha)))

    @route("GET", REPO + r"/contents/(.+)")
    def get_contents(self, request: Request, owner: str, name: str, path: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        ref = request.arg("ref") or repo.default_branch()
        commit = repo.git.resolve(ref)
        if commit is None:
            raise HTTPError(404, f"No commit found for the ref {ref}")
        file_path = unquote(path).strip("/")
        found = repo.git.path_entry(commit, file_path)
        if found is None or found[0] != "blob":
            raise HTTPError(404, "Not Found")
        blob = _blob(repo, found[1])
        return Response(200, {
            "type": "file", "encoding": "base64", "size": blob["size"],
            "name": file_path.rsplit("/", 1)[-1], "path": file_path, "sha": found[1],
            "content": blob["content"], "url": f"{repo.shapes.api}/contents/{file_path}",
            "git_url": blob["url"], "html_url": f"{repo.shapes.html}/blob/{ref}/{file_path}",
            "download_url": None, "_links": {},
        })


def _entry_line(repo: RepoHandle, entry: object) -> str:
    """An entry adding or replacing a file, as a line of `git update-index --index-info`."""
    path, mode, sha = _checked(repo, entry)
    return f"{mode} {sha}\t{path}\n"


def _apply(repo: RepoHandle, entry: object, index: dict[str, str]) -> None:
    path, mode, sha = _checked(repo, entry)
    if sha is None:
        repo.git.git("update-index", "--force-remove", "--", path, env=index)
        return
    repo.git.git("update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=index)


def _checked(repo: RepoHandle, entry: object) -> tuple[str, str, str | None]:
    """(path, mode, blob sha or None to remove) of a tree entry; a content's blob is
    written; 422 for a bad entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise HTTPError(422, "Invalid tree info", errors=["each entry needs a path"])
    path, mode = entry["path"].strip("/"), str(entry.get("mode", "100644"))
    if mode not in MODES:
        raise HTTPError(422, f"Invalid tree info: mode {mode}")
    if "content" in entry:
        return path, mode, _write_blob(repo, str(entry["content"]).encode())
    if entry.get("sha") is None:
        return path, mode, None
    sha = str(entry["sha"])
    if repo.git.object_type(sha) is None:
        raise HTTPError(422, f"Invalid tree info: {sha} does not exist")
    return path, mode, sha


def _write_blob(repo: RepoHandle, data: bytes) -> str:
    # git runs in text mode here: blobs are the UTF-8 texts the bot writes.
    return repo.git.git("hash-object", "-w", "--stdin", input=data.decode("utf-8")).strip()


def _blob(repo: RepoHandle, sha: str) -> dict[str, object]:
    data = repo.git.blob_text(sha).encode("utf-8")
    return {"sha": sha, "size": len(data), "encoding": "base64",
            "content": base64.b64encode(data).decode(), "url":
            f"{repo.shapes.api}/git/blobs/{sha}"}
