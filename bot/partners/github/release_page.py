"""GitHub releases (a tag's page with its notes): read, and made idempotently (a release
that exists already is returned as it is)."""

from __future__ import annotations

from bot.partners.github.client import RepoClient
from bot.partners.github.errors import AlreadyExists, errors
from bot.usecases.ports import NotFound


def release_url(client: RepoClient, tag: str) -> str | None:
    """The html URL of the tag's release; None when it has none yet."""
    try:
        with errors(f"reading the release of {tag}"):
            return str(client.repo.get_release(tag).html_url)
    except NotFound:
        return None


def create_release(client: RepoClient, tag: str, title: str, body: str, *,
                   known_missing: bool = False) -> str:
    """`known_missing`: the caller has just read `release_url(tag)` as None."""
    existing = None if known_missing else release_url(client, tag)
    if existing is not None:
        return existing
    try:
        with errors(f"creating the release of {tag}", write=True):
            return str(client.repo.create_git_release(tag, name=title, message=body).html_url)
    except AlreadyExists:
        with errors(f"reading the release of {tag}"):
            return str(client.repo.get_release(tag).html_url)
