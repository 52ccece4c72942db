"""One run of the scheduler's duties at one instant, and how an occurrence is acted on.

Guarantees:
- `Tick.post_once(key, build)` claims `key` in the database first (store.claim): exactly
  one caller, across threads, restarts and bot processes, ever gets past the claim, and
  only that caller builds and posts the message. A failed post is logged and recorded,
  never retried: an occurrence is posted at most once.
- `Tick.skip_once(key, why)` claims the key for an occurrence that is no longer useful,
  logs why once, and records it; the occurrence is then never posted.
- Everything the scheduler does is recorded in the audit log with the actor "scheduler"
  and the occurrence key as its request id, at the tick's instant.
- Nothing here reads the clock: `now` is passed in (the instant being run).
- What several duties read is read once per tick (`Tick.once`): the environments (the
  watch, dev's lag and the monitoring see the same reading) and the records in
  bot/jobs/reads.py (one unit of work). Claims are never shared: each asks the store.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar, cast

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.calendar import Calendar
from bot.domain.facts import EnvironmentState
from bot.domain.release import Release, State
from bot.markup import plain
from bot.messages.announcements import Rendered, late_note
from bot.messages.blocks import role_mentions
from bot.usecases.context import Context
from bot.usecases.ports import Chat, Mail, PartnerError

log = logging.getLogger("loopbot.scheduler")

ACTOR = "scheduler"
OWNER = f"{ACTOR}@{socket.gethostname()}:{os.getpid()}"
LATE_AFTER = dt.timedelta(minutes=15)  # later than this, a message says it is late
T = TypeVar("T")
Build = Callable[[], tuple[Rendered, AuditEntry]]


@dataclass(frozen=True)
class Tick:
    ctx: Context
    chat: Chat
    mailer: Mail | None
    now: dt.datetime  # aware
    calendar: Calendar
    owner: str = OWNER
    # what the tick's duties read once and share (read at first use: `once`)
    memo: dict[object, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tz(self) -> dt.tzinfo:
        return self.calendar.tz

    def at(self, day: dt.date, time: dt.time | None = None) -> dt.datetime:
        """The team's wall-clock `time` on `day` (the announcement hour by default)."""
        return self.calendar.at(day, self.calendar.announce_at if time is None else time)

    def today(self) -> dt.date:
        return self.calendar.local_day(self.now)

    def late(self, due: dt.datetime) -> str | None:
        """The late note for an occurrence due at `due`, or None when on time."""
        return late_note(due, self.now, self.tz) if self.now - due > LATE_AFTER else None

    def mention(self, *roles: str, service: str | None = None) -> str:
        """The people of `roles` for `service`, as Slack mentions ("" if none)."""
        return role_mentions(self.ctx.settings, *roles, service=service)

    def mention_in(self, service: str) -> Callable[..., str]:
        """`mention` for one service: what the announcements' renderers are given."""
        return partial(self.mention, service=service)

    def once(self, key: object, read: Callable[[], T]) -> T:
        """`read()`, the first time `key` is asked for in this tick; its answer after."""
        if key not in self.memo:
            self.memo[key] = read()
        return cast(T, self.memo[key])

    def environments(self, service: ServiceSettings) -> list[EnvironmentState]:
        """Every environment of `service`, read live once per tick (all at once)."""
        return self.once(("environments", service.name),
                         lambda: self.ctx.read_environments(service))

    def environment(self, service: ServiceSettings, env: str) -> EnvironmentState:
        """`env` as this tick read it already, else read live now."""
        read = cast(list[EnvironmentState], self.memo.get(("environments", service.name), []))
        found = next((s for s in read if s.name == env), None)
        return found if found is not None else self.ctx.read_environment(service, env)

    def claim(self, key: str) -> bool:
        return self.ctx.store.claim(key, self.owner)

    def post_once(self, key: str, build: Build) -> bool:
        """Claim `key`; if won, build the message and `deliver` it. True if won."""
        if not self.claim(key):
            return False
        self.deliver(key, *build())
        return True

    def deliver(self, key: str, rendered: Rendered, entry: AuditEntry) -> None:
        """Post (and email, when the message has a subject and a mailer is set), then
        record; for an occurrence already claimed by this caller."""
        notes = [entry.detail] if entry.detail else []
        settings = self.ctx.settings
        try:
            self.chat.post(rendered.text, rendered.blocks,
                           channel=settings.channel_of(entry.service))
        except PartnerError as exc:
            log.error("could not post %s: %s", key, exc)
            notes.append(f"not posted: {exc}")
        if rendered.subject and self.mailer is not None:
            notes.append(self._email(key, rendered.subject, plain(rendered.text),
                                     settings.mailing_list_of(entry.service)))
        self.record(replace(entry, detail="; ".join(notes)), key)

    def skip_once(self, key: str, why: str, entry: AuditEntry) -> None:
        if self.ctx.store.claim(key, f"{self.owner} (skipped)"):
            log.warning("skipped %s: %s", key, why)
            self.record(replace(entry, detail=f"skipped: {why}"), key)

    def record(self, entry: AuditEntry, key: str) -> None:
        with self.ctx.store.unit_of_work() as uow:
            uow.audit.add(replace(entry, actor=ACTOR, at=self.now, request_id=key))
            uow.commit()

    def _email(self, key: str, subject: str, body: str, to: str | None) -> str:
        """To the service's own list (only) when it has one, else to the bot's list."""
        assert self.mailer is not None
        own = [to] if to and to != self.mailer.to else []
        try:
            self.mailer.send(subject, body, to=own, copy_list=False)
        except PartnerError as exc:
            log.error("could not email %s: %s", key, exc)
            return f"not emailed: {exc}"
        return f"emailed to {own[0] if own else self.mailer.to}"


def entry(action: str, service: str, version: str | None = None, detail: str = "") -> AuditEntry:
    """An audit entry of the scheduler (time and request id are set when recorded)."""
    return AuditEntry(actor=ACTOR, action=action, service=service, version=version,
                      detail=detail)


def entered_at(entries: Sequence[AuditEntry], release: Release, state: State) -> dt.datetime:
    """When the release last entered `state`, from its audit log (else its last update)."""
    times = [e.at for e in entries if e.to_state == state.value and e.at is not None]
    if times:
        return times[-1]
    moment = release.updated_at or release.created_at
    assert moment is not None, "a stored release has its times"
    return moment
