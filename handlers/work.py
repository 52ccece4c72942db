"""The work after the ack: where every Slack request's slow part runs and answers.

Guarantees:
- Listeners ack at once and hand their work to `Runtime.submit`, which runs it on the
  app's own executor (never Bolt's listener threads), so an ack never waits for GitHub,
  Bugzilla, an environment or the database.
- A request is worked on once: its Slack identity (trigger_id, or event_id) is claimed in
  the database first, so Slack's retries (`x-slack-retry-num`) never repeat a side effect.
- Answers go to one place per kind (handlers/reply.py): `Reply.ephemeral` to the caller
  alone; `Reply.progress` / `Reply.post` build ONE channel message per state change.
- Refusals, partner failures and unexpected errors are translated here and only here:
  a refusal says why and what to do, a partner failure names the partner and whether
  anything changed, anything else is logged with its traceback under a short reference
  that is all the user sees. No secret reaches a message or a log line.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.actions import Actor
from bot.domain.errors import Refusal
from bot.logs import log_context
from bot.messages import Rendered
from bot.messages.replies import broke, partner_failure, refusal
from bot.ports import PartnerError
from bot.usecases.context import Context
from bot.usecases.identity import Directory
from handlers.reply import Reply

log = logging.getLogger("loopbot.slack")


class KeyedLocks:
    """One lock per key (a release): steps on the same release run one after the other in
    this process, so a double click meets the state the first click left."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def __call__(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


class Worker(ThreadPoolExecutor):
    """An executor that can say when everything submitted to it has finished. The app's
    own work runs on one; Bolt's listeners run on another (so a test or the sandbox chat
    can wait for a request's whole effect: `LoopApp.drain`)."""

    def __init__(self, max_workers: int = 16, name: str = "loop-work") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._idle = threading.Condition()
        self._pending = 0
        self._last = time.monotonic()  # last submit or finish

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
            self._last = time.monotonic()
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: Future[Any] | None) -> None:
        with self._idle:
            self._pending -= 1
            self._last = time.monotonic()
            self._idle.notify_all()

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until no job is pending; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)


class Traffic:
    """Slack requests received and not answered yet (bot/server.py counts them). The work a
    command hands over waits for a quiet moment, so a burst is acknowledged before its work
    competes with the acks for the interpreter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._last = time.monotonic()
        self._poller = threading.Lock()  # one waiting thread polls; the others sleep on it

    def begin(self) -> None:
        with self._lock:
            self._open += 1
            self._last = time.monotonic()

    def end(self) -> None:
        with self._lock:
            self._open -= 1
            self._last = time.monotonic()

    def wait_quiet(self, quiet: float, limit: float) -> None:
        """Until no request has been open for `quiet` seconds, `limit` at most. One thread
        polls (being woken by every answered request would itself compete with the
        answers); the others wait for it on a lock, which wakes nobody until it is free."""
        deadline = time.monotonic() + limit
        if not self._poller.acquire(timeout=limit):
            return
        try:
            while (now := time.monotonic()) < deadline:
                with self._lock:
                    open_now, last = self._open, self._last
                if open_now == 0 and now - last >= quiet:
                    return
                time.sleep(min(quiet, deadline - now))
        finally:
            self._poller.release()


@dataclass(frozen=True)
class SlackRequest:
    """Who asked what, from where, as Slack said it."""

    user: str
    text: str  # the command line, or a button's label: shown in error messages
    key: str | None  # trigger_id / event_id: claimed once
    respond: Respond | None = None
    retry: int = 0
    channel: str | None = None  # where state changes are posted (a service's own channel)


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

    @property
    def channel(self) -> str:
        return self.ctx.settings.slack.channel

    def submit(self, request: SlackRequest, work: Work) -> None:
        self.worker.submit(self._run, request, work)

    def _run(self, request: SlackRequest, work: Work) -> None:
        with log_context(rid=request.key, uid=request.user):  # on each of its log lines
            self._work(request, work)

    def _work(self, request: SlackRequest, work: Work) -> None:
        self.traffic.wait_quiet(self.quiet, self.ack_first)
        reply = Reply(self.client, request.channel or self.channel, request.user,
                      request.respond, title=request.text)
        job = Job(self.ctx, self.directory, request, reply, self.locks)
        try:
            if request.key and not self.ctx.store.claim(f"slack:{request.key}", request.user):
                log.info("already handled %s (retry %d): ignored", request.key, request.retry)
                return
            work(job)
            if reply.posted:
                for refresh in self.after_change:
                    refresh()
        except Refusal as exc:
            self._answer(reply, refusal(exc, request.user))
        except PartnerError as exc:
            log.warning("partner failure during %r: %s", request.text, exc,
                        extra={"partner": exc.partner})
            self._answer(reply, partner_failure(exc, changed=bool(reply.steps)))
        except Exception:
            reference = f"E-{secrets.token_hex(3)}"
            log.exception("unexpected error [%s] during %r from %s", reference, request.text,
                          request.user)
            self._answer(reply, broke(reference, request.text))

    def _answer(self, reply: Reply, rendered: Rendered) -> None:
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
