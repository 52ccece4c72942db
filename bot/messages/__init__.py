"""Block Kit and plain-text rendering of everything the bot says in Slack.

Every message is a `Rendered` (fallback text + blocks) built from domain values and use
case results; nothing here calls Slack or a partner. blocks.py holds the primitives (and
the escaping and limits every message goes through), release.py the messages about
releases, reply.py what only the caller sees, home.py the App Home tab.
"""

from bot.messages.blocks import ACTION_STEP, ACTION_TAG, Rendered, decode_value, escape

__all__ = ["ACTION_STEP", "ACTION_TAG", "Rendered", "decode_value", "escape"]
