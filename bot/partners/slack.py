"""The team's channel, for the bot's own messages: a thin `Chat` over slack_sdk's WebClient.

Guarantees:
- `post(text, blocks)` sends one chat.postMessage to the configured channel and returns
  where it landed (`PostedMessage`: channel id and ts), so it can be `update`d later.
- It only sends: what it posts is rendered by the caller (bot/messages/).
- Every Slack failure (an `ok: false` answer, an HTTP error, no connection) raises
  `bot.usecases.ports.PartnerError` naming the method and Slack's error code; the token never
  appears in a message.
- Slack's rate limits: every client the bot uses (this one, the Bolt app's, response
  URLs through `respond`) retries a 429 `ratelimited` up to `RATE_LIMIT_RETRIES` times,
  each after Slack's Retry-After and at most a tenth more (`retry_wait`; slack_sdk's own
  handler adds up to a whole second, even to `Retry-After: 0`). Slack did not act on a
  429, so nothing is sent twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config.settings import ConfigError, Settings
from bot.usecases.ports import PartnerError, PostedMessage

PARTNER = "Slack"
DEFAULT_TIMEOUT = 10
RATE_LIMIT_RETRIES = 3
NO_RETRY_AFTER = 1  # seconds to wait on a 429 without Retry-After (slack_sdk's choice)


def retry_wait(headers: Mapping[str, str | Sequence[str]], jitter: float | None = None
               ) -> float:
    """Seconds to wait before retrying a 429: Slack's Retry-After, plus `jitter` (0 to 1,
    random if None) tenths of it, so clients told the same second do not all come back
    at once."""
    said = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(said, str | None):  # slack_sdk gives a list of values, or one
        said = [said] if said else []
    seconds = int(said[0]) if said else NO_RETRY_AFTER
    return seconds * (1 + (random.random() if jitter is None else jitter) / 10)


class _RetryAfter(RateLimitErrorRetryHandler):
    """slack_sdk's rate-limit retry, waiting `retry_wait` instead."""

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        if response is None:
            assert error is not None
            raise error
        state.next_attempt_requested = True
        time.sleep(retry_wait(response.headers))
        state.increment_current_attempt()


def retry_rate_limits(client: WebClient | WebhookClient) -> None:
    """Make `client` retry Slack's 429 after its Retry-After."""
    if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(_RetryAfter(RATE_LIMIT_RETRIES))


def respond(response_url: str, message: dict[str, Any],
            timeout: int = DEFAULT_TIMEOUT) -> None:
    """Send `message` to a slash command's or button's response_url, retrying Slack's
    rate limits; raises PartnerError when Slack still does not take it (the URL, which
    lets anyone answer in the user's name, never appears in the error)."""
    client = WebhookClient(response_url, timeout=timeout)
    retry_rate_limits(client)
    try:
        answer = client.send_dict({k: v for k, v in message.items() if v is not None})
    except (SlackClientError, OSError) as exc:
        raise PartnerError(PARTNER, f"response_url failed: {type(exc).__name__}") from None
    if answer.status_code != 200:
        raise PartnerError(PARTNER, f"response_url answered {answer.status_code}")


class Chat:
    def __init__(self, client: WebClient, channel: str) -> None:
        self._client = client
        self.channel = channel

    @classmethod
    def from_settings(
        cls, settings: Settings, *, base_url: str | None = None,
        timeout: int = DEFAULT_TIMEOUT,
    ) -> Chat:
        """A Chat on settings.slack.channel with SLACK_BOT_TOKEN, on the Web API at
        `base_url` (default: settings.slack.api_url)."""
        token = settings.secrets.slack_bot_token
        if token is None:
            raise ConfigError("set the environment variable SLACK_BOT_TOKEN")
        client = WebClient(token=token.get_secret_value(), timeout=timeout,
                           base_url=base_url or settings.slack.api_url)
        retry_rate_limits(client)
        return cls(client, settings.slack.channel)

    def post(self, text: str, blocks: list[dict[str, Any]] | None = None, *,
             channel: str | None = None) -> PostedMessage:
        """To `channel` (a service's own), else to the configured one."""
        answer = _call("chat.postMessage", self._client.chat_postMessage,
                            channel=channel or self.channel, text=text, blocks=blocks,
                            unfurl_links=False)
        return PostedMessage(str(answer["channel"]), str(answer["ts"]))

    def update(
        self, message: PostedMessage, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        _call("chat.update", self._client.chat_update, channel=message.channel,
                   ts=message.ts, text=text, blocks=blocks)


class SlackDirectory:
    """The `UserDirectory` port on Slack's Web API (`usergroups.users.list`, `users.info`)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def group_members(self, group_id: str) -> frozenset[str]:
        answer = _call("usergroups.users.list", self._client.usergroups_users_list,
                       usergroup=group_id)
        return frozenset(answer.get("users") or ())

    def display_name(self, user_id: str) -> str:
        user = _call("users.info", self._client.users_info, user=user_id).get("user") or {}
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or user.get("name") or user_id)


def _call(method: str, func: Any, **arguments: Any) -> Any:
    try:
        return func(**{k: v for k, v in arguments.items() if v is not None})
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else None
        raise PartnerError(PARTNER, f"{method} failed: {code or 'unknown error'}") from None
    except SlackClientError as exc:
        raise PartnerError(PARTNER, f"{method} failed: {type(exc).__name__}") from None
    except OSError as exc:
        reason = type(exc).__name__
        raise PartnerError(PARTNER, f"{method} failed: Slack unreachable ({reason})") from None
