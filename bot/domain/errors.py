"""The one base class of every refusal the domain (and the use cases) raise.

A `Refusal` is the process saying no to a person: its message says what is wrong in the
release manager's words, and its optional `hint` is the exact command or step to do
instead. `str(refusal)` is the message followed by the hint, so an entry point that only
prints `str()` still tells the whole story; renderers that want them apart read
`.message` and `.hint`. Entry points translate refusals in one place (Slack: an ephemeral
message; CLI: one line on stderr and exit status 2).

Beside it, the domain's one text normaliser: `one_line` (line breaks folded, clipped) for
partner or user text written as one line, and `echoed` for input a refusal repeats.
"""

from __future__ import annotations

from collections.abc import Iterable

ECHO_LIMIT = 60
# A line of someone else's text (a Bugzilla summary, a commit subject, a display name, a
# service change's description) wherever the bot writes it as one line: CHANGELOG and
# release notes, tickets, Slack, the ICS feed, mail. Bugzilla allows 255 characters.
LINE_LIMIT = 160
# Every character Python's str.splitlines() (and so git, editors, Markdown or mail
# readers somewhere) may break a line at: CR, LF, VT, FF, FS, GS, RS, NEL, LS, PS.
_BREAKS = str.maketrans(dict.fromkeys("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))


def one_line(text: str, limit: int = LINE_LIMIT) -> str:
    """Partner or user text made one line: every line break a space (so a forged
    `\n## 9.9.9` never becomes a heading or an entry), clipped to `limit` characters
    with an ellipsis. Escaping for Slack is bot/markup.py's job, after this."""
    text = text.translate(_BREAKS)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echoed(text: str, limit: int = ECHO_LIMIT) -> str:
    """What a refusal repeats of what someone typed: one line of at most `limit`
    characters, so a megabyte of input never comes back in a message (escaping is the
    renderer's job)."""
    return one_line(text, limit)


def unknown_service(name: str | None, known: Iterable[str]) -> str:
    """The one wording of a service name that is not configured, wherever it is asked
    (Slack's `service:NAME`, the board's `?service=`, the calendar feed, the CLI). With
    `name` None the name asked is not repeated (the calendar feed, read by any client)."""
    asked = "no such service" if name is None else f"no service named '{echoed(name)}'"
    return f"{asked}; the services are: {', '.join(known)}"


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
