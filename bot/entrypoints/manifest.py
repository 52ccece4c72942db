"""The Slack app manifest (YAML) for loopbot, over HTTP or Socket Mode.

Guarantees: the scopes are exactly those the bot uses (commands: /loop; chat:write: its
channel messages, updates and ephemeral answers; chat:write.public: posting to the loop
channel without being invited; users:read: users.info for names; usergroups:read:
usergroups.users.list for roles), the `/loop` command, interactivity (buttons) and the
`app_home_opened` event with the Home tab. Over HTTP every URL is the server's
`/slack/events`; Socket Mode has no URLs. `check_request_url` refuses a request URL Slack
would not accept or that `loopbot run` does not serve (not https, no host, not ending in
`/slack/events`), saying why.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.domain.errors import Refusal
from handlers.grammar import parser as grammar

BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "usergroups:read")
BOT_EVENTS = ("app_home_opened",)
EVENTS_PATH = "/slack/events"
EXAMPLE_URL = "https://loopbot.example.com/slack/events"


def check_request_url(url: str) -> str:
    """The URL Slack is to send requests to, or a Refusal saying what is wrong with it."""
    parts = urlsplit(url.strip())
    hint = f"e.g. --url {EXAMPLE_URL} (the public address of `loopbot run`)"
    if parts.scheme != "https":
        raise Refusal(f"--url {url}: Slack sends requests only to https:// URLs", hint=hint)
    if not parts.hostname:
        raise Refusal(f"--url {url}: no host name", hint=hint)
    if not parts.path.endswith(EVENTS_PATH) or parts.query or parts.fragment:
        raise Refusal(f"--url {url}: `loopbot run` answers Slack at {EVENTS_PATH}, so the "
                      f"URL must end with {EVENTS_PATH}", hint=hint)
    return url.strip()


def manifest(*, socket_mode: bool = False, request_url: str = "https://loopbot.example.com"
             "/slack/events", name: str = "loopbot") -> dict[str, Any]:
    command: dict[str, Any] = {
        "command": grammar.COMMAND,
        "description": "Run the release process: tag, stage, prod",
        "usage_hint": "help | tag | verify stage 0.13.1 | status",
        "should_escape": False,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if not socket_mode:
        command["url"] = request_url
        interactivity["request_url"] = request_url
        events["request_url"] = request_url
    return {
        "display_information": {
            "name": name,
            "description": "Runs the service's release process from Slack",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": False},
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(**options: Any) -> str:
    return yaml.safe_dump(manifest(**options), sort_keys=False)
