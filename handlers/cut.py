"""The requests under way, so that a stop can tell each person whose request it cuts short.

Guarantees: every request handed to `Runtime.submit` is registered until its work ends
(held, queued or running); `tell(seconds)` answers each one still registered, to its
caller alone, whether anything was begun (the request was claimed) and whether repeating
it is safe (it always is: steps are recorded before and after each side effect, and a
repeated tag or step finishes in the message it began: bot/usecases/step_messages.py).
Requests nobody typed (App Home's refreshes) are not told.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.messages.reply import cut_short
from bot.usecases.ports import PartnerError
from handlers.reply import Reply

log = logging.getLogger("loopbot.slack")


@dataclass(eq=False)
class UnderWay:
    text: str  # the command line, as the caller typed it
    told: bool  # a person asked (App Home's refreshes did not)
    make_reply: Callable[[], Reply]  # an answer to the caller, before its work began
    started: bool = False  # claimed: its work may have begun
    reply: Reply | None = None  # where its answers go, once its work began


class UnderWayRequests:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: set[UnderWay] = set()

    def add(self, text: str, told: bool, make_reply: Callable[[], Reply]) -> UnderWay:
        entry = UnderWay(text, told, make_reply)
        with self._lock:
            self._entries.add(entry)
        return entry

    def done(self, entry: UnderWay) -> None:
        with self._lock:
            self._entries.discard(entry)

    def tell(self, seconds: float) -> int:
        """Tell each cut request's caller, for `seconds` at most; returns how many were
        told."""
        with self._lock:
            cut = [entry for entry in self._entries if entry.told]
        deadline, told = time.monotonic() + seconds, 0
        for entry in cut:
            if time.monotonic() >= deadline:
                log.warning("stopping: %d cut request(s) not told", len(cut) - told)
                break
            try:
                (entry.reply or entry.make_reply()).ephemeral(cut_short(entry.text, entry.started))
                told += 1
            except (SlackApiError, SlackClientError, OSError, PartnerError) as exc:
                log.warning("stopping: could not tell about %r (%s)", entry.text,
                            type(exc).__name__)
        return told
