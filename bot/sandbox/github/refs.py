"""The GitHub stand-in's references, annotated tags, branches and tags list.

Refs are real git refs in the bare repository, changed atomically against their old value:
creating an existing ref answers 422 "Reference already exists"; moving a ref to a commit
that does not descend from it answers 422 "Update is not a fast forward" unless `force`;
deleting a missing ref answers 422 "Reference does not exist", like GitHub.
"""

from __future__ import annotations

from urllib.parse import unquote

from bot.sandbox.github.base import (
    REPO,
    RepoHandle,
    RouteGroup,
    body_field,
    now_signature,
    paginate,
    signature_from_json,
)
from bot.sandbox.github.gitrepo import RefInfo
from bot.sandbox.routes import HTTPError, Request, Response, route


class RefRoutes(RouteGroup):

    # -- refs ---------------------------------------------------------------------------
    @route("GET", REPO + r"/git/ref/(.+)")
    def get_ref(self, request: Request, owner: str, name: str, ref: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        found = repo.git.ref(_full(ref))
        if found is None:
            raise HTTPError(404, "Not Found")
        return Response(200, repo.shapes.ref(found))

    @route("GET", REPO + r"/git/matching-refs/(.*)")
    def matching_refs(self, request: Request, owner: str, name: str, ref: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        prefix = _full(ref)
        refs = [r for r in repo.git.refs() if r.name.startswith(prefix)]
        return paginate(request, self.repos.url, [repo.shapes.ref(r) for r in refs])

    @route("GET", REPO + r"/git/refs")
    def list_refs(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        return paginate(request, self.repos.url, [repo.shapes.ref(r) for r in repo.git.refs()])

    @route("POST", REPO + r"/git/refs")
    def create_ref(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        ref, sha = body_field(body, "ref"), body_field(body, "sha")
        if not ref.startswith("refs/") or ref.count("/") < 2 or not repo.git.check_ref_format(ref):
            raise HTTPError(422, "Reference name is invalid")
        with repo.lock:
            _require_object(repo, sha)
            if repo.git.ref(ref) is not None or not repo.git.update_ref(ref, sha, None):
                raise HTTPError(422, "Reference already exists")
            return Response(201, repo.shapes.ref(_must(repo, ref)))

    @route("PATCH", REPO + r"/git/refs/(.+)")
    def update_ref(self, request: Request, owner: str, name: str, ref: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        sha = body_field(body, "sha")
        force = bool(body.get("force", False))
        with repo.lock:
            current = repo.git.ref(_full(ref))
            if current is None:
                raise HTTPError(422, "Reference does not exist")
            _require_object(repo, sha)
            if not force and not repo.git.is_ancestor(current.sha, sha):
                raise HTTPError(422, "Update is not a fast forward")
            if not repo.git.update_ref(current.name, sha, current.sha):
                raise HTTPError(422, "Reference cannot be updated")
            return Response(200, repo.shapes.ref(_must(repo, current.name)))

    @route("DELETE", REPO + r"/git/refs/(.+)")
    def delete_ref(self, request: Request, owner: str, name: str, ref: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        with repo.lock:
            current = repo.git.ref(_full(ref))
            if current is None or not repo.git.update_ref(current.name, None, current.sha):
                raise HTTPError(422, "Reference does not exist")
        return Response(204)

    # -- annotated tag objects ------------------------------------------------------------
    @route("POST", REPO + r"/git/tags")
    def create_tag_object(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        tag, message = body_field(body, "tag"), body_field(body, "message")
        sha, kind = body_field(body, "object"), body_field(body, "type")
        if repo.git.object_type(sha) != kind:
            raise HTTPError(422, "Object does not exist")
        tagger = signature_from_json(body.get("tagger")) or now_signature()
        text = message if message.endswith("\n") else message + "\n"
        with repo.lock:
            created = repo.git.make_tag(tag, sha, kind, text, tagger)
        info = repo.git.tag(created)
        assert info is not None
        return Response(201, repo.shapes.tag_object(info))

    @route("GET", REPO + r"/git/tags/([0-9a-fA-F]{4,40})")
    def get_tag_object(self, request: Request, owner: str, name: str, sha: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        info = repo.git.tag(sha.lower())
        if info is None:
            raise HTTPError(404, "Not Found")
        return Response(200, repo.shapes.tag_object(info))

    # -- tags list and branches -------------------------------------------------------------
    @route("GET", REPO + r"/tags")
    def list_tags(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        return paginate(request, self.repos.url, repo.tags_newest_first(),
                        shape=repo.shapes.tags_entry)

    @route("GET", REPO + r"/branches")
    def list_branches(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        refs = repo.git.refs("refs/heads/")
        return paginate(request, self.repos.url, [repo.shapes.branch_entry(r) for r in refs])

    @route("GET", REPO + r"/branches/(.+)")
    def get_branch(self, request: Request, owner: str, name: str, branch: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        ref = repo.git.ref(f"refs/heads/{unquote(branch)}")
        info = repo.git.commit(ref.sha) if ref else None
        if info is None:
            raise HTTPError(404, "Branch not found")
        return Response(200, repo.shapes.branch(unquote(branch), info))


def _full(ref: str) -> str:
    ref = unquote(ref)
    return ref if ref.startswith("refs/") else f"refs/{ref}"


def _must(repo: RepoHandle, name: str) -> RefInfo:
    found = repo.git.ref(name)
    if found is None:
        raise HTTPError(500, "Reference vanished")
    return found


def _require_object(repo: RepoHandle, sha: str) -> None:
    if len(sha) != 40 or repo.git.object_type(sha) is None:
        raise HTTPError(422, "Object does not exist")

