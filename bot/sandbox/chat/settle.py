"""When a bot in another process is done with a line (`loopbot sandbox chat --url`): the
bot answers Slack's request at once and keeps working, and a remote bot has no drain to
ask, so the chat watches what it does to the stand-ins.

A line is done once the bot answered it (something it posts appeared or changed) and
then stayed quiet (no post changed, none of them says "working…" as a step's message does
while it runs, no stand-in heard from it or is still answering it) for SETTLE_SECONDS;
when it posted nothing, for QUIET_SECONDS. Either way for longer than PyGithub's pacing
may keep the bot quiet between two GitHub requests: 0.25 s after any, 1 s after a write
(`loopbot run`'s defaults, bot/partners/github/forge.py). MOST_SECONDS at most.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.slack.records import Posted

SETTLE_SECONDS = 0.5
QUIET_SECONDS = 1.5
AFTER_GITHUB_READ = 0.25 + 0.5  # PyGithub's pacing, and a margin for the bot's own work
AFTER_GITHUB_WRITE = 1.0 + 0.5
WORKING = "working…"  # how a step's channel message ends while it runs (messages/release.py)
MOST_SECONDS = 30.0
POLL_SECONDS = 0.05


def version(message: Posted) -> tuple[str, str, str, int]:
    """A message as it stands: posting or changing it makes a new version."""
    return message.kind, message.channel, message.ts, len(message.edits)


@dataclass(frozen=True)
class Seen:
    """One look at the bot's work: what it posted, and per stand-in (URL, requests
    received, writes among them, being answered)."""

    posted: tuple[Posted, ...] = field(compare=False)
    versions: frozenset[tuple[str, str, str, int]]
    activity: tuple[tuple[str, int, int, int], ...]
    github_url: str = field(default="", compare=False)

    @classmethod
    def of(cls, posted: tuple[Posted, ...], activity: tuple[tuple[str, int, int, int], ...],
           github_url: str) -> Seen:
        return cls(posted, frozenset(version(m) for m in posted), activity, github_url)

    @property
    def busy(self) -> bool:
        return any(busy for *_, busy in self.activity)

    @property
    def github(self) -> tuple[int, int]:
        """GitHub's requests received, and the writes among them."""
        return next(((received, writes) for url, received, writes, _ in self.activity
                     if url == self.github_url), (0, 0))


def wait_for_the_bot(look: Callable[[], Seen], before: Seen, *,
                     clock: Callable[[], float] = time.monotonic,
                     sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait until the bot is done with the line sent after `before` was seen."""
    start = clock()
    last, changed = before, start
    read = write = float("-inf")  # when GitHub last heard a read, a write
    while (now := clock()) < start + MOST_SECONDS:
        seen = look()
        if seen.github != last.github:
            if seen.github[1] != last.github[1]:
                write = now
            else:
                read = now
        answered = [m for m in seen.posted if version(m) not in before.versions]
        if seen != last or seen.busy or any(m.text.endswith(WORKING) for m in answered):
            last, changed = seen, now
        quiet = SETTLE_SECONDS if answered else QUIET_SECONDS
        if (now - changed >= quiet and now - read >= AFTER_GITHUB_READ
                and now - write >= AFTER_GITHUB_WRITE):
            return
        sleep(POLL_SECONDS)
