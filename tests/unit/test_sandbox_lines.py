"""Reading sandbox chat lines as pasted: trailing comments go, everything else stays
(issue 9: the README's block failed on `/loop tag   # DEV: ...`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import Calendar
from bot.sandbox.chat.lines import clock_target, strip_comment

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("typed", "kept"), [
    ("/loop tag                          # DEV: preview 0.13.0", "/loop tag"),
    ("!click Tag 0.13.0   # confirm: the tag is made", "!click Tag 0.13.0"),
    ("!clock tagging #", "!clock tagging"),
    ("@qa /loop reject stage 0.13.0 bug #1100002", "@qa /loop reject stage 0.13.0 bug #1100002"),
    ("/loop block prod 0.13.0 bug#1100005 # why", "/loop block prod 0.13.0 bug#1100005"),
    ('/loop change "raise the # of workers # to 8" # OPS', '/loop change "raise the # of '
     'workers # to 8"'),
    ("/loop change “pool size # 2” # typographic quotes", "/loop change “pool size # 2”"),
    ("!commit Bug 1100003 — Don't drop calls # the apostrophe opens nothing",
     "!commit Bug 1100003 — Don't drop calls"),
    ("# a whole line", ""),
])
def test_a_trailing_comment_is_dropped_and_the_rest_kept(typed: str, kept: str) -> None:
    assert strip_comment(typed) == kept


def test_clock_tagging_moves_just_past_the_next_announcement() -> None:
    calendar = Calendar.build(anchor=dt.date(2026, 12, 8), tz=PARIS, skip=[dt.date(2026, 12, 22)])
    before = dt.datetime(2026, 11, 30, 16, 0, tzinfo=PARIS)
    assert clock_target("tagging", before, calendar) == dt.datetime(2026, 12, 8, 10, 5,
                                                                     tzinfo=PARIS)
    after = dt.datetime(2026, 12, 8, 11, 0, tzinfo=PARIS)  # that one is past; 22 is skipped
    assert clock_target("tagging", after, calendar) == dt.datetime(2027, 1, 5, 10, 5,
                                                                    tzinfo=PARIS)


def test_clock_refuses_going_back_and_unreadable_dates() -> None:
    calendar = Calendar.build(anchor=dt.date(2026, 12, 8), tz=PARIS)
    now = dt.datetime(2026, 12, 9, 9, 0, tzinfo=PARIS)
    with pytest.raises(ValueError, match="only moves forwards"):
        clock_target("2026-12-08 10:05", now, calendar)
    with pytest.raises(ValueError, match="couldn't read 'soonish'"):
        clock_target("soonish", now, calendar)
