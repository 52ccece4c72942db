"""The one base class of every refusal the domain (and the use cases) raise.

A `Refusal` is the process saying no to a person: its message says what is wrong in the
release manager's words, and its optional `hint` is the exact command or step to do
instead. `str(refusal)` is the message followed by the hint, so an entry point that only
prints `str()` still tells the whole story; renderers that want them apart read
`.message` and `.hint`. Entry points translate refusals in one place (Slack: an ephemeral
message; CLI: one line on stderr and exit status 2).
"""

from __future__ import annotations

ECHO_LIMIT = 60


def echoed(text: str, limit: int = ECHO_LIMIT) -> str:
    """What a refusal repeats of what someone typed: at most `limit` characters, so a
    megabyte of input never comes back in a message (escaping is the renderer's job)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Refusal(Exception):
    """The process refuses: `message` says why, `hint` (optional) what to do instead."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message
