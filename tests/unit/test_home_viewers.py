"""App Home's viewers: the latest ones, within a time, at most a number (issue 18)."""

from __future__ import annotations

import datetime as dt

from bot.clock import ManualClock
from handlers.home import Viewers


def test_viewers_keep_the_latest_within_the_limit_and_forget_old_ones() -> None:
    clock = ManualClock(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    viewers = Viewers(clock, keep=dt.timedelta(hours=2), limit=3)
    for user in ("U0AAA0001", "U0BBB0001", "U0CCC0001", "U0DDD0001"):
        viewers.add(user)
    assert viewers.recent() == ["U0BBB0001", "U0CCC0001", "U0DDD0001"]
    clock.advance(dt.timedelta(hours=1))
    viewers.add("U0BBB0001")  # looked again: kept longer
    clock.advance(dt.timedelta(hours=1, minutes=30))
    assert viewers.recent() == ["U0BBB0001"]
    viewers.drop("U0BBB0001")
    assert viewers.recent() == []
