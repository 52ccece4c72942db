"""What people type at `/loop` that a trial tripped on, each through signed Slack requests
against the stand-ins: help on an alias the list itself advertises."""

from __future__ import annotations

from bot.sandbox.chat.render import render_message
from bot.sandbox.slack.records import Posted
from tests.fixtures.app import OPS, LoopWorld


def read(message: Posted) -> str:
    return render_message(message, lambda user_id: user_id)


def test_help_on_rollback_explains_backoff(loop_world: LoopWorld) -> None:
    """`/loop help` says "`rollback` works too"; `/loop help rollback` said "I don't know
    `rollback`; did you mean `backoff`?"."""
    loop_world.command(OPS, "help rollback")
    shown = read(loop_world.last_ephemeral(OPS))
    assert "I don't know" not in shown
    assert "loopbot: `/loop backoff prod VERSION [bug N] REASON`\n" in shown
    assert "*Who*: OPS or QA" in shown
