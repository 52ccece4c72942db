"""The Slack app manifest (YAML) for loopbot, over HTTP or Socket Mode.

Guarantees: the scopes are exactly those the bot uses (commands: /loop; chat:write: its
channel messages, updates and ephemeral answers; chat:write.public: posting to the loop
channel without being invited; users:read: users.info for names; usergroups:read:
usergroups.users.list for roles), the `/loop` command, interactivity (buttons) and the
`app_home_opened` event with the Home tab. Over HTTP every URL is the server's
`/slack/events`; Socket Mode has no URLs.
"""

from __future__ import annotations

from typing import Any

import yaml

from handlers import grammar

BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "usergroups:read")
BOT_EVENTS = ("app_home_opened",)


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
