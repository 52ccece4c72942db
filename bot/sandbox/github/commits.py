"""The GitHub stand-in's commits, trees, comparisons and merges.

Comparisons are computed by git (`base..head` for ahead_by, `head..base` for behind_by,
`git merge-base`), commits oldest first. Like GitHub's documentation says: without `page`
or `per_page` a comparison lists up to 250 commits and no Link header; with either, pages
of `per_page` commits (default 30, at most 100) with a Link header. One commit (`GET
/commits/{ref}`) lists its files against its first parent, 300 per page (`page`,
`per_page`, a Link header), at most 3000. Merges are real three-way merges (`git
merge-tree --write-tree`): 201 with the merge commit, 204 when head is already in base,
409 "Merge conflict", 404 when base or head does not exist.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from cachetools import LRUCache

from bot.sandbox.github.base import (
    REPO,
    RepoHandle,
    RouteGroup,
    body_field,
    now_signature,
    page_headers,
    page_params,
    signature_from_json,
)
from bot.sandbox.github.gitrepo import CommitInfo
from bot.sandbox.routes import HTTPError, Request, Response, route

UNPAGED_COMPARE_LIMIT = 250
COMPARE_FILE_LIMIT = 300  # GitHub lists at most 300 files in a comparison
COMMIT_FILES_PER_PAGE, COMMIT_FILE_LIMIT = 300, 3000  # one commit's files, per page and all


class CommitRoutes(RouteGroup):

    # -- git commits and trees -------------------------------------------------------------
    @route("GET", REPO + r"/git/commits/([0-9a-fA-F]{4,40})")
    def get_git_commit(self, request: Request, owner: str, name: str, sha: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        info = repo.git.commit(sha.lower())
        if info is None:
            raise HTTPError(404, "Not Found")
        return Response(200, repo.shapes.git_commit(info))

    @route("POST", REPO + r"/git/commits")
    def create_git_commit(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        message, tree = body_field(body, "message"), body_field(body, "tree")
        parents = body_field(body, "parents", list, required=False) or []
        if repo.git.object_type(tree) != "tree":
            raise HTTPError(422, "Tree SHA does not exist")
        if any(not isinstance(p, str) or repo.git.object_type(p) != "commit" for p in parents):
            raise HTTPError(422, "Parent SHA does not exist or is not a commit object")
        author = signature_from_json(body.get("author")) or now_signature()
        committer = signature_from_json(body.get("committer")) or author
        sha = repo.git.commit_tree(tree, parents, message, author, committer)
        return Response(201, repo.shapes.git_commit(_commit(repo, sha)))

    @route("GET", REPO + r"/git/trees/(.+)")
    def get_tree(self, request: Request, owner: str, name: str, ref: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        sha = repo.git.resolve(unquote(ref), "tree")
        if sha is None:
            raise HTTPError(404, "Not Found")
        recursive = request.arg("recursive") not in (None, "", "0", "false")
        return Response(200, repo.shapes.tree(sha, repo.git.tree_entries(sha, recursive)))

    # -- repos commits -----------------------------------------------------------------------
    @route("GET", REPO + r"/commits/(.+)")
    def get_commit(self, request: Request, owner: str, name: str, ref: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        sha = repo.git.resolve(unquote(ref))
        if sha is None:
            raise HTTPError(422, f"No commit found for SHA: {unquote(ref)}")
        info = _commit(repo, sha)
        # Like GitHub: the files come in pages of `per_page` (default and at most 300),
        # with a Link header, and no more than 3000 in all.
        files = repo.git.changed_files(sha)[:COMMIT_FILE_LIMIT]
        try:
            page = max(int(request.arg("page") or 1), 1)
            per_page = min(max(int(request.arg("per_page") or COMMIT_FILES_PER_PAGE), 1),
                           COMMIT_FILES_PER_PAGE)
        except ValueError as exc:
            raise HTTPError(422, "Validation Failed") from exc
        shown = files[(page - 1) * per_page: page * per_page]
        return Response(200, repo.shapes.repos_commit(info, shown),
                        page_headers(request, self.repos.url, page, per_page, len(files)))

    @route("GET", REPO + r"/commits")
    def list_commits(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        start = request.arg("sha") or repo.default_branch()
        sha = repo.git.resolve(start)
        if sha is None:
            raise HTTPError(404, "Not Found")
        page, per_page = page_params(request)
        history = repo.history(sha)
        shown = history[(page - 1) * per_page: page * per_page]
        infos = [_commit(repo, c) for c in shown]
        return Response(200, [repo.shapes.repos_commit(c) for c in infos],
                        page_headers(request, self.repos.url, page, per_page, len(history)))

    # -- compare ------------------------------------------------------------------------------
    @route("GET", REPO + r"/compare/(.+?)\.\.\.(.+)")
    def compare(self, request: Request, owner: str, name: str, base: str, head: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        base_sha, head_sha = repo.git.resolve(unquote(base)), repo.git.resolve(unquote(head))
        if base_sha is None or head_sha is None:
            raise HTTPError(404, "Not Found")
        found = _compared(repo, base_sha, head_sha)
        if found is None:
            raise HTTPError(404, f"No common ancestor between {unquote(base)} and "
                                 f"{unquote(head)}.")
        body = _comparison(self.repos.url, repo, base, head, found.ahead, found.behind)
        body["base_commit"] = repo.shapes.repos_commit(found.base)
        body["merge_base_commit"] = repo.shapes.repos_commit(found.merge_base)
        body["files"] = _files(repo, found.changes, head_sha)
        paged = "page" in request.query or "per_page" in request.query
        if not paged:
            body["commits"] = [repo.shapes.repos_commit(c) for c in
                               found.commits[:UNPAGED_COMPARE_LIMIT]]
            return Response(200, body)
        page, per_page = page_params(request)
        skip = (page - 1) * per_page
        infos = found.commits[skip: skip + per_page]
        body["commits"] = [repo.shapes.repos_commit(c) for c in infos]
        return Response(200, body,
                        page_headers(request, self.repos.url, page, per_page, found.ahead))

    # -- merges ---------------------------------------------------------------------------------
    @route("POST", REPO + r"/merges")
    def merge(self, request: Request, owner: str, name: str) -> Response:
        repo = self.repos.open_repo(owner, name)
        body = request.json()
        base, head = body_field(body, "base"), body_field(body, "head")
        message = body.get("commit_message") or f"Merge {head} into {base}"
        with repo.lock:
            base_ref = repo.git.ref(f"refs/heads/{base}")
            if base_ref is None:
                raise HTTPError(404, "Base does not exist")
            head_sha = repo.git.resolve(head)
            if head_sha is None:
                raise HTTPError(404, "Head does not exist")
            if repo.git.is_ancestor(head_sha, base_ref.sha):
                return Response(204)
            tree = repo.git.merge_tree(base_ref.sha, head_sha)
            if tree is None:
                raise HTTPError(409, "Merge conflict")
            who = now_signature()
            sha = repo.git.commit_tree(tree, [base_ref.sha, head_sha], message, who, who)
            if not repo.git.update_ref(base_ref.name, sha, base_ref.sha):
                raise HTTPError(409, "Base branch was modified. Review and try the merge again.")
        return Response(201, repo.shapes.repos_commit(_commit(repo, sha)))


STATUSES = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "copied",
            "T": "changed"}


@dataclass(frozen=True)
class Compared:
    """What git says of base...head, the same for every page of the comparison."""

    base: CommitInfo
    merge_base: CommitInfo
    ahead: int
    behind: int
    commits: tuple[CommitInfo, ...]  # base..head, oldest first
    changes: tuple[str, ...]  # `git diff --name-status` lines, merge base to head


# Shas name immutable objects, so a comparison computed once serves each of its pages (a
# range of 5,000 commits is 50 pages: recomputed per page, the paging cost the square).
_COMPARED: LRUCache[tuple[str, str], Compared | None] = LRUCache(maxsize=32)
_COMPARED_LOCK = threading.Lock()


def _compared(repo: RepoHandle, base_sha: str, head_sha: str) -> Compared | None:
    """base_sha...head_sha (None: no common ancestor), computed once per pair of shas."""
    with _COMPARED_LOCK:
        if (base_sha, head_sha) in _COMPARED:
            return _COMPARED[(base_sha, head_sha)]
    if base_sha == head_sha:  # identical: no git needed (resolved shas are commits)
        same = _commit(repo, base_sha)
        found: Compared | None = Compared(same, same, 0, 0, (), ())
    else:
        found = _compare(repo, base_sha, head_sha)
    with _COMPARED_LOCK:
        _COMPARED[(base_sha, head_sha)] = found
    return found


def _compare(repo: RepoHandle, base_sha: str, head_sha: str) -> Compared | None:
    merge_base = repo.git.merge_base(base_sha, head_sha)
    if merge_base is None:
        return None
    commits = tuple(repo.git.log("--reverse", f"{base_sha}..{head_sha}"))
    # ahead: the log's length; behind: none when base is the merge base
    behind = 0 if merge_base == base_sha else repo.git.count(f"{head_sha}..{base_sha}")
    return Compared(_commit(repo, base_sha), _commit(repo, merge_base), len(commits), behind,
                    commits, tuple(repo.git.git("diff", "--name-status", "--no-renames",
                                                merge_base, head_sha).splitlines()
                                   [:COMPARE_FILE_LIMIT]))


def _files(repo: RepoHandle, changes: tuple[str, ...], head: str) -> list[dict[str, Any]]:
    """The files the comparison changes (merge base to head), as GitHub lists them."""
    files = []
    for line in changes:
        letter, path = line.split("\t", 1)
        files.append({"sha": None, "filename": path, "status": STATUSES.get(letter[0],
                      "modified"), "additions": 0, "deletions": 0, "changes": 0,
                      "blob_url": f"{repo.shapes.html}/blob/{head}/{path}"})
    return files


def _commit(repo: RepoHandle, sha: str) -> CommitInfo:
    info = repo.git.commit(sha)
    if info is None:
        raise HTTPError(404, "Not Found")
    return info


def _comparison(server: str, repo: RepoHandle, base: str, head: str, ahead: int,
                behind: int) -> dict[str, Any]:
    if ahead == 0 and behind == 0:
        status = "identical"
    elif behind == 0:
        status = "ahead"
    elif ahead == 0:
        status = "behind"
    else:
        status = "diverged"
    spec = f"{base}...{head}"
    return {
        "url": f"{repo.shapes.api}/compare/{spec}",
        "html_url": f"{repo.shapes.html}/compare/{spec}",
        "permalink_url": f"{repo.shapes.html}/compare/{spec}",
        "diff_url": f"{repo.shapes.html}/compare/{spec}.diff",
        "patch_url": f"{repo.shapes.html}/compare/{spec}.patch",
        "status": status,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": ahead,
        "files": [],
    }
