"""PyGithub's and requests' exceptions, translated into loopbot's PartnerError family with
messages that say what was being done and never carry the token. A write that failed after
its request left (a 5xx other than 503, a timeout, a lost answer) is `OutcomeUnknown`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
import urllib3
from github import GithubException, UnknownObjectException

from bot.usecases.ports import NOT_HANDLED, Conflict, NotFound, OutcomeUnknown, PartnerError

PARTNER = "GitHub"


class AlreadyExists(Conflict):
    """A 422 "already exists" (a ref, a release): the caller checks what exists."""


@contextmanager
def errors(doing: str, *, write: bool = False) -> Iterator[None]:
    """Translate PyGithub's and requests' exceptions into PartnerError subclasses; for a
    `write`, a failure after the request left (5xx, timeout, lost answer) is
    OutcomeUnknown."""
    try:
        yield
    except (GithubException, requests.exceptions.RequestException) as exc:
        if write and _after_sending(exc):
            raise OutcomeUnknown(PARTNER, f"{doing}: GitHub gave no answer that says whether "
                                 "it was done; it may have been done all the same") from exc
        raise _translated(doing, exc) from exc


def _translated(doing: str, exc: Exception) -> PartnerError:
    try:
        raise exc
    except UnknownObjectException:
        return NotFound(PARTNER, f"{doing}: not found")
    except GithubException as error:
        return _from_status(doing, error)
    except requests.exceptions.RetryError:
        return PartnerError(PARTNER, f"{doing}: GitHub kept answering server errors; "
                                     "gave up after retrying")
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
        return PartnerError(PARTNER, f"{doing}: GitHub is unreachable "
                                     f"({type(error).__name__})")
    except Exception as error:  # anything else of requests: as it was
        return PartnerError(PARTNER, f"{doing}: {type(error).__name__}")


def _after_sending(exc: Exception) -> bool:
    """True when the request had left: a server error, a timeout after connecting, a
    lost answer, retries given up on server errors."""
    if isinstance(exc, GithubException):
        return exc.status >= 500 and exc.status != NOT_HANDLED
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.RetryError):  # urllib3 names the last status
        return f"too many {NOT_HANDLED} error" not in str(exc)
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        return not isinstance(reason, urllib3.exceptions.NewConnectionError
                              | ConnectionRefusedError)
    return False


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
