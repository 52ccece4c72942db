"""The GitHub stand-in's releases, kept in a JSON file inside the bare repository.

One release per tag: creating a second answers 422 "Validation Failed" with GitHub's
`already_exists` error. Creating a release for a missing tag creates a lightweight tag at
`target_commitish` (default: the default branch), as GitHub does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from bot.sandbox.github.base import API_USER, REPO, RepoHandle, RouteGroup, body_field, paginate
from bot.sandbox.github.shapes import iso, node_id
from bot.sandbox.routes import HTTPError, Request, Response, route

RELEASES_FILE = "sandbox-releases.json"


class ReleaseRoutes(RouteGroup):

    @route("POST", REPO + r"/releases")
    def create_release(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        tag = body_field(body, "tag_name")
        target = body.get("target_commitish") or repo.default_branch()
        with repo.lock:
            releases = _load(repo)
            if any(r["tag_name"] == tag for r in releases):
                raise HTTPError(422, "Validation Failed", errors=[
                    {"resource": "Release", "code": "already_exists", "field": "tag_name"}])
            _ensure_tag(repo, tag, target)
            release = _release(repo, max((r["id"] for r in releases), default=1000) + 1, tag,
                                target, body)
            _save(repo, [*releases, release])
        return Response(201, release)

    @route("GET", REPO + r"/releases")
    def list_releases(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        newest_first = sorted(_load(repo), key=lambda r: r["id"], reverse=True)
        return paginate(request, self.repos.url, newest_first)

    @route("GET", REPO + r"/releases/tags/(.+)")
    def release_by_tag(self, request: Request, owner: str, name: str, tag: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        return Response(200, _find(repo, lambda r: r["tag_name"] == unquote(tag)))

    @route("GET", REPO + r"/releases/(\d+)")
    def release_by_id(self, request: Request, owner: str, name: str, number: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        return Response(200, _find(repo, lambda r: r["id"] == int(number)))


def _path(repo: RepoHandle) -> Path:
    return repo.git.path / RELEASES_FILE


def _load(repo: RepoHandle) -> list[dict[str, Any]]:
    path = _path(repo)
    return json.loads(path.read_text("utf-8")) if path.exists() else []


def _save(repo: RepoHandle, releases: list[dict[str, Any]]) -> None:
    tmp = _path(repo).with_suffix(".tmp")
    tmp.write_text(json.dumps(releases, indent=1), "utf-8")
    tmp.replace(_path(repo))


def _find(repo: RepoHandle, match: Any) -> dict[str, Any]:
    for release in _load(repo):
        if match(release):
            return release
    raise HTTPError(404, "Not Found")


def _ensure_tag(repo: RepoHandle, tag: str, target: str) -> None:
    if repo.git.ref(f"refs/tags/{tag}") is not None:
        return
    sha = repo.git.resolve(target)
    if sha is None:
        raise HTTPError(422, "Validation Failed", errors=[
            {"resource": "Release", "code": "invalid", "field": "target_commitish"}])
    repo.git.update_ref(f"refs/tags/{tag}", sha, None)


def _release(repo: RepoHandle, number: int, tag: str, target: str,
             body: dict[str, Any]) -> dict[str, Any]:
    api, html = repo.shapes.api, repo.shapes.html
    ref = repo.git.ref(f"refs/tags/{tag}")
    info = repo.git.commit(ref.peeled) if ref else None
    when = iso(info.committer.when if info else 0)
    return {
        "url": f"{api}/releases/{number}",
        "html_url": f"{html}/releases/tag/{quote(tag)}",
        "assets_url": f"{api}/releases/{number}/assets",
        "upload_url": f"{api}/releases/{number}/assets{{?name,label}}",
        "tarball_url": f"{api}/tarball/{quote(tag)}",
        "zipball_url": f"{api}/zipball/{quote(tag)}",
        "id": number,
        "node_id": node_id("RE", f"{api}/{number}"),
        "tag_name": tag,
        "target_commitish": target,
        "name": body.get("name") or tag,
        "body": body.get("body") or "",
        "draft": bool(body.get("draft", False)),
        "prerelease": bool(body.get("prerelease", False)),
        "created_at": when,
        "published_at": when,
        "author": {"login": API_USER[0], "id": 2, "type": "Bot"},
        "assets": [],
    }
