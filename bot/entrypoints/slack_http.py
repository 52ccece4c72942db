"""Slack's request URL (`/slack/events`): what a request must be before Bolt sees it.

Guarantees, in this order, before anything in the request is read or used:
- The body is at most `MAX_BODY` bytes (else 413, unread).
- The signature is checked over the raw bytes: a missing, malformed (`abc`, `1e3`) or
  stale timestamp, or a missing or wrong signature, gets 401 and nothing else happens
  (Slack's unsigned `ssl_check=1` probe gets an empty 200, as Bolt gives it).
  Nothing of an unverified request (its `response_url`, `trigger_id`, user) is ever used.
- A verified body that is not what Slack sends (invalid UTF-8, JSON that is not an object,
  an interactive payload without a readable action, a view without its type, deeply
  nested JSON) gets 400; it is logged in one line, never with a traceback, and reaches
  no listener. A body Bolt itself still fails to read gets the same 400 and one line.
- A verified request no listener handles gets Bolt's 404 and one log line.
- A request from another workspace or enterprise than the bot token's is refused
  (`same_workspace`, a Bolt middleware: 403, one log line) before any listener.
- What passes is handed to Bolt marked verified (`VERIFIED` in its context), which is
  what lets the error handler answer a user at all (bot/entrypoints/app.py).
- Socket Mode payloads (authenticated by the app token's connection, so not signed) get
  the same shape checks in `socket_mode_shapes`, a Bolt middleware: one that is not what
  Slack sends is acknowledged (Slack would only send it again), logged in one line, and
  reaches no listener.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError, field_validator
from slack_bolt import App, BoltRequest, BoltResponse

log = logging.getLogger("loopbot.http")

MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are far smaller; a message is 50 blocks
MAX_AGE = 300  # seconds a signature stays valid (Slack's advice)
VERIFIED = "loop_verified"  # context key set on every request that passed the checks
_TIMESTAMP = re.compile(rb"[0-9]{1,12}")
_SIGNATURE = re.compile(rb"v0=[0-9a-f]{64}")
StartResponse = Callable[..., Any]


class Malformed(Exception):
    """A verified request whose body is not one Slack sends."""


class _Text(BaseModel):
    text: str = ""


class _Action(BaseModel):
    action_id: str
    block_id: str = ""
    value: str = ""
    text: _Text | None = None  # a button's label

    @field_validator("value")
    @classmethod
    def _readable(cls, value: str) -> str:
        """The bot's buttons carry JSON; one nested too deep to read is no button of ours."""
        try:
            json.loads(value)
        except ValueError:
            pass  # not JSON at all: the listener says it is not one of its buttons
        except RecursionError:
            raise ValueError("a button value nested too deep") from None
        return value


class _User(BaseModel):
    id: str


class _Container(BaseModel):
    type: str = ""  # "message" or "view" (App Home)


class _Interaction(BaseModel):
    """What the listeners (and Bolt's matchers) read of an interactive payload."""

    type: str
    user: _User
    actions: list[_Action] | None = None
    container: _Container | None = None


class _Event(BaseModel):
    type: str


class _EventEnvelope(BaseModel):
    type: str
    event: _Event | None = None


class _View(BaseModel):
    type: str
    callback_id: str


class _ViewPayload(BaseModel):
    """A modal submitted or closed: Bolt reads `view.type` and `view.callback_id`."""

    type: str
    user: _User
    view: _View


class SlackGate:
    """The WSGI application of Slack's request URL, in front of the Bolt app."""

    def __init__(self, bolt: App, signing_secret: str | None,
                 clock: Callable[[], float] = time.time) -> None:
        self._bolt = bolt
        self._secret = signing_secret.encode() if signing_secret else None
        self._clock = clock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, 405, {"error": "method not allowed"})
        length = _content_length(environ)
        if length is None or length > MAX_BODY:
            return _answer(start_response, 413, {"error": "request too large"})
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        if not self._verified(raw, headers):
            if _is_ssl_check(raw):  # Slack checking the certificate: unsigned, answered 200
                start_response("200 OK", [("Content-Length", "0")])
                return [b""]
            return _answer(start_response, 401, {"error": "invalid request"})
        try:
            request = _bolt_request(raw, headers, environ.get("QUERY_STRING", ""))
        except Malformed as exc:
            log.info("refused a malformed Slack request: %s", exc)
            return _answer(start_response, 400, {"error": "malformed request"})
        try:
            response = self._bolt.dispatch(request)
        except (KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
            # Bolt itself could not read a body the checks above let through
            log.warning("refused a Slack request Bolt cannot read (%s)", type(exc).__name__)
            return _answer(start_response, 400, {"error": "malformed request"})
        start_response(f"{response.status} {_reason(response.status)}",
                       [(k, v) for k, values in response.headers.items() for v in values])
        return [response.body.encode("utf-8")]

    def _verified(self, raw: bytes, headers: dict[str, str]) -> bool:
        stamp = headers.get("x-slack-request-timestamp", "").encode("latin-1", "replace")
        signature = headers.get("x-slack-signature", "").encode("latin-1", "replace")
        if self._secret is None or not _TIMESTAMP.fullmatch(stamp) \
                or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(self._clock() - int(stamp)) > MAX_AGE:
            return False
        expected = hmac.new(self._secret, b"v0:" + stamp + b":" + raw, hashlib.sha256)
        return hmac.compare_digest(b"v0=" + expected.hexdigest().encode(), signature)


def _is_ssl_check(raw: bytes) -> bool:
    """Slack's `ssl_check=1` probe (answered as Bolt does, using nothing in it)."""
    try:
        return dict(parse_qsl(raw.decode("ascii"))).get("ssl_check") == "1"
    except (UnicodeDecodeError, ValueError):
        return False


def _bolt_request(raw: bytes, headers: dict[str, str], query: str) -> BoltRequest:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    body = _parse(text, headers.get("content-type", ""))
    _check_shape(body)
    try:
        return BoltRequest(body=text, query=query, headers=dict(headers),
                           context={VERIFIED: True})
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise Malformed(f"Bolt cannot read it ({type(exc).__name__})") from None


def _parse(text: str, content_type: str) -> dict[str, Any]:
    """The body the way Bolt will read it (JSON, or a form with or without `payload`)."""
    try:
        if content_type.split(";")[0].strip() == "application/json" or text.startswith("{"):
            body: Any = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            body = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):
        raise Malformed("the body is neither a form nor JSON") from None
    if not isinstance(body, dict):
        raise Malformed(f"the payload is a JSON {type(body).__name__}, not an object")
    return body


