"""Every `/loop help SUBCOMMAND` renders valid Block Kit and agrees with the lifecycle's
rules on who may run it (issue 9: help said only QA files the prod ticket)."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action, Role
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Kind
from bot.domain.rules import roles_for
from bot.messages.help import help_topic
from bot.sandbox.slack.blocks import block_errors
from handlers.grammar import help
from handlers.grammar.parser import SUBCOMMANDS


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_every_topic_renders_valid_blocks_with_who_and_an_example(name: str) -> None:
    topic = help.topic(SUBCOMMANDS[name])
    rendered = help_topic(topic)
    assert block_errors(rendered.blocks) == []
    assert topic.who and topic.examples, name
    assert ("--emergency" in rendered.text) == SUBCOMMANDS[name].emergency


def test_who_comes_from_the_lifecycle() -> None:
    assert roles_for(Action.REQUEST_PROD, Kind.CODE, DEFAULT) == {Role.DEV, Role.QA}
    assert help.who(SUBCOMMANDS["request"]).startswith("DEV or QA")
    assert help.who(SUBCOMMANDS["block"]) == "DEV, OPS or QA"
    assert help.who(SUBCOMMANDS["status"]) == "anyone"
