"""Times as people read them: the team's zone, one format (issue 20)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain import times

PARIS = ZoneInfo("Europe/Paris")


def test_a_utc_moment_is_shown_on_the_team_clock() -> None:
    moment = dt.datetime(2026, 12, 9, 13, 0, tzinfo=dt.UTC)
    assert times.when(moment, PARIS) == "Wed 2026-12-09 14:00"
    assert times.day(moment.date()) == "Wed 2026-12-09"


def test_a_span_names_the_end_day_only_when_it_is_another_day() -> None:
    start = dt.datetime(2026, 12, 9, 13, 0, tzinfo=dt.UTC)
    assert times.span(start, start + dt.timedelta(hours=2), PARIS) == \
        "Wed 2026-12-09 14:00 to 16:00"
    assert times.span(start, start + dt.timedelta(hours=12), PARIS) == \
        "Wed 2026-12-09 14:00 to Thu 2026-12-10 02:00"
