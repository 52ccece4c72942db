"""`/loop history` as rendered (issues 18 and 20): the newest events that fit, each long
text clipped, the board's page for the whole trail, times on the team's clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.messages.reply import history
from bot.sandbox.slack.blocks import block_errors

PARIS = ZoneInfo("Europe/Paris")
AT = dt.datetime(2026, 12, 9, 8, 0, tzinfo=dt.UTC)


def test_a_window_recorded_with_iso_times_shows_them_on_the_team_clock() -> None:
    old = AuditEntry("U0QA00001", "load-test window", "loop-server", "0.13.0", at=AT,
                     detail="2026-12-09T13:00:00+00:00 to 2026-12-09T15:00:00+00:00")
    text = history("loop-server", "0.13.0", [old], PARIS).blocks[0]["text"]["text"]
    assert "• Wed 2026-12-09 09:00 <@U0QA00001> load-test window: Wed 2026-12-09 14:00 to " \
        "Wed 2026-12-09 16:00" in text


def test_many_long_events_keep_the_newest_and_say_how_many_are_left_out() -> None:
    entries = [AuditEntry("U0LEAD001", f"step {n}", "loop-server", "0.13.0",
                          at=AT + dt.timedelta(minutes=n), override_reason="why " * 900)
               for n in range(30)]
    rendered = history("loop-server", "0.13.0", entries, PARIS, "https://loopbot.example.com/")
    text = rendered.blocks[0]["text"]["text"]
    assert block_errors(rendered.blocks) == []
    assert "step 29" in text and "step 0 " not in text
    shown = text.count("• ")
    assert f"… {30 - shown} earlier event(s) not shown" in text
    assert all(len(line) < 400 for line in text.splitlines())
    assert "<https://loopbot.example.com/releases/loop-server/0.13.0|the whole trail on the " \
        "board>" in rendered.blocks[1]["elements"][0]["text"]


def test_a_detail_shaped_like_a_time_but_none_is_left_as_typed() -> None:
    odd = AuditEntry("U0QA00001", "reject", "loop-server", "0.13.0", at=AT,
                     detail="seen at 2026-13-45T99:00+00:00")
    text = history("loop-server", "0.13.0", [odd], PARIS).blocks[0]["text"]["text"]
    assert "seen at 2026-13-45T99:00+00:00" in text
