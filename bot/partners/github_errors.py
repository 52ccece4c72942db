"""PyGithub's and requests' exceptions, translated into loopbot's PartnerError family with
messages that say what was being done and never carry the token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from github import GithubException, UnknownObjectException

from bot.ports import Conflict, NotFound, PartnerError

PARTNER = "GitHub"


class AlreadyExists(Conflict):
    """A 422 "already exists" (a ref, a release): the caller checks what exists."""


@contextmanager
def errors(doing: str) -> Iterator[None]:
    """Translate PyGithub's and requests' exceptions into PartnerError subclasses."""
    try:
        yield
    except UnknownObjectException as exc:
        raise NotFound(PARTNER, f"{doing}: not found") from exc
    except GithubException as exc:
        raise _from_status(doing, exc) from exc
    except requests.exceptions.RetryError as exc:
        raise PartnerError(PARTNER, f"{doing}: GitHub kept answering server errors; "
                                    "gave up after retrying") from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise PartnerError(PARTNER, f"{doing}: GitHub is unreachable ({type(exc).__name__})") \
            from exc


def _from_status(doing: str, exc: GithubException) -> PartnerError:
    message = _message(exc)
    if exc.status == 401:
        return PartnerError(PARTNER, f"{doing}: bad credentials (check GITHUB_TOKEN)")
    if exc.status == 404:
        return NotFound(PARTNER, f"{doing}: not found")
    if exc.status == 422 and "already exists" in _details(exc):
        return AlreadyExists(PARTNER, f"{doing}: already exists")
    if exc.status == 422 and "No commit found" in message:
        return NotFound(PARTNER, f"{doing}: no such commit")
    if exc.status == 422 and "Object does not exist" in message:
        return NotFound(PARTNER, f"{doing}: no such commit")
    if exc.status in (409, 422):
        return Conflict(PARTNER, f"{doing}: {message}")
    return PartnerError(PARTNER, f"{doing}: HTTP {exc.status} {message}".rstrip())


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    return str(data.get("message") or "")


def _details(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    codes = [str(e.get("code", "")) for e in data.get("errors") or [] if isinstance(e, dict)]
    return " ".join([str(data.get("message") or ""), *codes]).lower().replace("_", " ")
