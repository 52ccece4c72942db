"""What `/loop help` and a mistyped subcommand say, over signed HTTP as Slack sends them:
help takes one subcommand, a repeated option is "given twice", and a suggestion is made
only when it is close (a short form people type still finds its subcommand)."""

from __future__ import annotations

import pytest

from tests.fixtures.app import QA, LoopWorld


def said(world: LoopWorld, text: str) -> str:
    assert world.command(QA, text).status_code == 200
    return world.last_ephemeral(QA).text


def test_help_with_two_words_says_it_takes_one_subcommand(loop_world: LoopWorld) -> None:
    shown = said(loop_world, "help tag request")
    assert "help takes one subcommand, not `tag request`" in shown
    assert "usage: `/loop help [SUBCOMMAND]`" in shown


def test_a_repeated_option_is_given_twice(loop_world: LoopWorld) -> None:
    shown = said(loop_world, "metrics --cycles 3 --cycles 4")
    assert "`--cycles` is given twice ('3', then '4')" in shown
    assert "unexpected" not in shown


@pytest.mark.parametrize("text", ["help everything", "everything"])
def test_a_far_word_gets_no_suggestion(loop_world: LoopWorld, text: str) -> None:
    shown = said(loop_world, text)
    assert "I don't know `everything`" in shown and "did you mean" not in shown
    assert "`/loop help` lists the subcommands" in shown


@pytest.mark.parametrize(("typed", "meant"), [("cal", "calendar"), ("go", "gonogo"),
                                              ("verfy", "verify"), ("help greenlite",
                                                                    "greenlight")])
def test_a_short_form_or_a_typo_gets_its_subcommand(loop_world: LoopWorld, typed: str,
                                                    meant: str) -> None:
    assert f"did you mean `{meant}`?" in said(loop_world, typed)
