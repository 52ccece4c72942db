"""The headers every answer of the bot's HTTP server carries, set in one place: a WSGI
middleware around everything bot/entrypoints/server.py's `routes` serves (Slack's request URL, the
board, the calendar feeds, the health endpoints, the 404s and 405s). An answer that set
one of them itself gets the server's value instead, never two.

The policy allows only the board's own script and stylesheet: no inline script, no
framing, nothing from elsewhere; `nosniff` keeps a browser from reading JSON or text as
a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]
_NAMES = {name.lower() for name, _ in SECURITY_HEADERS}


def with_security_headers(app: Wsgi) -> Wsgi:
    """`app`, each of whose answers carries SECURITY_HEADERS."""

    def secured(environ: dict[str, Any], start_response: Callable[..., Any]
                ) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() not in _NAMES]
            return start_response(status, [*kept, *SECURITY_HEADERS], *exc_info)

        return app(environ, start)

    return secured
