"""What each environment runs, read from its root URL: the `Environments` port over HTTP.

`HttpEnvironments(timeout=3.0).read(name, url)` never raises for a broken environment.
It GETs `/` (version, rev, branch, fakeTokBox); when `/` shows no version it falls back
to Dockerflow's `/__version__` (version, commit); then `/__heartbeat__` sets `healthy`
(200 -> True, 503 -> False, 404 -> None: no heartbeat to ask; anything else -> False).
When `/` cannot be read the result is `reachable=False` with an `error` that names the
environment and says why: "stage (https://loop.stage.mozaws.net): connection refused",
"... timed out after 3 s", "... answered 500", "... answered something that is not JSON".
Each request waits at most `timeout` seconds per connect or read; nothing is retried.
`/` and `/__heartbeat__` are asked at once when given an `at_once` runner (wiring passes
the use cases' pool), so a read costs one round trip, two only for the fallback. The
connection pool keeps `connections` connections per host: size it for the threads that
read at once, or urllib3 warns "Connection pool is full, discarding connection".
A user:password in the URL never appears in the result (`url` or `error`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from bot.domain.facts import EnvironmentState

log = logging.getLogger("loopbot.environments")
USER_AGENT = "loopbot (release bot; +https://github.com/mozilla-services/loop-server)"
AtOnce = Callable[..., list[Any]]


def one_after_another(*calls: Callable[[], Any]) -> list[Any]:
    return [call() for call in calls]


class _Unreadable(Exception):
    """A URL could not be read as JSON; the message says why, without the URL."""


class HttpEnvironments:
    def __init__(self, timeout: float = 3.0, session: requests.Session | None = None, *,
                 connections: int = 10, at_once: AtOnce = one_after_another) -> None:
        self.timeout = timeout
        self._at_once = at_once
        self._session = session or requests.Session()
        self._session.headers.setdefault("User-Agent", USER_AGENT)
        if session is None:
            for scheme in ("http://", "https://"):
                self._session.mount(scheme, HTTPAdapter(pool_maxsize=connections))

    def read(self, name: str, url: str, *, heartbeat: bool = True) -> EnvironmentState:
        base, shown = url.rstrip("/"), _display(url)
        details: dict[str, object] = {}
        if heartbeat:
            root, healthy = self._at_once(lambda: self._root(base),
                                          lambda: self._healthy(base, details))
        else:
            root, healthy = self._root(base), None
        if isinstance(root, _Unreadable):
            error = f"{name} ({shown.rstrip('/')}): {root}"
            log.warning("environment %s", error, extra={"partner": "environment"})
            return EnvironmentState(name=name, url=shown, reachable=False, error=error)
        details["root"] = root
        version, rev = root.get("version"), root.get("rev")
        if not version:
            version, rev = self._dockerflow_version(base, details, rev)
        fake = root.get("fakeTokBox")
        return EnvironmentState(
            name=name,
            url=shown,
            reachable=True,
            version=_text(version),
            rev=_text(rev),
            branch=_text(root.get("branch")),
            fake_partner=fake if isinstance(fake, bool) else None,
            healthy=healthy,
            details=details,
        )

    def _root(self, base: str) -> dict[str, Any] | _Unreadable:
        try:
            return self._json(base + "/")
        except _Unreadable as exc:
            return exc

    def _dockerflow_version(
        self, base: str, details: dict[str, object], rev: Any
    ) -> tuple[Any, Any]:
        try:
            info = self._json(base + "/__version__")
        except _Unreadable as exc:
            details["version_error"] = f"/__version__: {exc}"
            return None, rev
        details["__version__"] = info
        return info.get("version"), info.get("commit") or rev

    def _healthy(self, base: str, details: dict[str, object]) -> bool | None:
        try:
            response = self._session.get(base + "/__heartbeat__", timeout=self.timeout)
        except requests.RequestException as exc:
            details["heartbeat_error"] = _describe(exc, self.timeout)
            return False
        details["heartbeat_status"] = response.status_code
        with contextlib.suppress(ValueError):
            details["heartbeat"] = response.json()
        if response.status_code == 404:
            return None
        return response.status_code == 200

    def _json(self, url: str) -> dict[str, Any]:
        try:
            response = self._session.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise _Unreadable(_describe(exc, self.timeout)) from None
        if response.status_code != 200:
            raise _Unreadable(f"answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise _Unreadable("answered something that is not JSON") from None
        if not isinstance(body, dict):
            raise _Unreadable("answered JSON that is not an object")
        return body


def _describe(exc: requests.RequestException, timeout: float) -> str:
    """Why a request failed, in words an operator knows; never the URL or its secrets."""
    if isinstance(exc, requests.Timeout):
        return f"timed out after {timeout:g} s"
    chain = _causes(exc)
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    text = " ".join(str(e) for e in chain)
    if "NameResolutionError" in text or "Name or service not known" in text:
        return "host name not found"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "closed the connection without answering"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return f"request failed ({type(exc).__name__})"


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending and len(seen) < 20:
        current = pending.pop()
        seen.append(current)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        reason = getattr(current, "reason", None)
        for nxt in (current.__cause__, current.__context__, reason):
            if isinstance(nxt, BaseException):
                pending.append(nxt)
    return seen


def _display(url: str) -> str:
    """The URL without any user:password part."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
