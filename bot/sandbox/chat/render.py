"""Posted Slack messages as a person reads them in a terminal: who sees it, the Block
Kit text (headers, sections, fields, context) and the buttons, labelled as in Slack so
`!click LABEL` can name them; App Home the same way. Mentions and links are shown the way
Slack shows them. With `--json`, one JSON object per message (`as_json`, `printer`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.sandbox.slack.records import Posted

Namer = Callable[[str], str]
_MENTION = re.compile(r"<@(U\w+)>")
_GROUP = re.compile(r"<!subteam\^\w+(?:\|(@?[^>]+))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


def render_message(message: Posted, name: Namer, channel: Namer = str) -> str:
    """`channel` names a channel id as Slack shows it (`loop` for C0LOOP0001)."""
    where = f"[only {name(message.user)}]" if message.kind == "ephemeral" and message.user \
        else f"[#{channel(message.channel)}]"
    edited = " (updated)" if message.edits else ""
    lines = _block_lines(message.blocks) if message.blocks else [message.text]
    body = "\n".join(_readable(line, name) for line in lines if line is not None)
    indented = body.replace("\n", "\n    ")
    return f"{where}{edited} loopbot: {indented}"


def render_home(blocks: list[dict[str, Any]], viewer: str, name: Namer) -> str:
    """App Home as `viewer` sees it."""
    body = "\n".join(_readable(line, name) for line in _block_lines(blocks))
    return f"[App Home of {viewer}]\n    " + body.replace("\n", "\n    ")


def _block_lines(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"*{_text(block.get('text'))}*")
        elif kind == "section":
            lines += [_text(block.get("text"))] if block.get("text") else []
            lines += [_text(f) for f in block.get("fields", [])]
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                lines.append(_button(accessory))
        elif kind == "context":
            lines.append("  ".join(_text(e) for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(" ".join(_button(e) for e in block.get("elements", [])
                                  if e.get("type") == "button"))
        elif kind == "divider":
            lines.append("---")
    return [line for line in lines if line]


def _button(element: dict[str, Any]) -> str:
    return f"[{_text(element.get('text'))}]"


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return str(obj or "")


def _readable(line: str, name: Namer) -> str:
    line = _MENTION.sub(lambda m: name(m.group(1)), line)
    line = _GROUP.sub(lambda m: m.group(1) or "@group", line)
    line = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", line)
    return line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def as_json(message: Posted, name: Callable[[str], str]) -> dict[str, Any]:
    shown: dict[str, Any] = {"channel": message.channel}
    if message.kind == "ephemeral" and message.user:
        shown["user"] = name(message.user)
    shown.update({"text": message.text, "blocks": message.blocks})
    return shown


@dataclass(frozen=True)
class Printer:
    """Prints the chat's lines; `json` says whether as JSON objects (the chats read it)."""

    stream: TextIO
    json: bool

    def __call__(self, item: dict[str, Any] | str) -> None:
        if self.json:  # every line is one JSON object, notices included
            shown = item if isinstance(item, dict) else {"sandbox": "notice", "message": item}
            print(json.dumps(shown, ensure_ascii=False), file=self.stream, flush=True)
        else:
            print(item if isinstance(item, str) else json.dumps(item), file=self.stream,
                  flush=True)


def printer(stream: TextIO, as_json: bool) -> Printer:
    return Printer(stream, as_json)
