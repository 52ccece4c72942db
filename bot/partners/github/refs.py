"""Tags and branches: read, and made idempotently.

A retried POST that meets "Reference already exists" succeeds when the existing tag or
branch is at the same commit, and raises `Conflict` when it is at another one. A missing
tag is None; a missing branch `NotFound`.
"""

from __future__ import annotations

from bot.domain.facts import Tag
from bot.partners.github.client import RepoClient
from bot.partners.github.errors import PARTNER, AlreadyExists, errors
from bot.usecases.ports import Conflict, NotFound, PartnerError


def branch_head(client: RepoClient, branch: str) -> str:
    return client.branch_ref(branch).object.sha


def branch_exists(client: RepoClient, branch: str) -> bool:
    try:
        branch_head(client, branch)
    except NotFound:
        return False
    return True


def tags(client: RepoClient) -> list[Tag]:
    with errors("listing tags"):
        return [Tag(t.name, t.commit.sha) for t in client.repo.get_tags()]


def tag(client: RepoClient, name: str) -> Tag | None:
    """The tag and the commit it points at (an annotated tag peeled)."""
    try:
        with errors(f"reading tag {name}"):
            ref = client.repo.get_git_ref(f"tags/{name}")
            sha = ref.object.sha
            if ref.object.type == "tag":
                sha = client.repo.get_git_tag(sha).object.sha
            return Tag(name, sha)
    except NotFound:
        return None


def create_tag(client: RepoClient, name: str, commit_sha: str, message: str) -> Tag:
    """An annotated tag: the tag object, then its ref."""
    with errors(f"creating tag {name}"):  # a tag object alone is no tag: not a change
        obj = client.repo.create_git_tag(name, message, commit_sha, "commit")
    try:
        with errors(f"creating tag {name}", write=True):
            client.repo.create_git_ref(f"refs/tags/{name}", obj.sha)
    except AlreadyExists:
        return _existing_tag(client, name, commit_sha)
    return Tag(name, commit_sha)


def _existing_tag(client: RepoClient, name: str, commit_sha: str) -> Tag:
    existing = tag(client, name)
    if existing is None:
        raise PartnerError(PARTNER, f"tag {name} was reported to exist but cannot be read")
    if existing.commit_sha != commit_sha:
        raise Conflict(PARTNER, f"tag {name} already exists at {existing.commit_sha[:12]}, "
                                f"not at {commit_sha[:12]}")
    return existing


def create_branch(client: RepoClient, name: str, from_sha: str) -> str:
    """The branch's head."""
    try:
        with errors(f"creating branch {name}", write=True):
            return client.repo.create_git_ref(f"refs/heads/{name}", from_sha).object.sha
    except AlreadyExists:
        head = branch_head(client, name)
        if head != from_sha:
            raise Conflict(PARTNER, f"branch {name} already exists at {head[:12]}, "
                                    f"not at {from_sha[:12]}") from None
        return head
