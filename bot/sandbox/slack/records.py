"""What the Slack stand-in remembers: every call, every message as stored, home views.

A `Posted` is one message the way Slack keeps it (channel, ts, text, blocks) plus how it
got there (`via`), who sees it (`user` for an ephemeral one), its earlier versions
(`edits`, oldest first) and whether it was deleted. `Recorder` holds them in order, hands
out strictly increasing Slack-shaped timestamps ("1765180800.000042") and, given a
`state_dir`, saves messages and home views to `slack.json` after every change so a
sandbox started again with the same directory continues. Not locked itself: the stand-in
calls it under its own lock.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

STATE_FILE = "slack.json"


@dataclass
class Posted:
    kind: str  # "message" or "ephemeral"
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    via: str  # "chat.postMessage", "chat.postEphemeral" or "response_url"
    user: str | None = None  # the only user who sees an ephemeral message
    thread_ts: str | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    def replace(self, text: str, blocks: list[dict[str, Any]], via: str) -> None:
        """Keep the current version in `edits`, then take the new one."""
        self.edits.append({"text": self.text, "blocks": self.blocks, "via": self.via})
        self.text, self.blocks, self.via = text, blocks, via

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Call:
    """One Web API call: the method, its arguments (never the token), and the outcome."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None = None


@dataclass
class ResponseHook:
    """A response_url handed out by the stand-in, with what it may replace."""

    id: str
    channel: str
    user: str
    original_ts: str | None = None
    uses: int = 0


class Recorder:
    def __init__(self, state_dir: str | Path | None = None) -> None:
        self.posted: list[Posted] = []
        self.calls: list[Call] = []
        self.home_views: dict[str, dict[str, Any]] = {}
        self._seq = 0
        self._last_ts = 0.0
        self._path = Path(state_dir) / STATE_FILE if state_dir is not None else None
        self._load()

    def next_ts(self) -> str:
        """A message timestamp later than every one handed out before."""
        self._seq += 1
        now = max(time.time(), self._last_ts)
        self._last_ts = now
        return f"{int(now)}.{self._seq:06d}"

    def post(self, message: Posted) -> Posted:
        self.posted.append(message)
        self.save()
        return message

    def find(self, channel: str, ts: str) -> Posted | None:
        for message in self.posted:
            if message.channel == channel and message.ts == ts and not message.deleted:
                return message
        return None

    def save(self) -> None:
        if self._path is None:
            return
        state = {
            "seq": self._seq,
            "last_ts": self._last_ts,
            # shallow: written at once, under the stand-in's lock; without indent, so the
            # C encoder writes it (it is written after every change: that adds up)
            "messages": [{f.name: getattr(m, f.name) for f in fields(m)} for m in self.posted],
            "home_views": self.home_views,
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(self._path)

    def _load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        state = json.loads(self._path.read_text(encoding="utf-8"))
        self._seq = int(state.get("seq", 0))
        self._last_ts = float(state.get("last_ts", 0.0))
        self.posted = [Posted(**m) for m in state.get("messages", [])]
        self.home_views = dict(state.get("home_views", {}))
