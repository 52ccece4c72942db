"""The Slack app: `create_app(settings)` builds the Bolt app with every listener wired to
the use cases, and nothing else happens at import time.

Guarantees:
- Request signatures are verified by Bolt's middleware (unsigned, wrongly signed or stale
  requests get 401 and reach no listener); Socket Mode needs no signing secret.
- Only the workspace the bot token belongs to is served (`same_workspace`, from Bolt's
  `auth.test` at build); a request no listener handles is logged in one line.
- The ack path is as short as a bare Bolt app's, or shorter: each listener runs on the
  request's own thread (`process_before_response`: no hop to Bolt's listener pool, no
  10 ms polling for the ack), acks first, and hands everything else, reading the command
  line included, to the app's own executor (`LoopApp.worker`).
- A missing secret is reported by its environment variable's name, never a traceback.
- The Slack Web API base URL is `slack.api_url` (Slack's by default), unless
  `slack_api_url` is given.
- Its Web API client retries Slack's 429 after Retry-After (bot/partners/slack.py).

    app = create_app(settings)                     # or create_app(settings, ctx=..., ...)
    server = serve(app, host="127.0.0.1", port=0)  # bot/entrypoints/server.py; server.url
    ...
    server.stop(); app.close()
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from slack_bolt import App, BoltRequest
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.config.settings import ConfigError, Settings
from bot.entrypoints.preflight import required_secrets
from bot.entrypoints.slack_http import VERIFIED, log_unhandled, same_workspace, socket_mode_shapes
from bot.entrypoints.wiring import APP_WORKERS, build_context
from bot.partners.slack import SlackDirectory, retry_rate_limits
from bot.usecases.concurrency import Worker
from bot.usecases.context import Context
from bot.usecases.identity import Directory
from handlers import actions, commands, home
from handlers.work import Runtime, unexpected

# Bolt reads SLACK_BOT_TOKEN from the environment itself even when it is given a client,
# and then warns that the token is unused: our client is built from that very token.
_TOKEN_UNUSED = warning_client_prioritized_and_token_skipped()


class _QuietTokenWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _TOKEN_UNUSED


_QUIET_TOKEN_WARNING = _QuietTokenWarning()


@dataclass
class LoopApp:
    """The Bolt app and what its listeners share."""

    bolt: App
    runtime: Runtime
    listeners: Worker
    signing_secret: str | None = None  # None: Socket Mode only, HTTP requests get 401

    @property
    def ctx(self) -> Context:
        return self.runtime.ctx

    @property
    def worker(self) -> Worker:
        return self.runtime.worker

    @property
    def client(self) -> WebClient:
        return self.runtime.client

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every request received so far has had its whole effect: its listener
        ran and the work it handed over finished (tests, the sandbox chat)."""
        return self.listeners.drain(timeout) and self.worker.drain(timeout)

    def close(self) -> None:
        self.listeners.shutdown(wait=True)
        self.worker.shutdown(wait=True)
        self.ctx.close()


def create_app(
    settings: Settings,
    *,
    ctx: Context | None = None,
    slack_api_url: str | None = None,
    socket_mode: bool = False,
    workers: int = APP_WORKERS,
    listener_threads: int = 16,
    logger: logging.Logger | None = None,
) -> LoopApp:
    """The Bolt app for `settings` (ctx defaults to bot/entrypoints/wiring.py's build_context)."""
    missing = settings.secrets.missing(*required_secrets(socket_mode))
    if missing:
        raise ConfigError(f"set the environment variable(s) {', '.join(missing)}")
    secrets = settings.secrets
    assert secrets.slack_bot_token is not None
    client = WebClient(token=secrets.slack_bot_token.get_secret_value(),
                       base_url=slack_api_url or settings.slack.api_url, timeout=10)
    retry_rate_limits(client)  # Bolt, the handlers and App Home all answer through it
    signing = secrets.slack_signing_secret.get_secret_value() \
        if secrets.slack_signing_secret else None
    listeners = Worker(listener_threads, "loop-listener")
    bolt_logger = logger or logging.getLogger("loopbot.bolt")
    bolt_logger.addFilter(_QUIET_TOKEN_WARNING)  # the same filter is added once
    bolt = App(client=client, signing_secret=signing or "socket-mode-only",
               request_verification_enabled=not socket_mode or bool(signing),
               listener_executor=listeners, logger=bolt_logger,
               process_before_response=True,
               raise_error_for_unhandled_request=True,  # one log line, not Bolt's advice
               # the name Bolt gives itself (its caller's file) without inspect.stack(),
               # which costs each process 55 ms of CPU finding every frame's module
               name=Path(__file__).name)
    bolt.use(socket_mode_shapes)
    bolt.use(same_workspace)
    context = ctx or build_context(settings, workers=workers)
    directory = Directory(settings.roles_of(None), SlackDirectory(client),
                          services=settings.roles_by_service())
    runtime = Runtime(context, directory, client, Worker(workers))
    _register(bolt, runtime)
    return LoopApp(bolt, runtime, listeners, signing)


def _register(bolt: App, runtime: Runtime) -> None:
    commands.register(bolt, runtime)
    actions.register(bolt, runtime, on_home_change=home.publish_home)
    home.register(bolt, runtime)

    @bolt.error
    def on_error(error: Exception, request: BoltRequest) -> None:
        if isinstance(error, BoltUnhandledRequestError):  # answered 404 by Bolt
            log_unhandled(request)
            return
        # Only a request Slack is known to have sent may be answered: an unverified one's
        # response_url is whatever a stranger wrote there.
        verified = request.mode == "socket_mode" or request.context.get(VERIFIED) is True
        body = request.body if isinstance(request.body, dict) else {}
        text = str(body.get("command", "")) + " " + str(body.get("text", ""))[:200]
        respond = request.context.respond if verified else None
        unexpected(error, text.strip() or "your request", respond)
