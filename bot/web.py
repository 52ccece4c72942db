"""The bot's HTTP endpoints besides Slack's, as a plain WSGI application:

- Dockerflow's `/__version__`, `/__heartbeat__` and `/__lbheartbeat__` (bot/health.py);
- `GET /health`: 200 `{"ok": true}` while the database answers, 503 otherwise (kept for
  whatever already polls it; `/__heartbeat__` checks more);
- `GET /calendar.ics`: the cycle calendar of a service (`?service=NAME`, default the first)
  as iCalendar, for the team to subscribe to; `/calendar.json` the same as JSON.

The Slack request URL (`/slack/events`) is served beside these by bot/server.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from bot.config import ConfigError
from bot.health import PATHS as DOCKERFLOW_PATHS
from bot.health import Health, answer
from bot.usecases.calendar_feed import (
    calendar_from_settings,
    render_ics,
    render_json,
    select_cycles,
)
from bot.usecases.context import Context

StartResponse = Callable[..., Any]
CALENDAR_CYCLES = 26  # a year of cycles


def create_web_app(
    ctx: Context, health: Health | None = None,
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    health = health or Health(ctx)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, 405, b'{"error": "method not allowed"}')
        if path in DOCKERFLOW_PATHS:
            return answer(health, path, start_response)
        if path == "/health":
            return _health(ctx, start_response)
        if path in ("/calendar.ics", "/calendar.json"):
            return _calendar(ctx, path, query, start_response)
        return _answer(start_response, 404, b'{"error": "not found"}')

    return app


def _health(ctx: Context, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with ctx.store.unit_of_work() as uow:
            uow.releases(ctx.settings.service().name)
    except Exception:
        return _answer(start_response, 503, b'{"ok": false, "error": "database unavailable"}')
    return _answer(start_response, 200, b'{"ok": true}')


def _calendar(
    ctx: Context, path: str, query: dict[str, list[str]], start_response: StartResponse
) -> Iterable[bytes]:
    try:
        service = ctx.settings.service((query.get("service") or [None])[0])
    except ConfigError as exc:
        body = json.dumps({"error": str(exc)}).encode()
        return _answer(start_response, 404, body)
    calendar = calendar_from_settings(ctx.settings)
    now = ctx.clock()
    today = now.astimezone(ctx.settings.tz).date()
    cycles = select_cycles(calendar, today - dt.timedelta(days=28), count=CALENDAR_CYCLES)
    if path.endswith(".json"):
        return _answer(start_response, 200, render_json(cycles).encode())
    body = render_ics(calendar, cycles, service.name, now)
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
