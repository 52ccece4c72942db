"""The board's filters: durations, next steps with their commands as code, statuses."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.board.render import ago, code_spans, status
from bot.domain.facts import Bug


@pytest.mark.parametrize(("delta", "shown"), [
    (dt.timedelta(seconds=20), "under a minute"),
    (dt.timedelta(minutes=7, seconds=59), "7 min"),
    (dt.timedelta(hours=3, minutes=12), "3 h 12 min"),
    (dt.timedelta(days=2, hours=4, minutes=30), "2 d 4 h"),
    (dt.timedelta(seconds=-5), "under a minute"),  # a clock a little behind the store's
    (None, "unknown"),
])
def test_time_since_the_last_step_reads_as_people_say_it(delta: dt.timedelta | None,
                                                         shown: str) -> None:
    assert ago(delta) == shown


def test_commands_in_a_next_step_become_code_and_everything_is_escaped() -> None:
    shown = code_spans("deploy <b>0.13.1</b> to stage, then `/loop deployed stage <x>`")
    assert str(shown) == ("deploy &lt;b&gt;0.13.1&lt;/b&gt; to stage, then "
                          "<code>/loop deployed stage &lt;x&gt;</code>")


def test_a_status_is_status_and_resolution_or_unknown() -> None:
    assert status(Bug(1100001, "Loop — deploy", "RESOLVED", "FIXED")) == "RESOLVED FIXED"
    assert status(Bug(1100002, "Loop — deploy", "NEW")) == "NEW"
    assert status(None) == "status unknown"
