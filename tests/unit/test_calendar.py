from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import Calendar
from bot.domain.cycle import (
    BadDate,
    BeforeAnchor,
    CalendarError,
    Event,
    Freeze,
    Occurrence,
    Phase,
    parse_day,
)

PARIS = ZoneInfo("Europe/Paris")
D = dt.date


FIRST_TUESDAY = D(2026, 12, 8)


def paris(anchor: D = FIRST_TUESDAY, **options: object) -> Calendar:
    return Calendar.build(anchor=anchor, tz=PARIS, **options)  # type: ignore[arg-type]


def test_cycle_one_tags_on_the_anchor_and_pushes_the_monday_after() -> None:
    cycle = paris().cycle(1)
    assert (cycle.tag, cycle.prod) == (D(2026, 12, 8), D(2026, 12, 14))
    assert cycle.prod is not None and cycle.prod.strftime("%A") == "Monday"


def test_the_cycle_containing_a_day_runs_from_its_tagging_to_the_next() -> None:
    calendar = paris(D(2027, 2, 2))
    assert calendar.cycle_on(D(2027, 2, 2)).number == 1
    assert calendar.cycle_on(D(2027, 2, 15)).number == 1
    third = calendar.cycle_on(D(2027, 3, 3))
    assert (third.number, third.tag, third.prod) == (3, D(2027, 3, 2), D(2027, 3, 8))


def test_a_day_before_the_anchor_has_no_cycle() -> None:
    with pytest.raises(BeforeAnchor) as caught:
        paris(D(2027, 1, 5)).cycle_on(D(2027, 1, 4))
    assert caught.value.hint == "set calendar.anchor to an earlier tagging day"


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (D(2027, 1, 19), Phase.TAGGING),  # Tuesday
        (D(2027, 1, 20), Phase.QA),
        (D(2027, 1, 21), Phase.QA),
        (D(2027, 1, 22), Phase.QA),  # Friday
        (D(2027, 1, 23), Phase.BETWEEN),  # weekend
        (D(2027, 1, 24), Phase.BETWEEN),
        (D(2027, 1, 25), Phase.PROD_PUSH),  # Monday
        (D(2027, 1, 26), Phase.BETWEEN),  # the quiet week
        (D(2027, 2, 1), Phase.BETWEEN),
        (D(2027, 2, 2), Phase.TAGGING),
    ],
)
def test_phase_of_each_day_of_a_cycle(day: D, phase: Phase) -> None:
    assert paris(D(2027, 1, 5)).phase_on(day) is phase


def test_the_announcement_keeps_ten_oclock_paris_across_the_march_change() -> None:
    calendar = paris(D(2027, 3, 16))
    before, after = calendar.announcement(1), calendar.announcement(2)
    assert before is not None and after is not None
    assert (before.hour, after.hour) == (10, 10)
    assert before.utcoffset() == dt.timedelta(hours=1)
    assert after.utcoffset() == dt.timedelta(hours=2)
    assert after.astimezone(dt.UTC).hour == 8


def test_a_cycle_spanning_the_october_change_keeps_wall_clock_times() -> None:
    calendar = paris(D(2027, 10, 26), announce_at=dt.time(9, 30))
    cycle = calendar.cycle(1)
    assert cycle.prod == D(2027, 11, 1)
    announced = calendar.announcement(cycle)
    push = calendar.at(cycle.prod, dt.time(9, 30))
    assert announced is not None and announced.utcoffset() == dt.timedelta(hours=2)
    assert push.utcoffset() == dt.timedelta(hours=1)
    elapsed = push.astimezone(dt.UTC) - announced.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(days=6, hours=1)


def test_local_day_of_an_instant_is_the_teams_date() -> None:
    late_utc = dt.datetime(2027, 1, 18, 23, 30, tzinfo=dt.UTC)
    assert paris().local_day(late_utc) == D(2027, 1, 19)


def test_a_skipped_tagging_day_leaves_the_cycle_without_tagging_and_keeps_numbers() -> None:
    calendar = paris(skip=[D(2026, 12, 22)])
    second, third = calendar.cycle(2), calendar.cycle(3)
    assert (second.tag, second.prod) == (None, D(2026, 12, 28))
    assert calendar.announcement(second) is None
    assert (third.number, third.tag) == (3, D(2027, 1, 5))
    assert calendar.phase_on(D(2026, 12, 22)) is Phase.BETWEEN
    assert calendar.phase_on(D(2026, 12, 23)) is Phase.BETWEEN  # no QA without a tag
    assert calendar.skip_reason(D(2026, 12, 22)) == "skipped"


def test_the_calendar_crosses_the_year_end() -> None:
    calendar = paris(skip=[D(2026, 12, 22)])
    assert calendar.next_tag_dates(D(2026, 12, 9), 3) == (
        D(2027, 1, 5), D(2027, 1, 19), D(2027, 2, 2))
    assert calendar.next_prod_dates(D(2026, 12, 15), 2) == (D(2026, 12, 28), D(2027, 1, 11))
    assert calendar.cycle_on(D(2027, 1, 1)).number == 2


