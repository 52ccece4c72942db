"""Issue 8 item 3: no work before the ack. A line longer than Slack ever sends is refused
at once without being read; what is read is read in one linear pass (bench/hostile_lines.py
measures it); the line is read only after Slack has its answer."""

from __future__ import annotations

import shlex

import pytest

from handlers.grammar import parser as grammar
from handlers.grammar.words import split
from tests.fixtures.app import OPS, LoopWorld
from tests.security.conftest import state

MEGABYTE = 1_000_000


@pytest.mark.parametrize("line", [
    'change "' + "capacity " * (MEGABYTE // 9) + '"',
    "tag " + "1" * MEGABYTE,
])
def test_a_megabyte_line_is_refused_unread(loop_world: LoopWorld, line: str) -> None:
    before = state(loop_world)
    answer = loop_world.command(OPS, line)
    assert answer.status_code == 200
    shown = loop_world.last_ephemeral(OPS).text
    assert f"reads {grammar.MAX_TEXT:,} at most" in shown
    assert len(shown) < 1000
    assert state(loop_world) == before


def test_the_longest_line_read_is_refused_for_its_content_not_its_length(
    loop_world: LoopWorld,
) -> None:
    line = "tag " + "1" * (grammar.MAX_TEXT - 4)
    loop_world.command(OPS, line)
    assert "as a version" in loop_world.last_ephemeral(OPS).text


@pytest.mark.parametrize("line", [
    'change "bump capacity to 40 nodes"', "reject stage 0.13.0 bug 1100042 it crashes",
    "block prod 0.13.0 bug#1100042", "  status   0.12.2  ", 'change "a" "b c"d',
    "change 'single quoted' and \"double\"", "", "help tag",
])
def test_the_linear_splitter_reads_lines_as_the_shell_did(line: str) -> None:
    assert split(line) == shlex.split(line)


def test_the_linear_splitter_refuses_an_unclosed_quote() -> None:
    with pytest.raises(grammar.BadInput, match="not closed"):
        split('change "capacity bump')
    with pytest.raises(grammar.BadInput, match="not closed"):
        split("reject stage 0.13.0 it's broken")
