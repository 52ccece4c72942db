"""The Slack stand-in's workspace: who and what exists (users, channels, user groups).

`Workspace.default()` matches app.yaml's roles: U0DEV0001 `dev`, U0OPS0001 `ops`,
U0QA00001 `qa`, U0LEAD001 `lead`, loop-client's own U0CLDEV01 `client-dev` and U0CLQA001
`client-qa`, the bot U0BOT0001 `loopbot`, the channel #loop
(C0LOOP0001) and one user group per role. `resolve_channel` accepts what Slack accepts
for `channel`: an ID, `#name`, `name`, or a user ID (the bot's DM with that user).
Lookups only: thread safety is the stand-in's lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    real_name: str = ""
    tz: str = "Europe/Paris"
    is_bot: bool = False

    def as_json(self, team_id: str) -> dict[str, Any]:
        real = self.real_name or self.name
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": False,
            "real_name": real,
            "tz": self.tz,
            "is_bot": self.is_bot,
            "is_admin": False,
            "profile": {
                "real_name": real,
                "display_name": self.name,
                "email": None if self.is_bot else f"{self.name}@loop-sandbox.example",
            },
        }


@dataclass(frozen=True)
class SlackChannel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private,
            "is_archived": False,
            "is_member": True,
            "created": 1417046400,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass(frozen=True)
class UserGroup:
    id: str
    handle: str
    users: tuple[str, ...]


@dataclass
class Workspace:
    team_id: str = "T0LOOP0001"
    team: str = "Loop Sandbox"
    domain: str = "loop-sandbox"
    bot: SlackUser = SlackUser("U0BOT0001", "loopbot", "Loop Bot", is_bot=True)
    bot_id: str = "B0BOT0001"
    app_id: str = "A0LOOP001"
    users: dict[str, SlackUser] = field(default_factory=dict)
    channels: dict[str, SlackChannel] = field(default_factory=dict)
    usergroups: dict[str, UserGroup] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Workspace:
        workspace = cls()
        for user_id, name, real in (
            ("U0DEV0001", "dev", "Dana Developer"),
            ("U0OPS0001", "ops", "Omar Operations"),
            ("U0QA00001", "qa", "Quinn Quality"),
            ("U0LEAD001", "lead", "Lee Lead"),
            ("U0CLDEV01", "client-dev", "Cleo Client"),
            ("U0CLQA001", "client-qa", "Quentin Checks"),
        ):
            workspace.add_user(SlackUser(user_id, name, real))
        workspace.add_channel(SlackChannel("C0LOOP0001", "loop"))
        workspace.add_channel(SlackChannel("C0GENERAL1", "general"))
        workspace.add_channel(SlackChannel("C0LOOPCL01", "loop-client"))
        workspace.add_usergroup(UserGroup("S0DEVS0001", "loop-dev", ("U0DEV0001", "U0LEAD001")))
        workspace.add_usergroup(UserGroup("S0OPS0001", "loop-ops", ("U0OPS0001", "U0LEAD001")))
        workspace.add_usergroup(UserGroup("S0QA00001", "loop-qa", ("U0QA00001", "U0LEAD001")))
        return workspace

    def add_user(self, user: SlackUser) -> None:
        self.users[user.id] = user

    def add_channel(self, channel: SlackChannel) -> None:
        self.channels[channel.id] = channel

    def add_usergroup(self, group: UserGroup) -> None:
        self.usergroups[group.id] = group

    def user(self, user_id: str | None) -> SlackUser | None:
        if user_id == self.bot.id:
            return self.bot
        return self.users.get(user_id or "")

    def resolve_channel(self, ref: str | None) -> SlackChannel | None:
        """The channel `ref` names (ID, #name, name, or a user ID for a DM), or None."""
        if not ref:
            return None
        if ref in self.channels:
            return self.channels[ref]
        name = ref.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        user = self.users.get(ref)
        if user is not None:
            return SlackChannel("D" + user.id[1:], user.id, is_im=True)
        if ref.startswith("D") and ("U" + ref[1:]) in self.users:
            return SlackChannel(ref, "U" + ref[1:], is_im=True)
        return None

    def auth_test(self, url: str) -> dict[str, Any]:
        return {
            "ok": True,
            "url": url,
            "team": self.team,
            "user": self.bot.name,
            "team_id": self.team_id,
            "user_id": self.bot.id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }
