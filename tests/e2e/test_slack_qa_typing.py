"""What people type at `/loop` that a trial tripped on, each through signed Slack requests
against the stand-ins: help on an alias the list itself advertises, invisible characters
pasted along with a command."""

from __future__ import annotations

import pytest

from bot.sandbox.chat.render import render_message
from bot.sandbox.slack.records import Posted
from bot.usecases.adoption import import_releases
from tests.fixtures.app import OPS, QA, LoopWorld


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


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060"])
def test_an_invisible_character_pasted_into_a_command_is_not_read(
        loop_world: LoopWorld, invisible: str) -> None:
    """A zero-width space (or a BOM, a word joiner) comes along when a command is copied
    from a web page or a document; the reply said "I don't know `status`; did you mean
    `status`?", the two looking the same."""
    import_releases(loop_world.app.ctx, loop_world.app.ctx.service("loop-server"))
    loop_world.command(OPS, f"status{invisible} 0.12.2{invisible}")
    shown = read(loop_world.last_ephemeral(OPS))
    assert ":no_entry:" not in shown
    assert "*loop-server 0.12.2*: done" in shown


def test_a_misspelt_option_is_told_the_one_meant(loop_world: LoopWorld) -> None:
    """`/loop metrics --cycle 3` listed `--service` and `--emergency` as the options, not
    the `--cycles` the user was after."""
    loop_world.command(OPS, "metrics --cycle 3")
    shown = read(loop_world.last_ephemeral(OPS))
    assert "unknown option `--cycle`; did you mean `--cycles`?" in shown
    assert "`--cycles N` (metrics)" in shown


@pytest.mark.parametrize("typed", ["2026-12-09 14:00 16:00", "2026-12-09 14:00 2026-12-09 16:00"])
def test_a_load_test_window_reads_a_date_and_time_apart(loop_world: LoopWorld, typed: str
                                                        ) -> None:
    """`!clock 2026-12-09 16:05` and `--start "2026-12-01 10:00"` take the date and the
    time apart; `/loop loadtest ... window 2026-12-09 14:00 16:00` was refused, "couldn't
    read `2026-12-09` as a time"."""
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, f"loadtest stage 0.13.0 window {typed}")
    shown = read(loop_world.channel()[-1])
    assert "*Load test of loop-server 0.13.0 on stage*: Wed 2026-12-09 14:00 to 16:00" in shown
