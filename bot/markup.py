"""Text from outside (people, Bugzilla, git, the environments) inside what the bot says
in Slack: `escape` is the one function that makes it inert, wherever it is echoed (a
message's `text` and its blocks alike); `plain` turns escaped text back for email.

Guarantees of `escape`:
- &, < and > become Slack's entities, so no text can become `<!channel>`, `<!here>`,
  `<!subteam^...>`, a `<@U...>` mention or a link; `keep` names the only user ids whose
  mention may stay live (the person the bot is answering).
- `*`, `_` and `~` that could open bold, italic or strikethrough are followed by a zero
  width space, so `*bold*` typed in a reason shows as typed (backticks are left alone:
  text inside a code span is not formatted, and the bot quotes echoes in code spans).
A leaf module (imports nothing of the project's), so the use cases' messages and
bot/messages share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ZWSP = "\u200b"
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_OPENER = re.compile(r"(?<!\w)([*_~])")
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,20})&gt;")


def escape(text: str, *, keep: Iterable[str] = ()) -> str:
    """`text` made inert for Slack mrkdwn (and for a message's `text`)."""
    escaped = _OPENER.sub(r"\1" + ZWSP, text.translate(_ENTITIES))
    allowed = frozenset(keep)
    if not allowed:
        return escaped
    return _MENTION.sub(lambda m: f"<@{m.group(1)}>" if m.group(1) in allowed
                        else m.group(0), escaped)


def plain(text: str) -> str:
    """Escaped text as a person typed it (for an email, which Slack never renders)."""
    return (text.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))