def _check_shape(body: dict[str, Any]) -> None:
    """The fields the listeners and Bolt's matchers read have the types they expect."""
    try:
        if "payload" not in body and "command" in body:
            if not all(isinstance(v, str) for v in body.values()):
                raise Malformed("a slash command's fields are not text")
        elif body.get("type") == "event_callback":
            _EventEnvelope.model_validate(body)
        elif body.get("type") in ("view_submission", "view_closed"):
            if _ViewPayload.model_validate(body).view.type == "workflow_step":
                raise Malformed("a workflow step's view (the bot has no workflow steps)")
        elif "actions" in body or body.get("type") == "block_actions":
            interaction = _Interaction.model_validate(body)
            if not interaction.actions:
                raise Malformed("an interaction without an action")
    except (ValidationError, RecursionError) as exc:
        raise Malformed(f"unexpected fields ({type(exc).__name__})") from None


def socket_mode_shapes(req: BoltRequest, resp: BoltResponse,
                       next: Callable[[], BoltResponse]) -> BoltResponse:
    """Bolt middleware: a Socket Mode payload reaches the listeners only in a shape Slack
    sends (requests over HTTP were checked by SlackGate before Bolt saw them)."""
    if req.mode == "socket_mode":
        try:
            if not isinstance(req.body, dict):
                raise Malformed("the payload is not an object")
            _check_shape(req.body)
        except Malformed as exc:
            log.info("refused a malformed Socket Mode payload: %s", exc)
            return BoltResponse(status=200, body="")  # acknowledged, ignored
    return next()


def same_workspace(req: BoltRequest, resp: BoltResponse,
                   next: Callable[[], BoltResponse]) -> BoltResponse:
    """Bolt middleware: only the workspace (and enterprise) the bot token belongs to is
    served; Bolt learns it from `auth.test` when the app is built. A request from any other
    gets 403 over HTTP (acknowledged, over Socket Mode) and one log line."""
    known = req.context.authorize_result
    if known is None:  # Slack's URL verification: no workspace to serve yet
        return next()
    team, enterprise = req.context.team_id, req.context.enterprise_id
    if team == known.team_id and (enterprise or None) == (known.enterprise_id or None):
        return next()
    log.warning("refused a request from workspace %.40r (enterprise %.40r): this bot serves "
                "%s", team, enterprise, known.team_id)
    if req.mode == "socket_mode":
        return BoltResponse(status=200, body="")
    return BoltResponse(status=403, body=json.dumps({"error": "another workspace"}),
                        headers={"Content-Type": "application/json"})


def log_unhandled(req: BoltRequest) -> None:
    """One line for a verified request no listener handles (Bolt answers it 404)."""
    body = req.body if isinstance(req.body, dict) else {}
    event = body.get("event")
    actions = body.get("actions")
    what = (body.get("command") or (event.get("type") if isinstance(event, dict) else None)
            or (actions[0].get("action_id") if isinstance(actions, list) and actions
                and isinstance(actions[0], dict) else None)
            or body.get("callback_id") or "")
    log.info("refused a Slack request no listener handles: %.40r %.60r", body.get("type"),
             what)


def _content_length(environ: dict[str, Any]) -> int | None:
    value = str(environ.get("CONTENT_LENGTH") or "0")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {key[5:].lower().replace("_", "-"): str(value)
               for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.lower().replace("_", "-")] = str(environ[key])
    return headers


def _answer(start_response: StartResponse, status: int, body: dict[str, str]
            ) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(f"{status} {_reason(status)}", [("Content-Type", "application/json"),
                                                  ("Content-Length", str(len(data)))])
    return [data]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
