"""A stand-in for Slack's Web API and response URLs, faithful where loopbot depends on it.

`SlackStandIn` answers `POST /api/METHOD` (JSON or form-encoded, as slack_sdk sends them)
for auth.test, chat.postMessage, chat.postEphemeral, chat.update, views.publish,
users.info, usergroups.users.list, conversations.info and apps.connections.open
(Socket Mode: `open_socket_mode(url)`), with Slack's response shapes and
error codes: HTTP 200 `{"ok": false, "error": ...}` for invalid_auth, not_authed,
channel_not_found, message_not_found, user_not_found, no_such_subteam, no_text,
invalid_blocks / invalid_arguments (with `response_metadata.messages` naming the json
pointer, see blocks.py), invalid_json and unknown_method. Injected faults come from
StandIn; `rate_limit()` makes the next calls answer Slack's 429 `ratelimited` with a
Retry-After header, `rate_limit_every(2)` every second call from now on.

It records everything, under one lock: `calls(method)` (arguments without the token),
`messages(channel)`, `ephemerals(user)`, `home_view(user)`; chat.update and response URL
replacements keep each message's earlier versions in `Posted.edits`. `new_response_url()`
hands out a response_url on the stand-in (usable 5 times, like Slack's) that honours
response_type, replace_original and delete_original. With `state_dir`, messages and home
views persist in slack.json. No token is ever logged or echoed.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
from pathlib import Path
from typing import Any

from bot.sandbox.routes import HTTPError, Request, Response, route
from bot.sandbox.server import StandIn
from bot.sandbox.slack.api import SlackError, WebApi
from bot.sandbox.slack.records import Call, Posted, Recorder, ResponseHook
from bot.sandbox.slack.workspace import SlackChannel, SlackUser, UserGroup, Workspace

SANDBOX_BOT_TOKEN = "xoxb-sandbox"
SCOPES = "chat:write,commands,users:read,usergroups:read,channels:read,groups:read,im:write"
_STATUS_ERRORS = {404: "unknown_method", 429: "ratelimited", 400: "invalid_payload"}


class SlackStandIn(StandIn):
    name = "slack"

    def __init__(
        self,
        tokens: tuple[str, ...] = (SANDBOX_BOT_TOKEN,),
        workspace: Workspace | None = None,
        state_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.workspace = workspace or Workspace.default()
        self.retry_after = 1
        self.response_url_uses = 5
        self._lock = threading.RLock()
        self._record = Recorder(state_dir)
        self._api = WebApi(self.workspace, self._record, frozenset(tokens))
        self._hooks: dict[str, ResponseHook] = {}
        self._hook_ids = itertools.count(1)

    @property
    def api_url(self) -> str:
        """The base_url for slack_sdk's WebClient."""
        return f"{self.url}/api/"

    # -- workspace and faults ----------------------------------------------------------
    def add_user(self, user_id: str, name: str, real_name: str = "") -> None:
        with self._lock:
            self.workspace.add_user(SlackUser(user_id, name, real_name))

    def add_channel(self, channel_id: str, name: str, is_private: bool = False) -> None:
        with self._lock:
            self.workspace.add_channel(SlackChannel(channel_id, name, is_private))

    def add_usergroup(self, group_id: str, handle: str, users: tuple[str, ...]) -> None:
        with self._lock:
            self.workspace.add_usergroup(UserGroup(group_id, handle, users))

    def open_socket_mode(self, url: str) -> None:
        """apps.connections.open (app token "xapp-sandbox") answers `url` (a ws:// URL)."""
        with self._lock:
            self._api.socket_url = url

    def rate_limit(self, count: int = 1, method: str | None = None, retry_after: int = 1) -> None:
        """The next `count` calls (of `method`, or any) answer 429 ratelimited."""
        self.retry_after = retry_after
        self.faults.fail_next(429, count, path=f"^/api/{method}$" if method else "^/api/")

    def rate_limit_every(self, every: int = 2, method: str | None = None,
                         retry_after: int = 0) -> None:
        """From now on every `every`-th call (of `method`, or any Web API call or
        response_url post) answers 429 ratelimited with Retry-After, as Slack does."""
        self.retry_after = retry_after
        self.faults.fail_every(429, every, path=f"^/api/{method}$" if method else None)

    def error_response(self, error: HTTPError) -> Response:
        code = _STATUS_ERRORS.get(error.status, "internal_error")
        headers = {"Retry-After": str(self.retry_after)} if error.status == 429 else {}
        return Response(error.status, {"ok": False, "error": code}, headers)

    # -- what was recorded -------------------------------------------------------------
    def messages(self, channel: str | None = None, include_deleted: bool = False) -> list[Posted]:
        """Channel messages (not ephemeral), oldest first, as they stand now."""
        return self._select("message", channel, None, include_deleted)

    def ephemerals(self, user: str | None = None, channel: str | None = None) -> list[Posted]:
        return self._select("ephemeral", channel, user, False)

    def changed(self, known: dict[tuple[str, str, str], tuple[str, int]]) -> list[Posted]:
        """Messages and ephemerals (not deleted) posted or changed since `known` saw them
        ((kind, channel, ts) -> (text, number of edits)), oldest first: only those are
        copied, so a reader that keeps up pays for what is new."""
        with self._lock:
            return sorted((copy.deepcopy(m) for m in self._record.posted if not m.deleted
                           and known.get((m.kind, m.channel, m.ts)) != (m.text, len(m.edits))),
                          key=lambda m: float(m.ts))

    def message(self, channel: str, ts: str) -> Posted | None:
        with self._lock:
            found = self._record.find(self._channel_id(channel), ts)
            return copy.deepcopy(found)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._record.calls if method is None or c.method == method]

    def home_view(self, user: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._record.home_views.get(user))

    def _select(
        self, kind: str, channel: str | None, user: str | None, include_deleted: bool
    ) -> list[Posted]:
        with self._lock:
            channel_id = self._channel_id(channel) if channel else None
            return [
                copy.deepcopy(m)
                for m in self._record.posted
                if m.kind == kind
                and (channel_id is None or m.channel == channel_id)
                and (user is None or m.user == user)
                and (include_deleted or not m.deleted)
            ]

    def _channel_id(self, ref: str) -> str:
        found = self.workspace.resolve_channel(ref)
        return found.id if found else ref

    # -- the Web API -------------------------------------------------------------------
    @route("POST", r"/api/([\w.]+)")
    @route("GET", r"/api/([\w.]+)")
    def _web_api(self, request: Request, method: str) -> Response:
        headers = {"X-OAuth-Scopes": SCOPES, "X-Accepted-OAuth-Scopes": ""}
        try:
            args = _arguments(request)
            token = args.pop("token", None) or _bearer(request)
        except SlackError as exc:
            return Response(200, {"ok": False, "error": exc.code}, headers)
        with self._lock:
            body = self._api.call(method, args, token)
            self._record.calls.append(Call(method, args, body["ok"], body.get("error")))
        return Response(200, body, headers)

    # -- response URLs -----------------------------------------------------------------
    def new_response_url(
        self, channel: str = "#loop", user: str = "U0DEV0001", message_ts: str | None = None
    ) -> str:
        """A response_url like the one in a slash command or action payload; message_ts
        is the original message an action came from (what replace_original replaces)."""
        with self._lock:
            found = self.workspace.resolve_channel(channel)
            if found is None:
                raise ValueError(f"unknown channel {channel!r}")
            hook_id = f"R{next(self._hook_ids):04d}{secrets.token_hex(6)}"
            self._hooks[hook_id] = ResponseHook(hook_id, found.id, user, message_ts)
        return f"{self.url}/response/{hook_id}"

    @route("POST", r"/response/(\w+)")
    def _response_url(self, request: Request, hook_id: str) -> Response:
        payload = request.json()
        if not isinstance(payload, dict):
            raise HTTPError(400, "invalid_payload")
        with self._lock:
            hook = self._hooks.get(hook_id)
            if hook is None or hook.uses >= self.response_url_uses:
                return Response(404, {"ok": False, "error": "expired_url"})
            hook.uses += 1
            try:
                self._api.respond(hook, payload)
            except SlackError as exc:
                self._record.calls.append(Call("response_url", payload, False, exc.code))
                return Response(400, {"ok": False, "error": exc.code, **exc.extra})
            self._record.calls.append(Call("response_url", payload, True))
        return Response(200, {"ok": True})

    @route("POST", r"/__sandbox__/response_url")
    def _hand_out_response_url(self, request: Request) -> Response:
        """A response_url for a client in another process that sends the signed requests
        (`loopbot sandbox chat --url`): JSON {"channel", "user", "message_ts"}."""
        wanted = request.json()
        if not isinstance(wanted, dict):
            raise HTTPError(400, "invalid_payload")
        try:
            url = self.new_response_url(str(wanted.get("channel") or "#loop"),
                                        str(wanted.get("user") or "U0DEV0001"),
                                        wanted.get("message_ts"))
        except ValueError as exc:
            raise HTTPError(400, str(exc)) from None
        return Response(200, {"url": url})

    @route("GET", r"/__sandbox__/messages")
    def _dump(self, request: Request) -> Response:
        with self._lock:
            return Response(200, {"messages": [m.as_dict() for m in self._record.posted],
                                  "home_views": self._record.home_views})


def _bearer(request: Request) -> str | None:
    value = request.header("authorization") or ""
    if not value.lower().startswith("bearer "):
        return None
    return value[7:].strip() or None


def _arguments(request: Request) -> dict[str, Any]:
    """Query arguments, then the body: JSON or form-encoded, as Slack reads them."""
    args: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    content_type = request.header("content-type") or ""
    if content_type.startswith("application/json"):
        try:
            body = request.json()
        except HTTPError as exc:
            raise SlackError("invalid_json") from exc
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        args.update(body)
    elif request.body:
        args.update(request.form())
    return args


