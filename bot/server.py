"""Serving Slack. The bot's HTTP server: Slack's request URL (`/slack/events`, served by Bolt's WSGI
adapter) beside bot/web.py's endpoints (`/health`, `/calendar.ics`, `/calendar.json`, the
web board at `/`).

Guarantees: a real threaded server (one thread per request, a listen backlog of 128 so a
burst of Slack requests is not stalled by SYN retries: NOTES.md), bound to the host and
port asked (port 0 picks a free one; `url` says which), started and stopped without
leaking its thread. Request lines are logged at DEBUG, without bodies or headers.
`run` is `loopbot run`: that server, plus a Socket Mode connection when asked.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from functools import partial
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import LoopApp, create_app, required_secrets
from bot.board.access import BoardAccess
from bot.board.app import BoardOptions
from bot.config import ConfigError, Settings
from bot.leader import LEASE_SECONDS, RENEW_SECONDS, SchedulerLeader
from bot.partners.mail import Mailer
from bot.partners.slack import Chat
from bot.scheduler import start_scheduler, stop_scheduler
from bot.store.schema import require_current
from bot.usecases.adoption import adopt_on_first_start
from bot.web import create_web_app
from bot.wiring import PARTNER_SECRETS

SLACK_PATH = "/slack/events"
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
log = logging.getLogger("loopbot.http")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def routes(app: LoopApp, *, host: str = "127.0.0.1", board: BoardOptions | None = None) -> Wsgi:
    """One WSGI application: Slack at /slack/events, bot/web.py for the rest. `host` is
    where the server listens: beyond localhost the board asks for WEB_TOKEN."""
    slack = SlackRequestHandler(app.bolt, path=SLACK_PATH)
    token = app.ctx.settings.secrets.web_token
    access = BoardAccess.for_host(host, token and token.get_secret_value())
    web = create_web_app(app.ctx, access=access, board=board)

    traffic = app.runtime.traffic

    def route(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SLACK_PATH:
            traffic.begin()
            try:  # Bolt answers within the call: the ack is sent when it returns
                return slack(environ, start_response)
            finally:
                traffic.end()
        return web(environ, start_response)

    return route


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
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="loop-http",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.5)

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
          board: BoardOptions | None = None) -> Server:
    """The app's server, started."""
    return Server(routes(app, host=host, board=board), host, port).start()


def run(settings: Settings, *, socket_mode: bool = False, host: str = "127.0.0.1",
        port: int = 3000, slack_api_url: str | None = None,
        stop: threading.Event | None = None, lease_seconds: float = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS) -> int:
    """`loopbot run`: serve until interrupted (or `stop` is set). Missing secrets raise
    ConfigError naming the environment variables, and a schema that is not the newest
    SchemaNotCurrent naming `loopbot db upgrade`, before anything starts. The scheduler
    runs only while this process holds the database lease (bot/leader.py): with two
    replicas on one PostgreSQL, one runs it and the other takes over if it dies."""
    missing = settings.secrets.missing(*required_secrets(socket_mode), *PARTNER_SECRETS)
    if missing:
        raise ConfigError(f"cannot start: set the environment variable(s) "
                          f"{', '.join(missing)}")
    require_current(settings.db_url)  # `run` never makes the schema: `loopbot db upgrade` does
    app = create_app(settings, socket_mode=socket_mode, slack_api_url=slack_api_url)
    adopt_on_first_start(app.ctx)  # the releases made before the bot, on its first start
    stop = stop or threading.Event()
    with contextlib.suppress(ValueError):  # only the main thread may set signal handlers
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = serve(app, host, port)  # /health and the calendar, in Socket Mode too
    handler = None
    if socket_mode:
        assert settings.secrets.slack_app_token is not None
        handler = SocketModeHandler(app.bolt, settings.secrets.slack_app_token.get_secret_value())
        handler.connect()
        log.info("connected to Slack in Socket Mode; health at %s/health", server.url)
    else:
        log.info("serving Slack at %s", server.slack_url)
    log.info("the web board is at %s", server.board_url)
    if settings.secrets.web_token is None and not BoardAccess.for_host(host, None).local_only:
        log.warning("the web board stays shut: it is served beyond localhost and WEB_TOKEN "
                    "is not set")
    chat = Chat.from_settings(settings, base_url=slack_api_url)
    leader = SchedulerLeader(
        app.ctx.store, partial(start_scheduler, app.ctx, chat, Mailer.from_settings(settings)),
        stop_scheduler, lease_seconds=lease_seconds, renew_seconds=renew_seconds,
    ).begin()
    gc.collect()
    gc.freeze()  # what start-up built lives for good: collections need not walk it again
    print(json.dumps({"url": server.url, "slack": None if socket_mode else server.slack_url,
                      "board": server.board_url, "socket_mode": socket_mode,
                      "process": leader.holder}), flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        leader.end()
        if handler is not None:
            handler.close()
        server.stop()
        app.close()
    return 0
