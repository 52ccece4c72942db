"""Block Kit building blocks that are always valid and never let user text misbehave.

Guarantees:
- `escape` (bot/markup.py, the one escaping function) makes text from people or partners
  (a reason, a commit title, a bug summary) inert: never `<!channel>`, a link, a mention
  or formatting; `escape(..., keep=(user,))` keeps that one person's mention live.
- Every builder clips its text to Slack's limit for that field (section 3000, header
  150, button 75, button value 2000, confirm dialog title 100 / text 300 / buttons 30)
  with an ellipsis, so a long changelog or reason can't make Slack answer invalid_blocks.
- `Rendered` pairs the blocks with a plain-text fallback `text` (notifications, search,
  screen readers) of at most 3000 characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.markup import escape

if TYPE_CHECKING:
    from bot.config.settings import Settings

__all__ = ["escape"]  # re-exported: the renderers import it from here

Block = dict[str, Any]

# action ids, shared by the renderers and handlers/actions.py
ACTION_TAG = "loop_tag"  # confirm a tag: value {"s", "v", "sha"}
ACTION_STEP = "loop_step"  # a lifecycle step: value {"s", "v", "a"[, "r"]}
ACTION_SIGNOFF = "loop_signoff"  # a team's prod sign-off: value {"s", "v"}
ACTION_FINISH_TAG = "loop_finish_tag"  # finish a tag cut short: value {"s", "v"}
# an emergency load-test window: value {"s", "v", "from", "to", "p", "r"}
ACTION_LOADTEST_WINDOW = "loop_loadtest_window"

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
VALUE_LIMIT = 2000
FALLBACK_LIMIT = 3000
MAX_BLOCKS = 50


@dataclass(frozen=True)
class Rendered:
    """A message: the fallback text and its Block Kit blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": clip(self.text, FALLBACK_LIMIT), "blocks": self.blocks[:MAX_BLOCKS]}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT)}}


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, SECTION_LIMIT)}}


def context(*lines: str) -> Block:
    """Small print, one line per argument (Slack lays a context's elements side by side,
    so separate elements would run into each other)."""
    text = "\n".join(line for line in lines if line)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def divider() -> Block:
    return {"type": "divider"}


def lines_section(title: str, lines: list[str], *, limit: int = SECTION_LIMIT) -> Block:
    """A titled list that says how many lines it had to leave out."""
    shown: list[str] = []
    used = len(title) + 1
    for index, line in enumerate(lines):
        more = f"… and {len(lines) - index} more"
        if used + len(line) + 1 + len(more) > limit:
            shown.append(more)
            break
        shown.append(line)
        used += len(line) + 1
    return section("\n".join([title, *shown]))


def button(label: str, action_id: str, value: dict[str, Any], *, style: str | None = None,
           confirm: Block | None = None) -> Block:
    element: Block = {
        "type": "button", "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(label, BUTTON_LIMIT)},
        "value": encode_value(value),
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, yes: str, *, danger: bool = False) -> Block:
    dialog: Block = {
        "title": {"type": "plain_text", "text": clip(title, 100)},
        "text": {"type": "mrkdwn", "text": clip(text, 300)},
        "confirm": {"type": "plain_text", "text": clip(yes, 30)},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }
    if danger:
        dialog["style"] = "danger"
    return dialog


def actions(block_id: str, *elements: Block) -> Block:
    return {"type": "actions", "block_id": clip(block_id, 255), "elements": list(elements)}


def encode_value(value: dict[str, Any]) -> str:
    """A button value as compact JSON, clipped fields first so it stays under 2000."""
    text = json.dumps(value, separators=(",", ":"))
    if len(text) > VALUE_LIMIT and isinstance(value.get("r"), str):
        spare = VALUE_LIMIT - (len(text) - len(value["r"])) - 16
        text = json.dumps({**value, "r": clip(value["r"], max(spare, 1))},
                          separators=(",", ":"))
    return text


def decode_value(text: str) -> dict[str, Any]:
    """The button value back; {} for anything that is not one of ours."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def role_mentions(settings: Settings, *wanted: str, service: str | None = None) -> str:
    """The people of `wanted` roles for `service` (its own `roles`, the top-level ones for
    the roles it does not name), or the top-level roles when no service is given."""
    return mentions(settings.roles_by_service().get(service or "", settings.roles_of(None)), wanted)


def mentions(roles: Mapping[str, Iterable[str]], wanted: Iterable[str]) -> str:
    """The people of the `wanted` roles as Slack mentions, each once: a user id as
    `<@U...>`, a user group as `<!subteam^S...>` ("" when nobody is configured)."""
    members = dict.fromkeys(m for role in wanted for m in roles.get(role, ()))
    return " ".join(f"<!subteam^{m}>" if m.startswith("S") else f"<@{m}>" for m in members)