def test_a_freeze_skips_every_date_inside_it() -> None:
    freeze = Freeze(D(2026, 12, 19), D(2027, 1, 3), "end-of-year freeze")
    calendar = paris(freezes=[freeze])
    assert calendar.cycle(2).tag is None and calendar.cycle(2).prod is None
    assert calendar.skip_reason(D(2026, 12, 28)) == (
        "frozen: end-of-year freeze (2026-12-19 to 2027-01-03)")
    assert [o.day for o in calendar.occurrences(D(2026, 12, 15), D(2027, 1, 11))] == [
        D(2027, 1, 5), D(2027, 1, 11)]


def test_a_moved_tagging_day_moves_its_announcement_and_qa_window() -> None:
    calendar = paris(D(2027, 4, 13), moves={D(2027, 4, 27): D(2027, 4, 28)})
    second = calendar.cycle(2)
    assert (second.tag, second.tag_moved) == (D(2027, 4, 28), True)
    assert calendar.phase_on(D(2027, 4, 27)) is Phase.BETWEEN
    assert calendar.phase_on(D(2027, 4, 28)) is Phase.TAGGING
    assert calendar.phase_on(D(2027, 4, 29)) is Phase.QA
    announced = calendar.announcement(second)
    assert announced == dt.datetime(2027, 4, 28, 10, 0, tzinfo=PARIS)


def test_a_moved_prod_push_keeps_its_cycle_number() -> None:
    calendar = paris(D(2027, 5, 11), moves={D(2027, 5, 17): D(2027, 5, 18)})
    assert calendar.occurrences(D(2027, 5, 16), D(2027, 5, 18)) == (
        Occurrence(D(2027, 5, 18), Event.PROD, 1),)
    assert calendar.phase_on(D(2027, 5, 17)) is Phase.QA  # QA lasts until the push
    assert calendar.phase_on(D(2027, 5, 18)) is Phase.PROD_PUSH


def test_moving_a_day_that_is_not_in_the_calendar_is_refused() -> None:
    with pytest.raises(CalendarError) as caught:
        paris(moves={D(2026, 12, 9): D(2026, 12, 10)})
    assert "2026-12-09 is not a tagging or prod-push date" in str(caught.value)


def test_moving_onto_a_skipped_day_is_refused() -> None:
    with pytest.raises(CalendarError, match="which is skipped"):
        paris(skip=[D(2027, 1, 6)], moves={D(2027, 1, 5): D(2027, 1, 6)})


def test_a_prod_push_after_the_next_tagging_is_refused() -> None:
    with pytest.raises(CalendarError, match="prod_offset_days is 14"):
        paris(prod_offset_days=14)


def test_a_freeze_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(CalendarError, match="ends before it starts"):
        paris(freezes=[Freeze(D(2027, 8, 20), D(2027, 8, 1))])


def test_upcoming_starts_with_the_first_cycle_not_over() -> None:
    calendar = paris(D(2027, 6, 8))
    assert [c.number for c in calendar.upcoming(D(2027, 6, 14), 2)] == [1, 2]
    assert [c.number for c in calendar.upcoming(D(2027, 6, 15), 2)] == [2, 3]
    assert [c.number for c in calendar.upcoming(D(2027, 1, 1), 1)] == [1]


def test_cycles_between_two_days() -> None:
    calendar = paris(D(2027, 6, 8))
    assert [c.number for c in calendar.cycles_between(D(2027, 6, 10), D(2027, 7, 6))] == [
        1, 2, 3]


@pytest.mark.parametrize("text", ["2026-13-01", "next tuesday", "08/12/2026", ""])
def test_a_bad_date_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(BadDate) as caught:
        parse_day(text, "--from")
    assert str(caught.value) == (
        f"couldn't read `{text}` as --from: expected YYYY-MM-DD, like 2026-12-08")


ANCHOR = D(2026, 12, 8)
SKIPS = st.lists(st.integers(0, 400).map(lambda n: ANCHOR + dt.timedelta(days=n)), max_size=6)


@settings(max_examples=40, deadline=None, database=None)
@given(skips=SKIPS, start=st.integers(0, 300), span=st.integers(0, 90))
def test_occurrences_are_exactly_the_dates_of_the_cycles(
    skips: list[D], start: int, span: int
) -> None:
    calendar = paris(skip=skips)
    first = ANCHOR + dt.timedelta(days=start)
    last = first + dt.timedelta(days=span)
    from_cycles = sorted(
        (day, event != Event.TAG, c.number)
        for c in calendar.cycles_between(first, last)
        for day, event in ((c.tag, Event.TAG), (c.prod, Event.PROD))
        if day is not None and first <= day <= last
    )
    occurrences = calendar.occurrences(first, last)
    assert [(o.day, o.event != Event.TAG, o.cycle) for o in occurrences] == from_cycles
    assert all(calendar.cycle_on(o.day).number == o.cycle for o in occurrences)
