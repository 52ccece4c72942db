"""The Slack stand-in's Web API methods: arguments in, Slack's answer out.

`WebApi.call(method, args, token)` returns the JSON body Slack would send (always with
`ok`): the method's result, or `{"ok": false, "error": ...}` with Slack's codes
(not_authed, invalid_auth, unknown_method, channel_not_found, message_not_found,
user_not_found, no_such_subteam, hash_conflict, no_text, msg_too_long,
invalid_blocks_format, and invalid_blocks for messages / invalid_arguments for views with
`errors` and `response_metadata.messages`, as Slack reports them). `respond(hook,
payload)` applies a response_url POST. Messages are stored in the `Recorder`; the caller
holds the lock.
"""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any, ClassVar

from bot.sandbox.slack.blocks import block_errors
from bot.sandbox.slack.records import Posted, Recorder, ResponseHook
from bot.sandbox.slack.workspace import SlackChannel, Workspace

MAX_TEXT = 40000
SANDBOX_APP_TOKEN = "xapp-sandbox"  # app-level token: apps.connections.open (Socket Mode)
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})


class SlackError(Exception):
    """A Web API error: answered as {"ok": false, "error": code, ...extra}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


def _block_failure(code: str, problems: list[str]) -> SlackError:
    return SlackError(
        code,
        errors=problems,
        response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
    )


class WebApi:
    METHODS: ClassVar[dict[str, str]] = {
        "auth.test": "_auth_test",
        "chat.postMessage": "_post_message",
        "chat.postEphemeral": "_post_ephemeral",
        "chat.update": "_update",
        "views.publish": "_publish_view",
        "users.info": "_users_info",
        "usergroups.users.list": "_usergroup_users",
        "conversations.info": "_conversations_info",
        "apps.connections.open": "_connections_open",
    }

    def __init__(self, workspace: Workspace, record: Recorder, tokens: frozenset[str]) -> None:
        self.workspace = workspace
        self.record = record
        self.tokens = tokens
        self.app_tokens = frozenset({SANDBOX_APP_TOKEN})
        self.socket_url: str | None = None  # what apps.connections.open hands out

    def call(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method not in self.METHODS:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token not in (self.app_tokens if method in APP_LEVEL_METHODS else self.tokens):
            return {"ok": False, "error": "invalid_auth"}
        try:
            return getattr(self, self.METHODS[method])(args)
        except SlackError as exc:
            return {"ok": False, "error": exc.code, **exc.extra}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return self.workspace.auth_test(f"https://{self.workspace.domain}.slack.com/")

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        text, blocks = content(args)
        posted = Posted("message", channel.id, self.record.next_ts(), text, blocks,
                        via="chat.postMessage", thread_ts=args.get("thread_ts"))
        self.record.post(posted)
        return {"ok": True, "channel": channel.id, "ts": posted.ts,
                "message": self._message_json(posted)}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        user = self.workspace.user(args.get("user"))
        if user is None:
            raise SlackError("user_not_found")
        text, blocks = content(args)
        posted = Posted("ephemeral", channel.id, self.record.next_ts(), text, blocks,
                        via="chat.postEphemeral", user=user.id, thread_ts=args.get("thread_ts"))
        self.record.post(posted)
        return {"ok": True, "message_ts": posted.ts}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel(args.get("channel"))
        found = self.record.find(channel.id, str(args.get("ts", "")))
        if found is None or found.kind != "message":
            raise SlackError("message_not_found")
        text, blocks = content(args)
        found.replace(text, blocks, "chat.update")
        self.record.save()
        return {"ok": True, "channel": channel.id, "ts": found.ts, "text": text,
                "message": self._message_json(found)}

    def _publish_view(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.workspace.user(args.get("user_id"))
        if user is None:
            raise SlackError("user_not_found")
        view = _json_value(args.get("view"), "invalid_arguments")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise _block_failure("invalid_arguments", ["must be home [json-pointer:/view/type]"])
        problems = block_errors(view.get("blocks"), max_blocks=100, pointer="/view/blocks")
        if problems:
            raise _block_failure("invalid_arguments", problems)
        current = self.record.home_views.get(user.id)
        if args.get("hash") and current and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = self._view_json(view, user.id, current)
        self.record.home_views[user.id] = stored
        self.record.save()
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.workspace.user(args.get("user"))
        if user is None:
            raise SlackError("user_not_found")
        return {"ok": True, "user": user.as_json(self.workspace.team_id)}

    def _usergroup_users(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.workspace.usergroups.get(str(args.get("usergroup", "")))
        if group is None:
            raise SlackError("no_such_subteam")
        return {"ok": True, "users": list(group.users)}

    def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            raise SlackError("socket_mode_not_enabled")
        return {"ok": True, "url": self.socket_url}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": self.channel(args.get("channel")).as_json()}

    def channel(self, ref: Any) -> SlackChannel:
        found = self.workspace.resolve_channel(ref if isinstance(ref, str) else None)
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def _message_json(self, posted: Posted) -> dict[str, Any]:
        ws = self.workspace
        message: dict[str, Any] = {
            "type": "message", "user": ws.bot.id, "bot_id": ws.bot_id, "app_id": ws.app_id,
            "team": ws.team_id, "text": posted.text, "ts": posted.ts, "blocks": posted.blocks,
        }
        if posted.thread_ts:
            message["thread_ts"] = posted.thread_ts
        if posted.edits:
            message["edited"] = {"user": ws.bot.id, "ts": self.record.next_ts()}
        return message

    def _view_json(
        self, view: dict[str, Any], user_id: str, current: dict[str, Any] | None
    ) -> dict[str, Any]:
        view_id = current["id"] if current else f"V0{secrets.token_hex(4).upper()}"
        return {
            "id": view_id, "team_id": self.workspace.team_id, "type": "home",
            "blocks": view.get("blocks", []), "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
            "state": {"values": {}}, "hash": f"{self.record.next_ts()}.{secrets.token_hex(4)}",
            "app_id": self.workspace.app_id, "bot_id": self.workspace.bot_id, "user": user_id,
        }

    def respond(self, hook: ResponseHook, payload: dict[str, Any]) -> None:
        """Apply one response_url POST: delete, replace, or post in channel / ephemerally."""
        original = self.record.find(hook.channel, hook.original_ts or "")
        if payload.get("delete_original"):
            if original is None:
                raise SlackError("message_not_found")
            original.deleted = True
            self.record.save()
            return
        text, blocks = content(payload)
        if payload.get("replace_original") and original is not None:
            original.replace(text, blocks, "response_url")
            self.record.save()
            return
        in_channel = payload.get("response_type") == "in_channel"
        posted = Posted("message" if in_channel else "ephemeral", hook.channel,
                        self.record.next_ts(), text, blocks, via="response_url",
                        user=None if in_channel else hook.user,
                        thread_ts=payload.get("thread_ts"))
        self.record.post(posted)
        if hook.original_ts is None:
            hook.original_ts = posted.ts


def _json_value(value: Any, error: str) -> Any:
    """A structured argument, which form-encoded calls send as a JSON string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise SlackError(error) from exc


def content(args: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """(text, blocks) of a message, or Slack's no_text / invalid_blocks / msg_too_long."""
    text = args.get("text") or args.get("markdown_text") or ""
    blocks = _json_value(args.get("blocks"), "invalid_blocks_format")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        problems = block_errors(blocks, max_blocks=50, pointer="/blocks")
        if problems:
            raise _block_failure("invalid_blocks", problems)
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if len(str(text)) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return str(text), list(blocks or [])
