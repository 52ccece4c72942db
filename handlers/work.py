"""The work after the ack: where every Slack request's slow part runs and answers.

Guarantees:
- Listeners ack at once and hand their work to `Runtime.submit`, which runs it on the
  app's own executor (never Bolt's listener threads), so an ack never waits for GitHub,
  Bugzilla, an environment or the database. The work of a burst of requests is held
  until the burst is acknowledged (no request open for 50 ms, 1 s at most), and held
  without waking a thread per request (`Worker.submit_gated`).
- A request is worked on once: its Slack identity (trigger_id, or event_id) is claimed in
  the database first, so Slack's retries (`x-slack-retry-num`) never repeat a side effect.
- Answers go to one place per kind (handlers/reply.py): `Reply.ephemeral` to the caller
  alone; `Reply.progress` / `Reply.post` build ONE channel message per state change.
- Refusals, partner failures and unexpected errors are translated here and only here:
  a refusal says why and what to do, a partner failure names the partner and whether
  anything changed, an unreachable database says so in one log line (at the claim:
  nothing was done), anything else is logged with its traceback under a short reference
  that is all the user sees. No secret reaches a message or a log line.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.actions import Actor
from bot.domain.errors import Refusal
from bot.logs import log_context
from bot.messages import Rendered
from bot.messages.reply import broke, database_down, partner_failure, refusal
from bot.store import Unreachable
from bot.usecases.concurrency import KeyedLocks, Worker
from bot.usecases.context import Context
from bot.usecases.identity import Directory
from bot.usecases.ports import PartnerError
from handlers.cut import UnderWay, UnderWayRequests
from handlers.reply import Reply

log = logging.getLogger("loopbot.slack")


class Traffic:
    """Slack requests received and not answered yet (bot/entrypoints/server.py counts them), so that
    the work a burst hands over waits until the burst is acknowledged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._last = time.monotonic()

    def begin(self) -> None:
        with self._lock:
            self._open += 1
            self._last = time.monotonic()

    def end(self) -> None:
        with self._lock:
            self._open -= 1
            self._last = time.monotonic()

    def wait_quiet(self, quiet: float, limit: float) -> None:
        """Until no request has been open for `quiet` seconds, `limit` at most (only the
        worker's gatekeeper waits here, so polling wakes nobody else)."""
        deadline = time.monotonic() + limit
        while (now := time.monotonic()) < deadline:
            with self._lock:
                open_now, last = self._open, self._last
            if open_now == 0 and now - last >= quiet:
                return
            time.sleep(min(quiet, deadline - now))


@dataclass(frozen=True)
class SlackRequest:
    """Who asked what, from where, as Slack said it."""

    user: str
    text: str  # the command line, or a button's label: shown in error messages
    key: str | None  # trigger_id / event_id: claimed once
    respond: Respond | None = None
    retry: int = 0
    channel: str | None = None  # where state changes are posted (a service's own channel)
    told: bool = True  # a failure is told to the user; App Home's own refreshes only log it


@dataclass
class Job:
    """What a handler's work gets: the use cases' context, the caller, the reply."""

    ctx: Context
    directory: Directory
    request: SlackRequest
    reply: Reply
    locks: KeyedLocks

    @cached_property
    def actor(self) -> Actor:
        actor = self.directory.actor(self.request.user)
        self.reply.actor = actor
        return actor

    @property
    def request_id(self) -> str | None:
        return self.request.key


Work = Callable[[Job], None]


@dataclass
class Runtime:
    """What the handlers share: the use cases' context, the directory, the executor."""

    ctx: Context
    directory: Directory
    client: WebClient
    worker: Worker
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    traffic: Traffic = field(default_factory=Traffic)  # acks first: work waits for them
    quiet: float = 0.05  # work starts once no request was open for this long...
    ack_first: float = 1.0  # ...or after this long at most
    after_change: list[Callable[[], None]] = field(default_factory=list)  # e.g. App Home
    under_way: UnderWayRequests = field(default_factory=UnderWayRequests)  # told at a stop

    def __post_init__(self) -> None:
        self.worker.gate = self._acks_sent

    def _acks_sent(self) -> None:
        self.traffic.wait_quiet(self.quiet, self.ack_first)

    @property
    def channel(self) -> str:
        return self.ctx.settings.slack.channel

    def submit(self, request: SlackRequest, work: Work) -> None:
        entry = self.under_way.add(request.text, request.told, lambda: self.reply_to(request))
        try:
            self.worker.submit_gated(self._run, request, work, entry)
        except RuntimeError:
            self.under_way.done(entry)
            raise

    def _run(self, request: SlackRequest, work: Work, entry: UnderWay) -> None:
        try:
            with log_context(rid=request.key, uid=request.user):  # on each of its log lines
                self._work(request, work, entry)
        finally:
            self.under_way.done(entry)

    def reply_to(self, request: SlackRequest) -> Reply:
        return Reply(self.client, request.channel or self.channel, request.user,
                     request.respond, title=request.text)

    def _work(self, request: SlackRequest, work: Work, entry: UnderWay) -> None:
        reply = entry.reply = self.reply_to(request)
        job = Job(self.ctx, self.directory, request, reply, self.locks)
        started = False
        try:
            if request.key and not self.ctx.store.claim(f"slack:{request.key}", request.user):
                log.info("already handled %s (retry %d): ignored", request.key, request.retry)
                return
            started = entry.started = True
            work(job)
            if reply.posted:
                for refresh in self.after_change:
                    refresh()
        except Refusal as exc:
            self._answer(reply, refusal(exc, request.user), request.told)
        except Unreachable as exc:  # one line: the cause is known, a traceback adds nothing
            log.warning("database unreachable during %r: %s", request.text, exc)
            self._answer(reply, database_down(request.text, started, done=bool(reply.steps)),
                         request.told)
        except PartnerError as exc:
            log.warning("partner failure during %r: %s", request.text, exc,
                        extra={"partner": exc.partner})
            self._answer(reply, partner_failure(exc, changed=bool(reply.steps)), request.told)
        except Exception:
            reference = f"E-{secrets.token_hex(3)}"
            log.exception("unexpected error [%s] during %r from %s", reference, request.text,
                          request.user)
            self._answer(reply, broke(reference, request.text), request.told)

    def _answer(self, reply: Reply, rendered: Rendered, told: bool = True) -> None:
        if not told:  # nobody typed anything: a notice in the channel would come from nowhere
            log.info("not told to %s: %s", reply.user, rendered.text.splitlines()[0][:200])
            return
        try:
            reply.fail(rendered)
        except (SlackApiError, SlackClientError, OSError, PartnerError) as exc:
            log.warning("could not tell %s: %s", reply.user, type(exc).__name__)


def unexpected(error: Exception, request_text: str, respond: Respond | None) -> None:
    """Bolt's global error handler: an error inside a listener itself."""
    reference = f"E-{secrets.token_hex(3)}"
    log.error("unexpected error [%s] in a listener during %r", reference, request_text,
              exc_info=error)
    if respond is not None:
        try:
            respond(response_type="ephemeral", **broke(reference, request_text).as_kwargs())
        except (SlackApiError, SlackClientError, OSError):
            log.error("could not report [%s] to the user", reference)
