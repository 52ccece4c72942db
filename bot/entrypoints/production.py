"""`loopbot run`: the bot as it runs for real, in one process.

Guarantees:
- Slack requests, the web endpoints and Dockerflow's are served by waitress, a maintained
  production WSGI server (a thread pool behind one event loop; a listen backlog of 1024,
  so a burst of Slack requests is never stalled by SYN retries: NOTES.md), on the host and
  port asked (127.0.0.1 unless told otherwise; a container passes `--host 0.0.0.0`).
  Proxy headers are believed only from the proxy app.yaml's `server.trusted_proxy` names
  (bot/config/server.py); with none, they reach the board's check untouched.
- Before anything starts, each partner is asked once (bot/partners/reachability.py):
  Slack unreachable or refusing the token, or GitHub/Bugzilla refusing their credentials,
  stops the start with one line per partner (`StartRefused`) naming the URL and what to
  check; GitHub or Bugzilla merely unreachable is logged as a warning and the bot starts
  (`/__heartbeat__` keeps reporting it).
- The scheduler runs in the same process (bot/entrypoints/scheduler.py).
- A quick stop: on SIGTERM (or `stop`), the server stops accepting and finishes the acks
  under way, the scheduler is shut down without waiting for a tick that is reading slow
  partners, and Slack work under way gets `server.stop_grace` seconds (2.5 by default).
  What is cut short is resumable: a tick reads before it claims anything (the next tick
  redoes it), and a step is recorded before and after each side effect (repeating the
  command finishes it).
  `cli.py` then ends the process without waiting for the threads left behind.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress import wasyncore
from waitress.server import create_server

from bot.config.server import ServerSettings
from bot.config.settings import ConfigError, Settings
from bot.entrypoints import socket_mode
from bot.entrypoints.app import LoopApp, create_app
from bot.entrypoints.health import Health
from bot.entrypoints.leader import LEASE_SECONDS, RENEW_SECONDS, SchedulerLeader
from bot.entrypoints.preflight import check_start
from bot.entrypoints.scheduler import start_scheduler, stop_scheduler
from bot.entrypoints.server import SLACK_PATH, Wsgi, board_access, routes
from bot.partners import reachability
from bot.partners.mail import Mailer
from bot.partners.slack import Chat
from bot.usecases.adoption import adopt_on_first_start

log = logging.getLogger("loopbot.run")

DEFAULT_HOST = "127.0.0.1"
WSGI_THREADS = 48  # Bolt holds a server thread until the ack: one per request of a burst
BACKLOG = 1024
CONNECTION_LIMIT = 512
# waitress reads this as whole seconds (0.2 became 0: poll() without pause, a core busy at
# rest); stopping does not wait for it, the trigger wakes the loop
LOOP_TIMEOUT = 1
SAY_WAITING_AFTER = 1.0  # seconds: a start waiting longer on a partner says so


class StartRefused(ConfigError):
    """A partner the bot cannot work without is unreachable or refuses its credentials."""


class ProductionServer:
    """waitress, serving `wsgi` on its own thread until `stop()`."""

    def __init__(self, wsgi: Wsgi, host: str = DEFAULT_HOST, port: int = 0,
                 threads: int = WSGI_THREADS, proxy: ServerSettings | None = None) -> None:
        self._map: dict[int, Any] = {}
        self._server: Any = create_server(
            wsgi, map=self._map, host=host, port=port, threads=threads, backlog=BACKLOG,
            connection_limit=CONNECTION_LIMIT, asyncore_use_poll=True, ident="loopbot",
            asyncore_loop_timeout=LOOP_TIMEOUT,
            **(proxy or ServerSettings()).waitress_options(),
        )
        self._thread: threading.Thread | None = None

    @property
    def loop_timeout(self) -> float:
        """How long the event loop waits for a socket event, as waitress took it."""
        return float(self._server.adj.asyncore_loop_timeout)

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def slack_url(self) -> str:
        return self.url + SLACK_PATH

    @property
    def board_url(self) -> str:
        """The web board's address (README: "The web board")."""
        return self.url + "/"

    def start(self) -> ProductionServer:
        self._thread = threading.Thread(target=self._server.run, name="loop-http",
                                        daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> ProductionServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop accepting, let the requests under way answer, close: `timeout` in all."""
        server, deadline = self._server, time.monotonic() + timeout
        # the listening socket is closed on the server's own loop thread (the trigger runs
        # the function there); the trigger and the open connections stay for now
        server.trigger.pull_trigger(lambda: wasyncore.dispatcher.close(server))
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=timeout / 2)
        while time.monotonic() < deadline and any(
                getattr(channel, "total_outbufs_len", 0) for channel in list(self._map.values())):
            time.sleep(0.02)  # answers written by the last tasks are still being sent
        server.trigger.pull_trigger(lambda: wasyncore.close_all(self._map, ignore_all=True))
        if self._thread is not None:
            self._thread.join(timeout=max(0.1, deadline - time.monotonic()))


def check_partners(settings: Settings) -> list[reachability.Problem]:
    """Ask every partner at once; raise StartRefused for those the bot cannot start
    without, and return the others' problems (to be logged)."""
    with ThreadPoolExecutor(len(reachability.PROBES)) as pool:
        asked = {name: pool.submit(_timed_probe, name, probe, settings)
                 for name, probe in reachability.PROBES.items()}
        problems = {name: future.result() for name, future in asked.items()}
    fatal = [p for name, p in problems.items()
             if p is not None and (name == "slack" or p.refused)]
    if fatal:
        raise StartRefused("\n".join(f"cannot start: {p}" for p in fatal))
    return [p for p in problems.values() if p is not None]


def _timed_probe(name: str, probe: reachability.Probe, settings: Settings
                 ) -> reachability.Problem | None:
    with said_if_slow(f"{reachability.NAMES[name]} at {reachability.address(name, settings)} "
                      f"(up to {reachability.TIMEOUT:g} s)"):
        return probe(settings)


@contextlib.contextmanager
def said_if_slow(what: str, after: float = SAY_WAITING_AFTER) -> Iterator[None]:
    """A wait longer than `after` seconds is said when it begins to be long, and when it
    ends: a start with slow partners is not a silent one (a quick start says nothing)."""
    began = time.monotonic()
    timer = threading.Timer(after, log.info, ("waiting for %s", what))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if (took := time.monotonic() - began) >= after:
            log.info("done waiting for %s: %.1f s", what.split(" (")[0], took)


def run(settings: Settings, *, socket_mode: bool = False, host: str = DEFAULT_HOST,
        port: int = 3000, stop: threading.Event | None = None,
        version_dir: Path | None = None, lease_seconds: float = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS) -> int:
    """Serve until SIGTERM, Ctrl-C or `stop`. Missing secrets raise ConfigError naming the
    environment variables, a schema that is not the newest SchemaNotCurrent naming `loopbot
    db upgrade`, unreachable partners StartRefused, before anything starts. The scheduler
    runs only while this process holds the database lease (bot/entrypoints/leader.py): with two
    replicas on one PostgreSQL, one runs it and the other takes over if it dies."""
    check_start(settings, socket_mode=socket_mode)
    for problem in check_partners(settings):
        log.warning("starting anyway: %s", problem, extra={"partner": problem.partner})
    with said_if_slow(f"Slack's auth.test at {settings.slack.api_url} (the Slack app starts)"):
        app = create_app(settings, socket_mode=socket_mode)
    adopt_on_first_start(app.ctx)  # the releases made before the bot, on its first start
    stop = stop or threading.Event()
    with contextlib.suppress(ValueError):  # only the main thread may set signal handlers
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    started: list[BackgroundScheduler] = []  # the scheduler, while this process leads

    def start_timer() -> BackgroundScheduler:
        started[:] = [start_scheduler(app.ctx, Chat.from_settings(settings),
                                      Mailer.from_settings(settings))]
        return started[0]

    def scheduler_running() -> bool | None:  # None: another replica holds the lease
        return bool(started and started[0].running) if leader.leading else None

    health = Health(app.ctx, version_dir or Path.cwd(), scheduler_running=scheduler_running)
    try:
        server = ProductionServer(routes(app, health, host=host), host, port,
                                  proxy=settings.server)
    except OSError as exc:  # the address is taken, or not this machine's
        app.close()
        raise ConfigError(f"cannot start: cannot listen on {host}:{port} "
                          f"({exc.strerror or type(exc).__name__}); check --host and "
                          "--port") from None
    leader = SchedulerLeader(app.ctx.store, start_timer, partial(stop_scheduler, wait=False),
                             lease_seconds=lease_seconds, renew_seconds=renew_seconds).begin()
    server.start()
    handler: SocketModeHandler | None = None
    try:
        if socket_mode:
            assert settings.secrets.slack_app_token is not None
            handler = SocketModeHandler(app.bolt,
                                        settings.secrets.slack_app_token.get_secret_value())
            handler.connect()
            log.info("connected to Slack in Socket Mode; health at %s/__heartbeat__",
                     server.url)
        else:
            log.info("serving Slack at %s", server.slack_url)
        log.info("the web board is at %s", server.board_url)
        if settings.secrets.web_token is None and not board_access(
                settings, host).open_without_token:
            log.warning("the web board stays shut: it is served beyond localhost or behind "
                        "a proxy, and WEB_TOKEN is not set")
        gc.collect()
        gc.freeze()  # what start-up built lives for good: collections need not walk it again
        print(json.dumps({"url": server.url, "slack": None if socket_mode else
                          server.slack_url, "board": server.board_url,
                          "socket_mode": socket_mode,
                          "process": leader.holder}), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        log.info("stopping: Slack work under way gets %g s", settings.server.stop_grace)
    finally:
        _stop_quickly(server, leader, handler, app, settings.server.stop_grace)
    return 0


def _stop_quickly(server: ProductionServer, leader: SchedulerLeader[BackgroundScheduler],
                  handler: SocketModeHandler | None, app: LoopApp, grace: float) -> None:
    server.stop()
    leader.end()  # the scheduler stops without waiting for a tick; the lease is let go
    if handler is not None:
        socket_mode.close(handler)
    drained = app.drain(grace)
    app.listeners.shutdown(wait=False, cancel_futures=True)
    app.worker.shutdown(wait=False, cancel_futures=True)
    if not drained:  # what is left is cut short: each caller learns it, and what to do
        told = app.runtime.under_way.tell(grace)
        log.warning("stopped with Slack work under way (%d caller(s) told): repeating the "
                    "command finishes it", told)
    log.info("stopped")
