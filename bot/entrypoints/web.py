"""The bot's HTTP endpoints besides Slack's, as a plain WSGI application:

- Dockerflow's `/__version__`, `/__heartbeat__` and `/__lbheartbeat__` (bot/entrypoints/health.py);
- `GET /health`: 200 `{"ok": true}` while the database answers, 503 otherwise (kept for
  whatever already polls it; `/__heartbeat__` checks more);
- `GET /calendar.ics`: the cycle calendar of a service (`?service=NAME`, default the first)
  as iCalendar (with its load-test windows), for the team to subscribe to;
  `/calendar.json` the cycles as JSON;
- the web board (`/`, `/releases/SERVICE/VERSION`, `/static/...`: bot/board/app.py).

The board and the calendar feeds are read only by whom `BoardAccess` lets in (open on
localhost while `WEB_TOKEN` is unset, else `WEB_TOKEN`); `/health` stays outside that
check, as does the Slack request URL (`/slack/events`), which bot/entrypoints/server.py
serves beside these.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from bot.board.access import BoardAccess, Verdict
from bot.board.app import Board, BoardOptions
from bot.config.settings import ConfigError
from bot.domain.errors import unknown_service
from bot.entrypoints.health import PATHS as DOCKERFLOW_PATHS
from bot.entrypoints.health import Health, answer
from bot.messages.calendar import render_ics, render_json
from bot.usecases.calendar_feed import calendar_from_settings, select_cycles
from bot.usecases.context import Context

StartResponse = Callable[..., Any]
CALENDAR_CYCLES = 26  # a year of cycles


def create_web_app(
    ctx: Context, health: Health | None = None, *, access: BoardAccess | None = None,
    board: BoardOptions | None = None, name: Callable[[str], str] | None = None,
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """`access` defaults to a server on localhost with the configured WEB_TOKEN; `name`
    gives a Slack user's display name (without it the board shows user ids)."""
    health = health or Health(ctx)
    if access is None:
        token = ctx.settings.secrets.web_token
        access = BoardAccess.for_host("127.0.0.1", token.get_secret_value() if token else None)
    pages = Board(ctx, board, name)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, 405, b'{"error": "method not allowed"}')
        if path in DOCKERFLOW_PATHS:
            return answer(health, path, start_response)
        if path == "/health":
            return _health(ctx, start_response)
        feed = path in ("/calendar.ics", "/calendar.json")
        if not (feed or pages.serves(path)):
            return _answer(start_response, 404, b'{"error": "not found"}')
        if path.startswith("/static/"):  # the stylesheet and script hold no data
            return pages(environ, start_response)
        verdict = access.check(environ, page=not feed)
        if not verdict.allowed:
            return _refused(pages, verdict, path, start_response)
        start = _with_cookie(start_response, verdict)
        return _calendar(ctx, path, query, start) if feed else pages(environ, start)

    return app


def _refused(pages: Board, verdict: Verdict, path: str,
             start_response: StartResponse) -> Iterable[bytes]:
    if verdict.redirect is not None:
        headers = [("Location", verdict.redirect)]
        if verdict.set_cookie:
            headers.append(("Set-Cookie", verdict.set_cookie))
        return pages.message(start_response, 303, "Opening the board", "the token is right",
                             extra=headers)
    return pages.message(start_response, verdict.status, "Locked", verdict.reason,
                         ask_token=verdict.status == 401, path=path)


def _with_cookie(start_response: StartResponse, verdict: Verdict) -> StartResponse:
    if verdict.set_cookie is None:
        return start_response
    cookie = verdict.set_cookie

    def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        return start_response(status, [*headers, ("Set-Cookie", cookie)], *exc)

    return start


def _health(ctx: Context, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with ctx.store.unit_of_work() as uow:
            uow.releases.find(ctx.settings.service().name, limit=1)
    except Exception:
        return _answer(start_response, 503, b'{"ok": false, "error": "database unavailable"}')
    return _answer(start_response, 200, b'{"ok": true}')


def _calendar(
    ctx: Context, path: str, query: dict[str, list[str]], start_response: StartResponse
) -> Iterable[bytes]:
    names = query.get("service")
    try:
        service = ctx.settings.service(names[0] if names else None)
    except ConfigError:  # the name asked is not repeated: any client reads the feed
        known = (s.name for s in ctx.settings.services)
        error = json.dumps({"error": unknown_service(None, known)})
        return _answer(start_response, 404, error.encode())
    calendar = calendar_from_settings(ctx.settings)
    now = ctx.clock()
    today = now.astimezone(ctx.settings.tz).date()
    cycles = select_cycles(calendar, today - dt.timedelta(days=28), count=CALENDAR_CYCLES)
    if path.endswith(".json"):
        return _answer(start_response, 200, render_json(cycles).encode())
    with ctx.store.unit_of_work() as uow:
        windows = uow.loadtests.windows(service.name)
    body = render_ics(calendar, cycles, service.name, now, windows)
    return _answer(start_response, 200, body, "text/calendar; charset=utf-8")


def _answer(
    start_response: StartResponse, status: int, body: bytes,
    content_type: str = "application/json",
) -> Iterable[bytes]:
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed",
              503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", content_type),
                                          ("Content-Length", str(len(body)))])
    return [body]
