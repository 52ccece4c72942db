"""Who may read the board (and the calendar feeds): the token check and the headers every
board answer carries.

Guarantees:
- Served on a loopback address with no `WEB_TOKEN`, the board is open to the machine it
  runs on. A request that came through a proxy (a `Forwarded` or `X-Forwarded-For`
  header) is not from this machine, so it needs the token too.
- Otherwise a request needs the token: `?token=...` once (the answer sets a cookie and,
  for pages, sends the browser to the same address without the token), then the cookie;
  scripts may send `Authorization: Bearer ...`. Every comparison is `hmac.compare_digest`.
  Without `WEB_TOKEN` such a request is refused with 403 and the reason, never served.
- The cookie holds a digest of the token, not the token; it is HttpOnly, SameSite=Strict,
  and Secure when the request came over HTTPS.
- The token never appears in a log line, a page, or a redirect.
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
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]


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

    @classmethod
    def for_host(cls, host: str, token: str | None) -> BoardAccess:
        return cls(token or None, _is_loopback(host))

    def check(self, environ: dict[str, Any], *, page: bool) -> Verdict:
        proxied = any(environ.get(h) for h in ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR"))
        if self.token is None:
            if self.local_only and not proxied:
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
        secure = "https" in (environ.get("wsgi.url_scheme"),
                             environ.get("HTTP_X_FORWARDED_PROTO"))
        return (f"{COOKIE}={_digest(self.token)}; Path=/; HttpOnly; SameSite=Strict"
                + ("; Secure" if secure else ""))


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
