"""Who may read the board (and the calendar feeds): the token check.

Guarantees:
- Served on a loopback address with no `WEB_TOKEN` and no trusted proxy (app.yaml's
  `server.trusted_proxy`), the board is open to the machine it runs on. A request that
  carries any proxy header (`Forwarded`, `Via`, `X-Forwarded-*`, `X-Real-IP`, ...: PROXIED)
  came through a proxy, so from elsewhere: it needs the token. With a trusted proxy every
  request does (the proxy makes the board reachable from other machines).
- Otherwise a request needs the token: `?token=...` once (the answer sets a cookie and,
  for pages, sends the browser to the same address without the token), then the cookie;
  scripts may send `Authorization: Bearer ...`. Every comparison is `hmac.compare_digest`.
  Without `WEB_TOKEN` such a request is refused with 403 and the reason, never served.
- The cookie holds a digest of the token, not the token; it is HttpOnly, SameSite=Strict,
  and Secure when the request came over HTTPS, to this server or to a proxy in front
  (`X-Forwarded-Proto: https`, `Forwarded: proto=https`; a client that claims it only
  makes its own cookie stricter).
- The token never appears in a log line, a page, or a redirect.
The headers every answer carries are bot/entrypoints/http_headers.py's.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

COOKIE = "loopbot_board"
# Headers that only a proxy (or someone posing as one) sends, as WSGI names them.
PROXIED = ("HTTP_FORWARDED", "HTTP_VIA", "HTTP_X_REAL_IP", "HTTP_TRUE_CLIENT_IP",
           "HTTP_CF_CONNECTING_IP", "HTTP_X_CLIENT_IP", "HTTP_X_CLUSTER_CLIENT_IP",
           "HTTP_X_ORIGINAL_FORWARDED_FOR", "HTTP_CLIENT_IP", "HTTP_FASTLY_CLIENT_IP")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    status: int = 200  # 401 (token missing or wrong) or 403 (no token configured)
    reason: str = ""
    set_cookie: str | None = None  # a Set-Cookie value to send with the answer
    redirect: str | None = None  # the same address without ?token=


@dataclass(frozen=True)
class BoardAccess:
    token: str | None
    local_only: bool  # the server listens on a loopback address only
    behind_proxy: bool = False  # a trusted proxy forwards requests to it

    @classmethod
    def for_host(cls, host: str, token: str | None, *, behind_proxy: bool = False
                 ) -> BoardAccess:
        return cls(token or None, _is_loopback(host), behind_proxy)

    @property
    def open_without_token(self) -> bool:
        """Only this machine reaches the board directly."""
        return self.local_only and not self.behind_proxy

    def check(self, environ: dict[str, Any], *, page: bool) -> Verdict:
        if self.token is None:
            if self.open_without_token and not came_through_proxy(environ):
                return Verdict(True)
            return Verdict(False, 403, "this board is reachable from other machines: set "
                                       "WEB_TOKEN in the bot's environment to open it")
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        given = next((v for k, v in query if k == "token"), None)
        if given is not None:
            if not _same(given, self.token):
                return Verdict(False, 401, "wrong token")
            cookie = self._cookie(environ)
            if page and environ.get("REQUEST_METHOD") == "GET":
                rest = urlencode([(k, v) for k, v in query if k != "token"])
                path = quote(environ.get("PATH_INFO", "/") or "/")  # no CR/LF in a header
                return Verdict(False, 303, set_cookie=cookie,
                               redirect=path + (f"?{rest}" if rest else ""))
            return Verdict(True, set_cookie=cookie)
        if _same(_bearer(environ), self.token) or _same(_cookie_value(environ),
                                                        _digest(self.token)):
            return Verdict(True)
        return Verdict(False, 401, "this board needs its token: open it once with "
                                   "?token=WEB_TOKEN")

    def _cookie(self, environ: dict[str, Any]) -> str:
        assert self.token is not None
        return (f"{COOKIE}={_digest(self.token)}; Path=/; HttpOnly; SameSite=Strict"
                + ("; Secure" if _over_https(environ) else ""))


def came_through_proxy(environ: dict[str, Any]) -> bool:
    return any(h in environ for h in PROXIED) or any(
        k.startswith("HTTP_X_FORWARDED_") for k in environ)


def _over_https(environ: dict[str, Any]) -> bool:
    """This server was reached over HTTPS, or the proxy in front says it was."""
    claimed = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
    forwarded = environ.get("HTTP_FORWARDED", "").split(",")[0].lower()
    return "https" in (environ.get("wsgi.url_scheme"), claimed) or any(
        pair.strip().replace('"', "") == "proto=https" for pair in forwarded.split(";"))


def _digest(token: str) -> str:
    return hmac.new(token.encode(), b"loopbot board cookie", hashlib.sha256).hexdigest()


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _bearer(environ: dict[str, Any]) -> str | None:
    scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _cookie_value(environ: dict[str, Any]) -> str | None:
    try:
        jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
