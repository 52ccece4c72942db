"""The team's channel, for the bot's own messages: a thin `Chat` over slack_sdk's WebClient.

Guarantees:
- `post(text, blocks)` sends one chat.postMessage to the configured channel and returns
  where it landed (`PostedMessage`: channel id and ts), so it can be `update`d later.
- `mention(*roles)` turns the people of configured roles (settings.roles) into Slack
  mentions: a user id as `<@U...>`, a user group id as `<!subteam^S...>`, each once.
- Every Slack failure (an `ok: false` answer, an HTTP error, no connection) raises
  `bot.ports.PartnerError` naming the method and Slack's error code; the token never
  appears in a message. A 429 is retried once after Slack's Retry-After (Slack did not
  act on it); nothing else is retried, so a post is never sent twice by this adapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import ConfigError, Settings
from bot.messages.blocks import mentions
from bot.ports import PartnerError

PARTNER = "Slack"
DEFAULT_TIMEOUT = 10


@dataclass(frozen=True)
class PostedMessage:
    channel: str  # the channel id Slack answered with
    ts: str


class Chat:
    def __init__(
        self, client: WebClient, channel: str, roles: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self._client = client
        self.channel = channel
        self._roles = {name: tuple(ids) for name, ids in (roles or {}).items()}

    @classmethod
    def from_settings(
        cls, settings: Settings, *, base_url: str | None = None,
        timeout: int = DEFAULT_TIMEOUT,
    ) -> Chat:
        """A Chat on settings.slack.channel with SLACK_BOT_TOKEN; `base_url` points it at
        another Web API (the sandbox's stand-in)."""
        token = settings.secrets.slack_bot_token
        if token is None:
            raise ConfigError("set the environment variable SLACK_BOT_TOKEN")
        options: dict[str, Any] = {"timeout": timeout}
        if base_url is not None:
            options["base_url"] = base_url
        client = WebClient(token=token.get_secret_value(), **options)
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
        return cls(client, settings.slack.channel, settings.roles)

    def post(self, text: str, blocks: list[dict[str, Any]] | None = None, *,
             channel: str | None = None) -> PostedMessage:
        """To `channel` (a service's own), else to the configured one."""
        answer = self._call("chat.postMessage", self._client.chat_postMessage,
                            channel=channel or self.channel, text=text, blocks=blocks,
                            unfurl_links=False)
        return PostedMessage(str(answer["channel"]), str(answer["ts"]))

    def update(
        self, message: PostedMessage, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        self._call("chat.update", self._client.chat_update, channel=message.channel,
                   ts=message.ts, text=text, blocks=blocks)

    def mention(self, *roles: str) -> str:
        """The people of `roles`, as Slack mentions separated by spaces ("" if none)."""
        return mentions(self._roles, roles)

    def _call(self, method: str, func: Any, **arguments: Any) -> Any:
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


