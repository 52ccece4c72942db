"""What the GitHub stand-in's route groups share: one repository's handle and pagination.

Pagination follows GitHub: `page` (from 1) and `per_page` (default 30, at most 100), a
`Link` header with rel="next", "last", "first" and "prev" as they apply, whose URLs keep
every other query parameter.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol
from urllib.parse import urlencode

from bot.sandbox.github.gitrepo import GitRepo, RefInfo, Signature
from bot.sandbox.github.shapes import RepoShapes
from bot.sandbox.routes import HTTPError, Request, Response

REPO = r"/repos/([^/]+)/([^/]+)"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
# Who the stand-in's API writes as (GitHub uses the token's user; this is the sandbox's).
API_USER = ("loopbot-sandbox", "loopbot-sandbox@users.noreply.github.com")


@dataclass
class RepoHandle:
    """One repository: its git plumbing, a lock for writes, its response shapes."""

    git: GitRepo
    shapes: RepoShapes
    lock: threading.RLock = field(default_factory=threading.RLock)
    _histories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _histories_lock: threading.Lock = field(default_factory=threading.Lock)
    KEPT_HISTORIES: ClassVar[int] = 4

    def tags_newest_first(self) -> list[RefInfo]:
        """The tags, highest version first (read again only when a ref changed: each page
        of 10,000 tags read and parsed all of them again, quadratic)."""
        return self.git.refs("refs/tags/", sort="-v:refname")

    def history(self, sha: str) -> tuple[str, ...]:
        """The commits reachable from commit `sha`, newest first (topological). A commit's
        history never changes, so the last few are kept: paging through the list of a
        long history read all of it again for each page (quadratic in its length)."""
        with self._histories_lock:
            kept = self._histories.pop(sha, None)
        if kept is None:
            kept = tuple(self.git.git("rev-list", "--topo-order", sha, "--").split())
        with self._histories_lock:
            self._histories[sha] = kept  # the newest use last
            while len(self._histories) > self.KEPT_HISTORIES:
                del self._histories[next(iter(self._histories))]
        return kept

    def default_branch(self) -> str:
        """What HEAD names if that branch exists, else master, else the first branch."""
        heads = [r.name.removeprefix("refs/heads/") for r in self.git.refs("refs/heads/")]
        head = self.git.head_branch()
        if head in heads:
            return head
        return "master" if "master" in heads or not heads else heads[0]


def now_signature() -> Signature:
    return Signature(API_USER[0], API_USER[1], int(time.time()))


def page_params(request: Request, default: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """(page, per_page) from the query, validated like GitHub."""
    try:
        page = int(request.arg("page") or 1)
        per_page = int(request.arg("per_page") or default)
    except ValueError as exc:
        raise HTTPError(422, "Validation Failed") from exc
    return max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)


def link_header(request: Request, server: str, page: int, last: int) -> str:
    """GitHub's Link header for `page` of `last` pages of this request."""
    rels = []
    if page < last:
        rels += [("next", page + 1), ("last", last)]
    if page > 1:
        rels += [("first", 1), ("prev", page - 1)]
    parts = []
    for rel, number in rels:
        query = {k: v[-1] for k, v in request.query.items()}
        query["page"] = str(number)
        parts.append(f'<{server}{request.path}?{urlencode(query)}>; rel="{rel}"')
    return ", ".join(parts)


def paginate(request: Request, server: str, items: Sequence[Any], *,
             default: int = DEFAULT_PER_PAGE, shape: Callable[[Any], Any] | None = None
             ) -> Response:
    """A list response of one page of `items` (each through `shape`, if given: only the
    page's), with GitHub's Link header."""
    page, per_page = page_params(request, default)
    chunk = [shape(i) if shape else i for i in items[(page - 1) * per_page: page * per_page]]
    return Response(200, chunk, page_headers(request, server, page, per_page, len(items)))


def page_headers(request: Request, server: str, page: int, per_page: int,
                 total: int) -> dict[str, str]:
    """The Link header (if more than one page) for `total` items."""
    last = max(1, -(-total // per_page))
    return {"Link": link_header(request, server, page, last)} if last > 1 else {}


def body_field(body: Any, name: str, kind: type = str, required: bool = True) -> Any:
    """A field of a JSON body, or 422 like GitHub when it is missing or mistyped."""
    if not isinstance(body, dict):
        raise HTTPError(400, "Problems parsing JSON")
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        raise HTTPError(422, "Invalid request.",
                        errors=[f'"{name}" wasn\'t supplied or is not a {kind.__name__}.'])
    return value


def signature_from_json(value: Any) -> Signature | None:
    """A Signature from GitHub's {"name", "email", "date"} input (date optional), or None."""
    if not isinstance(value, dict) or not value.get("name") or not value.get("email"):
        return None
    when = int(time.time())
    if value.get("date"):
        try:
            when = int(dt.datetime.fromisoformat(str(value["date"])).timestamp())
        except ValueError as exc:
            raise HTTPError(422, "Invalid request.", errors=["date is not ISO 8601"]) from exc
    return Signature(str(value["name"]), str(value["email"]), when)


class Repos(Protocol):
    """What a group of routes needs of the stand-in: its URL (for links and pages) and
    the repository a request names (404 when there is none)."""

    @property
    def url(self) -> str: ...
    def open_repo(self, owner: str, name: str) -> RepoHandle: ...


class RouteGroup:
    """Routes of one kind of GitHub object, served by GitHubStandIn over its `Repos`."""

    def __init__(self, repos: Repos) -> None:
        self.repos = repos
