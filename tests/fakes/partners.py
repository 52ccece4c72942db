"""Fakes of the smaller ports: environments, the chat, Slack's directory, mail. Each keeps
what it was given in plain lists and dicts for the test to read."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.facts import EnvironmentState
from bot.usecases.ports import Attachment, PartnerError, PostedMessage


@dataclass
class FakeEnvironments:
    """What each root URL says; an unknown one is unreachable (as a URL nobody serves)."""

    states: dict[str, EnvironmentState] = field(default_factory=dict)  # by url
    threads: list[str] = field(default_factory=list)  # which thread read each

    def deploy(self, name: str, url: str, version: str | None, rev: str | None = None,
               branch: str | None = None, *, fake_partner: bool | None = None) -> None:
        self.states[url] = EnvironmentState(name, url, True, version, rev, branch,
                                            fake_partner, healthy=True)

    def read(self, name: str, url: str, *, heartbeat: bool = True) -> EnvironmentState:
        self.threads.append(threading.current_thread().name)
        state = self.states.get(url)
        if state is None:
            return EnvironmentState(name, url, False, error="cannot reach it (refused)")
        return EnvironmentState(name, url, state.reachable, state.version, state.rev,
                                state.branch, state.fake_partner,
                                state.healthy if heartbeat else None, state.error)


@dataclass
class FakeChat:
    """The team's channel: posts and their edits, by channel id."""

    channel: str = "C0LOOP0001"
    channels: dict[str, str] = field(default_factory=lambda: {  # name or id -> id
        "#loop": "C0LOOP0001", "C0LOOP0001": "C0LOOP0001",
        "#loop-client": "C0LOOPCL01", "C0LOOPCL01": "C0LOOPCL01"})
    posted: list[dict[str, Any]] = field(default_factory=list)
    failing: str | None = None  # Slack's error code to answer with
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    def post(self, text: str, blocks: list[dict[str, Any]] | None = None, *,
             channel: str | None = None) -> PostedMessage:
        self._fail("chat.postMessage")
        where = self.channels.get(channel or self.channel)
        if where is None:
            raise PartnerError("Slack", "chat.postMessage failed: channel_not_found")
        message = PostedMessage(where, f"1700000000.{next(self._ts):06d}")
        self.posted.append({"channel": message.channel, "ts": message.ts, "text": text,
                            "blocks": blocks})
        return message

    def update(self, message: PostedMessage, text: str,
               blocks: list[dict[str, Any]] | None = None) -> None:
        self._fail("chat.update")
        for post in self.posted:
            if (post["channel"], post["ts"]) == (message.channel, message.ts):
                post.update(text=text, blocks=blocks)
                return
        raise PartnerError("Slack", "chat.update failed: message_not_found")

    def _fail(self, method: str) -> None:
        if self.failing:
            raise PartnerError("Slack", f"{method} failed: {self.failing}")


@dataclass
class FakeDirectory:
    """Slack's users (id -> display name) and user groups (id -> members)."""

    names: dict[str, str] = field(default_factory=dict)
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    down: bool = False

    def group_members(self, group_id: str) -> frozenset[str]:
        self.asked.append(group_id)
        if self.down or group_id not in self.groups:
            raise PartnerError("Slack", "usergroups.users.list failed: "
                               + ("Slack unreachable (ConnectionError)" if self.down
                                  else "no_such_subteam"))
        return self.groups[group_id]

    def display_name(self, user_id: str) -> str:
        self.asked.append(user_id)
        if self.down or user_id not in self.names:
            raise PartnerError("Slack", "users.info failed: "
                               + ("Slack unreachable (ConnectionError)" if self.down
                                  else "user_not_found"))
        return self.names[user_id]


@dataclass(frozen=True)
class Mailed:
    subject: str
    body: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    attachments: tuple[Attachment, ...]


@dataclass
class FakeMail:
    to: str = "dev-loop@example.com"
    sent: list[Mailed] = field(default_factory=list)
    down: bool = False

    def send(self, subject: str, body: str, *, to: Sequence[str] = (),
             attachments: Sequence[Attachment] = (), copy_list: bool = True) -> None:
        if self.down:
            raise PartnerError("SMTP", "smtp.example:25: cannot connect (ConnectionRefusedError)")
        cc = (self.to,) if to and copy_list else ()
        self.sent.append(Mailed(subject, body, tuple(to) or (self.to,), cc, tuple(attachments)))
