"""The load-test rules (bot/domain/loadtest.py), the verify-stage guard that needs a
passed load test, and the `/loop loadtest` grammar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.actions import Action, Actor, Facts, GuardFailed, Role
from bot.domain.calendar import Calendar
from bot.domain.cycle import Freeze
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import decide
from bot.domain.loadtest import (
    Result,
    Window,
    WindowRefused,
    check_window,
    has_passed,
    load_test_days,
    result_problems,
)
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Kind, Release, State, Ticket
from bot.domain.version import ReleaseLabel, Version
from handlers.grammar.intents import BadInput, Command, LoadTestResult, LoadTestWindow
from handlers.grammar.parser import parse as parse_in

PARIS = ZoneInfo("Europe/Paris")
CALENDAR = Calendar.build(anchor=dt.date(2026, 12, 8), tz=PARIS, skip=[dt.date(2026, 12, 10)],
                          moves={dt.date(2027, 1, 5): dt.date(2027, 1, 6)},
                          freezes=[Freeze(dt.date(2027, 1, 20), dt.date(2027, 1, 21), "FOSDEM")])
NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)


def parse(text: str) -> Command:
    return parse_in(text, lambda _service: DEFAULT)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=PARIS)


def window(start: str, end: str, version: str = "0.14.0", **more: object) -> Window:
    return Window("loop-server", version, at(start), at(end), **more)  # type: ignore[arg-type]


def test_load_test_days_run_from_the_tagging_day_to_friday() -> None:
    days = load_test_days(CALENDAR, dt.date(2026, 12, 14))
    assert [d.isoformat() for d in days] == ["2026-12-08", "2026-12-09", "2026-12-10",
                                             "2026-12-11"]
    moved = load_test_days(CALENDAR, dt.date(2027, 1, 7))  # tagging moved to Wednesday
    assert [d.isoformat() for d in moved] == ["2027-01-06", "2027-01-07", "2027-01-08"]
    assert load_test_days(CALENDAR, dt.date(2026, 12, 1)) == ()  # before the first cycle


@pytest.mark.parametrize(("start", "end", "why"), [
    ("2026-12-10T14:00", "2026-12-10T16:00", "Thu 2026-12-10 is skipped"),
    ("2027-01-20T14:00", "2027-01-20T15:00", "Wed 2027-01-20 is frozen: FOSDEM"),
    ("2026-12-15T14:00", "2026-12-15T16:00", "Tue 2026-12-15 is not a load-test day"),
    ("2026-12-01T14:00", "2026-12-01T16:00", "it is before the first cycle"),
    ("2026-12-08T08:00", "2026-12-08T10:00", "the window starts in the past"),
    ("2026-12-09T16:00", "2026-12-09T16:00", "ends (Wed 2026-12-09 16:00) before it starts"),
])
def test_a_window_breaking_a_rule_is_refused_with_the_reason(start: str, end: str,
                                                              why: str) -> None:
    with pytest.raises(WindowRefused) as refused:
        check_window(CALENDAR, window(start, end), [], NOW)
    assert why in refused.value.message


def test_windows_may_touch_but_not_overlap_and_an_override_lists_what_it_broke() -> None:
    taken = [window("2026-12-09T10:00", "2026-12-09T12:00", "0.13.0")]
    assert check_window(CALENDAR, window("2026-12-09T12:00", "2026-12-09T13:00"), taken,
                        NOW) == ()
    with pytest.raises(WindowRefused, match="overlaps the window of loop-server 0.13.0"):
        check_window(CALENDAR, window("2026-12-09T11:59", "2026-12-09T13:00"), taken, NOW)
    forced = window("2026-12-09T11:00", "2026-12-12T10:00", override_reason="partner asks")
    skipped = check_window(CALENDAR, forced, taken, NOW)
    assert any("Thu 2026-12-10 is skipped" in s for s in skipped)
    assert any("Sat 2026-12-12 is not a load-test day" in s for s in skipped)
    assert any("overlaps" in s for s in skipped)


def test_a_window_longer_than_its_cycles_load_test_days_is_refused_at_once_in_one_line(
) -> None:
    """Issue 17: a window to the year 9999 took a minute and answered 3,000 characters of
    refused days; an override does not let it through either."""
    for reason in (None, "partner asks"):
        with pytest.raises(WindowRefused) as refused:
            check_window(CALENDAR, window("2026-12-10T14:00", "9999-12-31T09:00",
                                          override_reason=reason), [], NOW)
        assert refused.value.message == (
            "no load-test window for loop-server 0.14.0: it spans 2,912,100 days "
            "(Thu 2026-12-10 to Fri 9999-12-31), more than its cycle's load-test days "
            "(Tue 2026-12-08 to Fri 2026-12-11)")
    with pytest.raises(WindowRefused, match="spans 5 days"):
        check_window(CALENDAR, window("2026-12-08T14:00", "2026-12-12T09:00"), [], NOW)
    with pytest.raises(WindowRefused, match=r"spans 2 days .* \(none: it is before"):
        check_window(CALENDAR, window("2026-12-01T14:00", "2026-12-02T09:00"), [], NOW)


def test_a_result_needs_a_started_window_and_the_latest_result_counts() -> None:
    windows = [window("2026-12-09T14:00", "2026-12-09T16:00")]
    assert "no load-test window is set for 0.14.0" in result_problems([], NOW, "0.14.0",
                                                                      PARIS)[0]
    assert "starts Wed 2026-12-09 14:00" in result_problems(windows, NOW, "0.14.0", PARIS)[0]
    assert result_problems(windows, at("2026-12-09T14:00"), "0.14.0", PARIS) == []
    failed = Result("loop-server", "0.14.0", False)
    passed = Result("loop-server", "0.14.0", True)
    assert not has_passed([]) and not has_passed([passed, failed])
    assert has_passed([failed, passed])


def _stage_deployed(kind: Kind = Kind.CODE) -> Release:
    return Release("loop-server", "0.14.0", State.STAGE_DEPLOYED, kind=kind, tag="0.14.0",
                   tickets=(Ticket(Env.STAGE, 1105101),))


def _facts(load_test_required: bool = False, load_test_passed: bool = False) -> Facts:
    return Facts(tickets={"stage": Bug(1105101, "deploy", "RESOLVED", "FIXED")},
                 environment=EnvironmentState("stage", "https://stage", True, "0.14.0"),
                 load_test_required=load_test_required, load_test_passed=load_test_passed)


def test_verify_stage_needs_a_passed_load_test_only_when_the_service_requires_one() -> None:
    qa = Actor("U0QA00001", frozenset({Role.QA}))
    with pytest.raises(GuardFailed) as refused:
        decide(Action.VERIFY_STAGE, _stage_deployed(), _facts(load_test_required=True), qa,
               pipeline=DEFAULT)
    assert ("loop-server requires a passed load test and none is recorded for 0.14.0"
            in refused.value.message)
    assert "`/loop loadtest stage 0.14.0 pass`" in refused.value.message
    assert decide(Action.VERIFY_STAGE, _stage_deployed(), _facts(
        load_test_required=True, load_test_passed=True), qa,
        pipeline=DEFAULT).to_state is State.STAGE_VERIFIED
    assert decide(Action.VERIFY_STAGE, _stage_deployed(), _facts(), qa, pipeline=DEFAULT)
    assert decide(Action.VERIFY_STAGE, _stage_deployed(Kind.SERVICE),
                  _facts(load_test_required=True), qa,
                  pipeline=DEFAULT)  # a service change has no load test


V0140 = ReleaseLabel(version=Version(0, 14, 0))


def test_the_loadtest_grammar_reads_windows_and_results() -> None:
    read = parse("loadtest Staging v0.14.0 window 2026-12-09T14:00 16:30 TokBox tokbox")
    assert read.intent == LoadTestWindow(V0140, dt.datetime(2026, 12, 9, 14, 0),
                                         dt.datetime(2026, 12, 9, 16, 30), ("tokbox",))
    overnight = parse("loadtest stage 0.14.0 window 2026-12-09T22:00 2026-12-10T02:00")
    assert overnight.intent.end == dt.datetime(2026, 12, 10, 2, 0)  # type: ignore[union-attr]
    assert parse("loadtest stage 0.14.0 pass").intent == LoadTestResult(V0140, True)
    assert parse("loadtest stage 0.14.0 fail calls drop at 2k rooms bug 1105102").intent == \
        LoadTestResult(V0140, False, "calls drop at 2k rooms", 1105102)
    assert parse("loadtest stage 0.14.0 fail bug1105102 calls drop").intent == \
        LoadTestResult(V0140, False, "calls drop", 1105102)
    assert parse('loadtest stage 0.14.0 window 2026-12-14T09:00 10:00 --emergency "Monday '
                 'only"').emergency == "Monday only"


@pytest.mark.parametrize(("line", "why"), [
    ("loadtest prod 0.14.0 pass", "this applies to stage only"),
    ("loadtest stage 0.14.0", "expected `window`, `pass` or `fail` after 0.14.0"),
    ("loadtest stage 0.14.0 window 2026-12-09T14:00", "missing the end, like 16:00"),
    ("loadtest stage 0.14.0 maybe", "expected `window`, `pass` or `fail` after 0.14.0"),
    ("loadtest stage 0.14.0 window tomorrow 16:00", "couldn't read `tomorrow` as a time"),
    ("loadtest stage 0.14.0 window 2026-02-30T14:00 16:00", "is not a real date and time"),
    ("loadtest stage 0.14.0 window 2026-12-09T14:00 24:30", "`24:30` is not a real time"),
    ("loadtest stage 0.14.0 window 2026-12-09T14:00 16:00 <!channel>",
     "couldn't read `<!channel>` as a partner's name"),
    ("loadtest stage 0.14.0 pass bug 1105102", "a passed load test names no bug"),
])
def test_bad_loadtest_lines_say_what_was_wrong_with_the_usage(line: str, why: str) -> None:
    with pytest.raises(BadInput) as refused:
        parse(line)
    assert why in refused.value.message
    assert refused.value.hint == ("usage: `/loop loadtest stage VERSION window FROM TO "
                                  "[PARTNER...] | pass|fail [REASON] [bug N]`")
