"""What Slack sends to a bot, sent for real: signed slash commands and button clicks as
HTTP requests to the bot's request URL.

Used by the end-to-end tests, the sandbox chat and the benchmarks, so the bot is reached
exactly as Slack reaches it: form-encoded bodies, `X-Slack-Signature` (v0 HMAC-SHA256 of
`v0:TIMESTAMP:BODY`) and `X-Slack-Request-Timestamp`, and Slack's retry headers when
asked. A `response_url` on the Slack stand-in is handed out with every request, as
Slack does.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Protocol
from urllib.parse import urlencode

import requests
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack.workspace import Workspace


class SlackSide(Protocol):
    """What signing a request needs of Slack: the stand-in here, or a remote sandbox's."""

    workspace: Workspace

    def new_response_url(self, channel: str = ..., user: str = ...,
                         message_ts: str | None = ...) -> str: ...

TEAM_ID = "T0LOOP0001"
APP_ID = "A0LOOPBOT1"


class SlackRequests:
    def __init__(
        self, request_url: str, signing_secret: str, slack: SlackSide,
        *, channel: str = "#loop", timeout: float = 10.0,
    ) -> None:
        self.request_url = request_url
        self.slack = slack
        self.channel = channel
        self.timeout = timeout
        self._verifier = SignatureVerifier(signing_secret)
        self._session = requests.Session()

    def headers(self, body: str, *, timestamp: int | None = None,
                retry_num: int | None = None) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = self._verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None  # None only without a timestamp or a body
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return headers

    def post(self, body: str, **header_options: Any) -> requests.Response:
        return self._session.post(self.request_url, data=body.encode("utf-8"),
                                  headers=self.headers(body, **header_options),
                                  timeout=self.timeout)

    def command(self, user_id: str, text: str, *, command: str = "/loop",
                trigger_id: str | None = None, channel: str | None = None,
                **header_options: Any) -> requests.Response:
        """`/loop TEXT` typed by `user_id` in the channel (or in `channel`)."""
        return self.post(self.command_body(user_id, text, command=command,
                                           trigger_id=trigger_id, channel=channel),
                         **header_options)

    def command_body(self, user_id: str, text: str, *, command: str = "/loop",
                     trigger_id: str | None = None, channel: str | None = None) -> str:
        where = channel or self.channel
        found = self.slack.workspace.resolve_channel(where)
        assert found is not None, f"unknown channel {where}"
        channel_record = found
        user = self.slack.workspace.users.get(user_id)
        return urlencode({
            "token": "deprecated-verification-token",
            "team_id": TEAM_ID, "team_domain": "loop",
            "channel_id": channel_record.id, "channel_name": channel_record.name,
            "user_id": user_id, "user_name": user.name if user else user_id,
            "command": command, "text": text, "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.slack.new_response_url(channel_record.id, user_id),
            "trigger_id": trigger_id or f"{int(time.time())}.{secrets.token_hex(8)}",
        })

    def home_opened(self, user_id: str, **header_options: Any) -> requests.Response:
        """`user_id` opens the bot's Home tab (the `app_home_opened` event)."""
        now = time.time()
        event = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": APP_ID,
                 "event_id": f"Ev{secrets.token_hex(5).upper()}", "event_time": int(now),
                 "event": {"type": "app_home_opened", "user": user_id, "channel": "D0HOME0001",
                           "tab": "home", "event_ts": f"{now:.6f}"}}
        body = json.dumps(event)
        return self._session.post(self.request_url, data=body.encode("utf-8"),
                                  headers={**self.headers(body, **header_options),
                                           "Content-Type": "application/json"},
                                  timeout=self.timeout)

    def click(self, user_id: str, message: Any, action: dict[str, Any],
              **header_options: Any) -> requests.Response:
        """`user_id` presses `action` (a button element of `message.blocks`)."""
        return self.post(self.click_body(user_id, message, action), **header_options)

    def click_body(self, user_id: str, message: Any, action: dict[str, Any]) -> str:
        user = self.slack.workspace.users.get(user_id)
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "loop"},
            "user": {"id": user_id, "username": user.name if user else user_id,
                     "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "container": {"type": "message", "message_ts": message.ts,
                          "channel_id": message.channel,
                          "is_ephemeral": message.kind == "ephemeral"},
            "trigger_id": f"{int(time.time())}.{secrets.token_hex(8)}",
            "channel": {"id": message.channel},
            "message": {"ts": message.ts, "text": message.text, "blocks": message.blocks},
            "response_url": self.slack.new_response_url(message.channel, user_id, message.ts),
            "actions": [{
                "type": action.get("type", "button"),
                "action_id": action["action_id"],
                "block_id": action.get("block_id", ""),
                "text": action.get("text"),
                "value": action.get("value", ""),
                "action_ts": f"{time.time():.6f}",
            }],
        }
        return urlencode({"payload": json.dumps(payload)})


def buttons(message: Any) -> list[dict[str, Any]]:
    """Every button of a posted message, each with its block_id, in order."""
    found = []
    for block in message.blocks or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        if accessory:
            elements = [accessory]
        for element in elements:
            if element.get("type") == "button":
                found.append({**element, "block_id": block.get("block_id", "")})
    return found
