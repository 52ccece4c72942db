"""Serving Slack. `routes(app)` is the bot's one WSGI application: Slack's request URL
(`/slack/events`, checked by slack_http.py, then Bolt) beside web.py's endpoints
(Dockerflow's, `/health`, `/calendar.ics`, `/calendar.json`, the web board at `/`),
every answer with bot/entrypoints/http_headers.py's security headers. `loopbot run` serves it on
waitress (bot/entrypoints/production.py).

`Server` is the in-process server the tests, the sandbox chat and the benchmarks use: the
standard library's threaded server (one thread per request, a listen backlog of 128 so a
burst of Slack requests is not stalled by SYN retries: NOTES.md), bound to the host and
port asked (port 0 picks a free one; `url` says which), started and stopped without
leaking its thread, and stopped at once (bot/prompt_shutdown.py). Request lines are
logged at DEBUG, without bodies or headers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.board.access import BoardAccess
from bot.board.app import BoardOptions
from bot.config.settings import Settings
from bot.entrypoints.app import LoopApp
from bot.entrypoints.health import Health
from bot.entrypoints.http_headers import with_security_headers
from bot.entrypoints.slack_http import SlackGate
from bot.entrypoints.web import create_web_app
from bot.prompt_shutdown import PromptShutdown

SLACK_PATH = "/slack/events"
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
log = logging.getLogger("loopbot.http")


class _ThreadingWSGIServer(PromptShutdown, ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def routes(app: LoopApp, health: Health | None = None, *, host: str = "127.0.0.1",
           board: BoardOptions | None = None) -> Wsgi:
    """One WSGI application: Slack at /slack/events (slack_http.py checks each request
    before Bolt sees it), web.py for the rest. `host` is where the server listens:
    the board asks for WEB_TOKEN once it is set, and always beyond localhost or behind a
    proxy."""
    slack = SlackGate(app.bolt, app.signing_secret)
    access = board_access(app.ctx.settings, host)
    directory = app.runtime.directory  # names as Slack messages show them, cached there too
    web = create_web_app(app.ctx, health, access=access, board=board,
                         name=lambda user: directory.actor(user).name)

    traffic = app.runtime.traffic

    def route(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SLACK_PATH:
            traffic.begin()
            try:  # Bolt answers within the call: the ack is sent when it returns
                return slack(environ, start_response)
            finally:
                traffic.end()
        return web(environ, start_response)

    return with_security_headers(route)


def board_access(settings: Settings, host: str) -> BoardAccess:
    token = settings.secrets.web_token
    return BoardAccess.for_host(host, token.get_secret_value() if token else None,
                                behind_proxy=settings.server.trusted_proxy is not None)


class Server:
    def __init__(self, wsgi: Wsgi, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = make_server(host, port, wsgi, server_class=_ThreadingWSGIServer,
                                  handler_class=_QuietHandler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def board_url(self) -> str:
        """The web board's address (README: "The web board")."""
        return self.url + "/"

    @property
    def slack_url(self) -> str:
        """The request URL to give Slack (slash command, interactivity, events)."""
        return self.url + SLACK_PATH

    def start(self) -> Server:
        if self._thread is not None:  # `with Server(...).start()`: a second loop outlived stop()
            return self
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="loop-http",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(app: LoopApp, host: str = "127.0.0.1", port: int = 0,
          health: Health | None = None, board: BoardOptions | None = None) -> Server:
    """The app's server, started."""
    return Server(routes(app, health, host=host, board=board), host, port).start()

