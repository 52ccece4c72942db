"""Where one Slack request's answers go.

Guarantees:
- `ephemeral` answers the caller alone (through the response_url when there is one);
  `progress` / `post` build ONE channel message per state change, posted at the first
  finished step, updated with chat.update at each next one and at the end.
- Slack's rate limits never stop a step halfway: every call is retried after Slack's
  Retry-After (bot/partners/slack.py). A progress update that still fails is logged and
  the step goes on (the next update, or the final message, shows every step so far); the
  final message and the ephemeral answers are retried the same way, and a failure that
  outlasts the retries is raised to the caller (handlers/work.py logs it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.actions import Actor
from bot.messages import Rendered
from bot.messages.release import stopped, working
from bot.partners.slack import respond

log = logging.getLogger("loopbot.slack")


@dataclass
class Reply:
    client: WebClient
    channel: str
    user: str
    respond: Respond | None
    title: str = ""
    actor: Actor | None = None
    steps: list[str] = field(default_factory=list)
    _posted: tuple[str, str] | None = None  # (channel id, ts) of the one channel message
    on_posted: Callable[[str, str], None] | None = None  # told where it went, once

    _resume: tuple[str, str] | None = None  # an earlier message to carry on in

    def continue_in(self, channel: str, ts: str) -> None:
        """Make the one channel message an earlier one (a step cut short, now finished),
        from the first step shown: a refusal before it leaves that message alone."""
        self._resume = (channel, ts)

    def ephemeral(self, rendered: Rendered) -> None:
        if self.respond is not None and self.respond.response_url:
            self._respond(response_type="ephemeral", replace_original=False,
                          **rendered.as_kwargs())
            return
        self.client.chat_postEphemeral(channel=self.channel, user=self.user,
                                       **rendered.as_kwargs())

    def replace_original(self, rendered: Rendered) -> None:
        """Replace the message whose button was pressed (single-use confirmations)."""
        if self.respond is not None and self.respond.response_url:
            self._respond(replace_original=True, **rendered.as_kwargs())

    def progress(self, step: str) -> None:
        """Show one more finished step; a Slack failure here is logged, never raised: the
        step's work goes on and the next update shows this step too."""
        self.steps.append(step)
        assert self.actor is not None
        try:
            self._show(working(self.title, self.actor, self.steps))
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("progress update of %r not shown (%s); going on", self.title,
                        _why(exc))

    def post(self, rendered: Rendered) -> None:
        self._show(rendered)

    @property
    def posted(self) -> bool:
        """True once this request changed something the channel was told about."""
        return self._posted is not None

    def fail(self, rendered: Rendered) -> None:
        if self._posted is None or self.actor is None:
            self.ephemeral(rendered)
            return
        self._show(stopped(self.title, self.actor, self.steps, rendered))

    def _show(self, rendered: Rendered) -> None:
        if self._posted is None and self._resume is not None:
            self._posted = self._resume
        if self._posted is None:
            answer = self.client.chat_postMessage(channel=self.channel, **rendered.as_kwargs())
            self._posted = (str(answer["channel"]), str(answer["ts"]))
            if self.on_posted is not None:
                self.on_posted(*self._posted)
            return
        channel, ts = self._posted
        self.client.chat_update(channel=channel, ts=ts, **rendered.as_kwargs())

    def _respond(self, **message: Any) -> None:
        assert self.respond is not None and self.respond.response_url
        respond(self.respond.response_url, message)


def _why(exc: Exception) -> str:
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__

