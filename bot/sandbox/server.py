"""The HTTP base every stand-in shares: routing, JSON, fault injection, a request log.

A `StandIn` is a real threaded HTTP server on 127.0.0.1 (port 0 by default, so tests never
collide). Subclasses declare routes with `@route(METHOD, REGEX)`; a handler receives a
`Request` and the regex groups and returns a `Response` (or raises `HTTPError`): those
live in bot/sandbox/routes.py.

Faults are injected per server, for tests and for `loopbot sandbox`:
- `faults.fail_next(status, count, path=...)`: the next `count` matching requests answer
  `status` (with the stand-in's own error body shape); `faults.fail_every(status, 2)`:
  every second matching request does, from now on;
- `faults.latency = 2.0`: every request waits that long before it is answered;
- `faults.lose_next(...)` / `faults.slow_next(delay, ...)`: matching requests are carried
  out, then answered 502 (the answer is lost) or `delay` seconds late (a client timeout);
- `faults.drop_next(count)`: the next requests get their connection closed, no answer.
The same can be set over HTTP with `POST /__sandbox__/faults` (JSON body with `status`,
`count`, `path`, `method`, `after`, `lose`, `every`, `latency`, `drop`, `clear`), so a
stand-in in another process can be driven too; a bad body is answered 400 naming the field.

Every request is logged (`requests`: method, path, query, and when it arrived) so tests
and benchmarks count exactly what a client sent, and see which requests were in flight
together; `GET /__sandbox__/activity` says how many partner requests came so far, how
many of them were writes (any method but GET and HEAD), and how many are being answered now.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

from bot.prompt_shutdown import PromptShutdown
from bot.sandbox.faults import Faults, read_spec
from bot.sandbox.routes import HTTPError, Request, Response


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    received: float = 0.0  # time.monotonic() on arrival, before any injected latency


class _Server(PromptShutdown, ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # NOTES.md: the default backlog of 5 stalls bursts for 1 s
    stand_in: StandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test, a dropped connection) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY a kept-alive client
    # waits ~40 ms for each answer (Nagle's algorithm against delayed ACKs).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests and the sandbox read the request log instead

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        with self.server.stand_in.serving(request.path, request.method):
            response = self.server.stand_in.dispatch(request)
        if response is None:  # a dropped connection
            self.close_connection = True
            self.connection.close()
            return
        payload = response.encode()
        self.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class StandIn:
    """A partner's API on 127.0.0.1. Use as a context manager or call start()/stop()."""

    name: ClassVar[str] = "stand-in"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 route_groups: Sequence[object] = ()) -> None:
        """`route_groups`: objects whose `@route` methods are served besides this one's
        (first match wins, groups first)."""
        self._table = [entry for holder in (*route_groups, self) for entry in _routes(holder)]
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._received = self._busy = self._writes = 0  # partner requests (control aside)
        self._server = _Server((host, port), _RequestHandler)
        self._server.stand_in = self
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        if self._thread is not None:  # started already (`with StandIn().start()`): one loop
            return self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"{self.name}:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits forever on a server never started
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request log -------------------------------------------------------------------
    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests matched METHOD and a path regex (control calls excluded)."""
        pattern = re.compile(path) if path else None
        with self._log_lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method)
                and (pattern is None or pattern.search(r.path))
            )

    def reset_log(self) -> None:
        with self._log_lock:
            self.requests.clear()

    @contextmanager
    def counting(self) -> Iterator[list[LoggedRequest]]:
        """Collect the requests made inside the block."""
        with self._log_lock:
            start = len(self.requests)
        seen: list[LoggedRequest] = []
        yield seen
        with self._log_lock:
            seen.extend(self.requests[start:])

    @contextmanager
    def serving(self, path: str, method: str = "GET") -> Iterator[None]:
        """Counts the partner requests being answered, for `/__sandbox__/activity`."""
        control = path.startswith("/__sandbox__/")
        with self._log_lock:
            self._received += not control
            self._writes += not control and method not in ("GET", "HEAD")
            self._busy += not control
        try:
            yield
        finally:
            with self._log_lock:
                self._busy -= not control

    def activity(self) -> dict[str, int]:
        """Partner requests received so far, the writes among them, and those being
        answered now: a client in another process (`loopbot sandbox chat --url`) sees from
        them when the bot is at work (and, by the writes, how long GitHub's pacing may
        keep it quiet)."""
        with self._log_lock:
            return {"received": self._received, "busy": self._busy, "writes": self._writes}

    # -- dispatch ----------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response | None:
        if request.path == "/__sandbox__/faults":
            return self._set_faults(request)
        if request.path == "/__sandbox__/activity":
            return Response(200, self.activity())
        with self._log_lock:
            self.requests.append(LoggedRequest(request.method, request.path, request.query,
                                               time.monotonic()))
        if self.faults.latency:
            time.sleep(self.faults.latency)
        drop, plan = self.faults.take(request.method, request.path)
        if drop:
            return None
        if plan is not None and not plan.lose:
            return self.error_response(HTTPError(plan.status, HTTPStatus(plan.status).phrase))
        try:
            response = self._route(request)
        except HTTPError as exc:
            response = self.error_response(exc)
        if plan is not None and plan.delay:  # the work is done; the answer comes late
            time.sleep(plan.delay)
            return response
        if plan is not None:  # the work is done; the answer is lost
            return self.error_response(HTTPError(plan.status, HTTPStatus(plan.status).phrase))
        return response

    def _route(self, request: Request) -> Response:
        path_matched = False
        for method, pattern, handler in self._table:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            path_matched = True
            if method == request.method or (method == "GET" and request.method == "HEAD"):
                return handler(request, *match.groups())
        if path_matched:
            raise HTTPError(405, "Method Not Allowed")
        raise HTTPError(404, "Not Found")

    def error_response(self, error: HTTPError) -> Response:
        """The partner's error shape; subclasses override."""
        return Response(error.status, {"error": error.message, **error.extra})

    def _set_faults(self, request: Request) -> Response:
        try:
            spec = read_spec(request.body)
        except ValueError as exc:
            return Response(400, {"ok": False, "error": f"fault spec: {exc}"})
        spec.apply(self.faults)
        return Response(200, {"ok": True})


def _routes(holder: object) -> list[tuple[str, re.Pattern[str], Callable[..., Response]]]:
    """The `@route` methods of the holder's class and its bases, bound to it."""
    table = []
    for klass in reversed(type(holder).__mro__):
        for attr, value in vars(klass).items():
            for method, pattern in getattr(value, "_routes", ()):
                table.append((method, re.compile(pattern), getattr(holder, attr)))
    return table
