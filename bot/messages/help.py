"""`/loop help SUBCOMMAND`: one subcommand's usage, who may run it, what it changes in
GitHub and Bugzilla, examples, and only the options that apply to it.

Guarantees: everything shown comes from the `HelpTopic` the caller builds from the
subcommand's declaration (handlers/grammar/parser.py) and the domain's rules; nothing here is a
second copy of who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages.blocks import Rendered, context, escape, section


@dataclass(frozen=True)
class HelpTopic:
    usage: str  # `/loop reject stage VERSION [bug N] [REASON]`
    summary: str
    who: str  # "QA", "DEV or QA", "anyone"
    changes: str  # "" when it changes nothing outside
    examples: tuple[str, ...]
    options: tuple[str, ...]


def help_topic(topic: HelpTopic) -> Rendered:
    lines = [f"*Who*: {escape(topic.who)}"]
    if topic.changes:
        lines.append(f"*Changes*: {escape(topic.changes)}")
    lines += [f"*Example*: `{escape(example)}`" for example in topic.examples]
    text = "\n".join([f"{topic.usage}: {topic.summary}", f"Who: {topic.who}",
                      *([f"Changes: {topic.changes}"] if topic.changes else []),
                      *(f"Example: {example}" for example in topic.examples),
                      *(f"Option: {option}" for option in topic.options)])
    blocks = [section(f"`{escape(topic.usage)}`\n{escape(topic.summary)}"),
              section("\n".join(lines))]
    if topic.options:
        blocks.append(context("Options: " + "; ".join(escape(o) for o in topic.options)))
    return Rendered(text, blocks)
