"""The read-only web board, served beside Slack by the same WSGI application:

- `GET /`: the environments grid, the releases in flight and the calendar;
- `GET /releases/SERVICE/VERSION`: one release: notes, tickets, commits, audit trail;
- `GET /metrics?service=NAME&cycles=N`: the delivery metrics as charts, with the releases
  behind them (bot/board/metrics_page.py); bad parameters are a 400 page saying which;
- `?part=main` on either: only what goes inside <main>, with an ETag (what the page's
  script polls; 304 when nothing changed);
- `GET /static/board.css`, `/static/board.js`: the stylesheet and the polling script.

Guarantees: pages are never cached by the browser; an unknown path, service or release
is a 404 page that says what was not found. The Content-Security-Policy (no inline
script, scripts and styles from this server only) is set on every answer of the server
by bot/entrypoints/http_headers.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from bot.board.cache import ReadCache
from bot.board.metrics_page import metrics_page, metrics_query
from bot.board.render import Renderer
from bot.domain.errors import Refusal
from bot.domain.gonogo import PUSHED, GoNoGo
from bot.domain.version import ReleaseLabel
from bot.usecases.board import BoardReads
from bot.usecases.context import Context
from bot.usecases.gonogo import Reads, gonogo

StartResponse = Callable[..., Any]
STATIC = {"board.css": "text/css; charset=utf-8",
          "board.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml"}
REASONS = {200: "OK", 304: "Not Modified", 303: "See Other", 400: "Bad Request",
           401: "Unauthorized",
           403: "Forbidden", 404: "Not Found"}


@dataclass(frozen=True)
class BoardOptions:
    poll_seconds: int = 10  # how often an open board asks for news
    environment_ttl: float = 5.0  # how long what an environment runs is kept
    ticket_ttl: float = 10.0  # how long Bugzilla statuses are kept
    name_ttl: float = 300.0  # how long a person's display name (users.info) is kept


class Board:
    def __init__(self, ctx: Context, options: BoardOptions | None = None,
                 name: Callable[[str], str] | None = None) -> None:
        """`name`: a Slack user id -> their display name (the audit trail shows it)."""
        self.options = options or BoardOptions()
        self.reads = BoardReads(ctx, ReadCache(), environment_ttl=self.options.environment_ttl,
                                ticket_ttl=self.options.ticket_ttl, name=name,
                                name_ttl=self.options.name_ttl)
        self.ctx = ctx
        self.renderer = Renderer(ctx.settings.tz)
        folder = resources.files("bot.board") / "static"
        self._static = {name: (folder / name).read_bytes() for name in STATIC}

    @staticmethod
    def serves(path: str) -> bool:
        return path in ("/", "/metrics") or path.startswith(("/releases/", "/static/"))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        part = parse_qs(environ.get("QUERY_STRING", "")).get("part") == ["main"]
        if path.startswith("/static/"):
            return self._asset(path.removeprefix("/static/"), start_response)
        if path == "/":
            return self._page(environ, start_response, "board.html", "release board", part,
                              self._board_values)
        if path == "/metrics":
            return self._metrics(environ, start_response, part)
        words = [unquote(w) for w in path.removeprefix("/releases/").split("/")]
        if path.startswith("/releases/") and len(words) == 2 and all(words):
            service, version = words
            return self._page(environ, start_response, "release.html",
                              f"{service} {version}", part,
                              lambda: self._release_values(service, version))
        return self.message(start_response, 404, "Not found", f"nothing at {path}")

    def _board_values(self) -> dict[str, Any]:
        services = self.ctx.settings.services
        # Bugzilla while the environments, on the use cases' shared fan-out
        grids, flights, gonogos = self.ctx.fanout.at_once(
            self.reads.grids, self.reads.flights,
            lambda: [self._gonogo(s.name) for s in services])
        return {"grids": grids, "flights": flights, "gonogos": gonogos,
                "released": self.reads.released(),
                "calendar": self.reads.calendar(), "services": [s.name for s in services],
                "envs": list(dict.fromkeys(e for s in services for e in s.environments))}

    def _metrics(self, environ: dict[str, Any], start_response: StartResponse, part: bool
                 ) -> Iterable[bytes]:
        try:
            service, cycles = metrics_query(self.ctx, environ.get("QUERY_STRING", ""))
        except Refusal as exc:
            return self.message(start_response, 400, "Bad request", str(exc))
        query = f"service={quote(service, safe='')}&cycles={cycles}&"
        # the page's polls, and every viewer's, share one read (Bugzilla's time to live)
        def read() -> dict[str, Any]:
            return {"page": self.reads.cached(("metrics", service, cycles),
                                              self.options.ticket_ttl,
                                              lambda: metrics_page(self.ctx, service, cycles))}

        return self._page(environ, start_response, "metrics.html", f"{service} metrics", part,
                          read, query=query)

    def _release_values(self, service: str, version: str) -> dict[str, Any]:
        label = ReleaseLabel.parse(version)  # the URL's LABEL: refused here as a 404
        page = self.reads.release_page(service, label)
        release = page.flight.release
        shown = None if release.state in PUSHED else self._gonogo(release.service, label)
        return {"page": page, "gonogo": shown}

    def _gonogo(self, service: str, label: ReleaseLabel | None = None) -> GoNoGo:
        """The go/no-go (issue 22), kept as long as ticket statuses are."""
        board = self.reads  # shared with the grid and the flights: each read once
        reads = Reads(board.environments, lambda ports, ids: board.bugs(ports.config, ids),
                      lambda ports, base, head: board.between(ports.config, base, head))
        return self.reads.cached(("gonogo", service, label), self.options.ticket_ttl,
                                 lambda: gonogo(self.ctx, self.ctx.service(service), label=label,
                                                reads=reads))

    def _page(self, environ: dict[str, Any], start_response: StartResponse, main: str,
              title: str, part: bool, values: Callable[[], dict[str, Any]], query: str = ""
              ) -> Iterable[bytes]:
        try:
            shown = values()
        except Refusal as exc:
            return self.message(start_response, 404, "Not found", str(exc))
        now = self.renderer.local(self.ctx.clock(), "%H:%M:%S %Z")
        if part:
            body = self.renderer.part(main, now=now, **shown).encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            if environ.get("HTTP_IF_NONE_MATCH") == etag:
                return answer(start_response, 304, b"", extra=[("ETag", etag)])
            return answer(start_response, 200, body, extra=[("ETag", etag)])
        path = quote(environ.get("PATH_INFO", "/"))
        html = self.renderer.page(main, title=title, now=now, part_url=f"{path}?{query}part=main",
                                  poll_seconds=self.options.poll_seconds, **shown)
        return answer(start_response, 200, html.encode())

    def message(self, start_response: StartResponse, status: int, heading: str,
                reason: str, *, ask_token: bool = False, path: str = "/",
                extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
        """A page that says why there is nothing to show (404, 401, 403)."""
        html = self.renderer.page("message.html", title=heading, heading=heading,
                                  reason=reason, ask_token=ask_token, path=path, now="",
                                  part_url="", poll_seconds=3600,
                                  home=status not in (401, 403))  # "/" is locked too
        return answer(start_response, status, html.encode(), extra=extra)

    def _asset(self, name: str, start_response: StartResponse) -> Iterable[bytes]:
        if name not in self._static:
            return answer(start_response, 404, b"not found", "text/plain; charset=utf-8")
        return answer(start_response, 200, self._static[name], STATIC[name],
                      cache="no-cache")


def answer(start_response: StartResponse, status: int, body: bytes,
           content_type: str = "text/html; charset=utf-8", *, cache: str = "no-store",
           extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
               ("Cache-Control", cache), *(extra or [])]
    start_response(f"{status} {REASONS[status]}", headers)
    return [body]
