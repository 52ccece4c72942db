from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.config.settings import Settings, load_settings, settings_from_dict
from bot.domain.cycle import CalendarError
from bot.messages.calendar import render_ics, render_json, render_text
from bot.usecases.calendar_feed import calendar_from_settings, select_cycles

APP_YAML = Path(__file__).resolve().parents[2] / "app.yaml"
PARIS = ZoneInfo("Europe/Paris")
STAMP = dt.datetime(2026, 11, 28, 9, 15, tzinfo=dt.UTC)


def _settings(calendar: dict[str, object]) -> Settings:
    return settings_from_dict(
        {"calendar": calendar,
         "services": [{"name": "loop-server", "repo": "mozilla-services/loop-server"}]},
        environ={},
    )


def test_the_shipped_configuration_skips_the_tagging_before_christmas() -> None:
    calendar = calendar_from_settings(load_settings(APP_YAML, environ={}))
    cycles = select_cycles(calendar, dt.date(2026, 12, 1), count=3)
    assert [(c.number, c.tag, c.prod) for c in cycles] == [
        (1, dt.date(2026, 12, 8), dt.date(2026, 12, 14)),
        (2, None, dt.date(2026, 12, 28)),
        (3, dt.date(2027, 1, 5), dt.date(2027, 1, 11)),
    ]


def test_freezes_and_moves_come_from_the_configuration() -> None:
    settings = _settings({
        "anchor": "2027-06-08",
        "freezes": [{"start": "2027-08-02", "end": "2027-08-13", "reason": "summer freeze"}],
        "moves": {"2027-06-22": "2027-06-23"},
    })
    calendar = calendar_from_settings(settings)
    assert calendar.cycle(2).tag == dt.date(2027, 6, 23)
    assert calendar.cycle(5).tag is None and calendar.cycle(5).prod is None


def test_another_anchor_previews_the_calendar_but_refuses_moves_it_lacks() -> None:
    plain = _settings({"anchor": "2027-06-08"})
    preview = calendar_from_settings(plain, anchor=dt.date(2027, 6, 9))
    assert preview.cycle(1).prod == dt.date(2027, 6, 15)
    moved = _settings({"anchor": "2027-06-08", "moves": {"2027-06-22": "2027-06-23"}})
    with pytest.raises(CalendarError, match="2027-06-22 is not a tagging or prod-push date"):
        calendar_from_settings(moved, anchor=dt.date(2027, 6, 9))


def test_text_names_each_cycle_with_moves_and_skips() -> None:
    settings = _settings({"anchor": "2027-04-13", "skip": ["2027-05-11"],
                          "moves": {"2027-04-27": "2027-04-28"}})
    calendar = calendar_from_settings(settings)
    text = render_text(calendar, calendar.upcoming(dt.date(2027, 4, 13), 3), "loop-server")
    assert text.splitlines() == [
        "loop-server release calendar (Europe/Paris)",
        "cycle   1: tagging Tue 2027-04-13 at 10:00; prod push Mon 2027-04-19",
        "cycle   2: tagging Wed 2027-04-28 at 10:00 (moved from Tue 2027-04-27); "
        "prod push Mon 2027-05-03",
        "cycle   3: no tagging (Tue 2027-05-11 skipped); prod push Mon 2027-05-17",
    ]


def test_json_is_a_list_of_cycles_with_null_for_skipped_dates() -> None:
    calendar = calendar_from_settings(_settings({"anchor": "2026-12-08",
                                                 "skip": ["2026-12-28"]}))
    rows = json.loads(render_json(calendar.upcoming(dt.date(2026, 12, 9), 2)))
    assert rows == [
        {"cycle": 1, "tag": "2026-12-08", "prod": "2026-12-14"},
        {"cycle": 2, "tag": "2026-12-22", "prod": None},
    ]


def test_ics_parses_back_with_timed_taggings_and_all_day_pushes() -> None:
    calendar = calendar_from_settings(_settings({"anchor": "2027-03-16"}))
    ics = render_ics(calendar, calendar.upcoming(dt.date(2027, 3, 16), 2), "loop-server", STAMP)
    parsed = icalendar.Calendar.from_ical(ics)
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    assert sorted(events) == [
        "loop-server-prod-2027-03-22@loopbot", "loop-server-prod-2027-04-05@loopbot",
        "loop-server-tag-2027-03-16@loopbot", "loop-server-tag-2027-03-30@loopbot",
    ]
    winter = events["loop-server-tag-2027-03-16@loopbot"].decoded("dtstart")
    summer = events["loop-server-tag-2027-03-30@loopbot"].decoded("dtstart")
    assert (winter.hour, summer.hour) == (10, 10)
    assert (winter.utcoffset(), summer.utcoffset()) == (dt.timedelta(hours=1),
                                                        dt.timedelta(hours=2))
    push = events["loop-server-prod-2027-04-05@loopbot"]
    assert push.decoded("dtstart") == dt.date(2027, 4, 5)
    assert push.decoded("dtend") == dt.date(2027, 4, 6)
    assert str(push["summary"]) == "loop-server: prod push (cycle 2)"
    assert [tz.tz_name for tz in parsed.timezones] == ["Europe/Paris"]


def test_a_moved_date_keeps_its_uid_and_a_skipped_one_has_no_event() -> None:
    settings = _settings({"anchor": "2027-09-14", "skip": ["2027-09-28"],
                          "moves": {"2027-09-20": "2027-09-21"}})
    calendar = calendar_from_settings(settings)
    ics = render_ics(calendar, calendar.upcoming(dt.date(2027, 9, 14), 2), "loop-client", STAMP)
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}
    prod = events["loop-client-prod-2027-09-20@loopbot"]
    assert prod.decoded("dtstart") == dt.date(2027, 9, 21)
    assert "loop-client-tag-2027-09-28@loopbot" not in events
    assert str(events["loop-client-tag-2027-09-14@loopbot"]["summary"]) == (
        "loop-client: tagging day (cycle 1)")
