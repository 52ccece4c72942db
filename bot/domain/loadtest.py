"""Load tests on stage, with partners (PROCESS.md, "The cycle" and step 4): QA agrees a
window with the partners, runs the load tests in it, and records whether they passed.

Rules, all pure (the calendar, the recorded windows and `now` are passed in):
- A window lies on the cycle's load-test days: the weekdays from the cycle's tagging day
  to the Friday of that week (Tuesday to Friday), none of them skipped or frozen. It
  starts before it ends, not in the past, and overlaps no other recorded window (the
  partners load-test one release at a time). Each broken rule is one line of the refusal.
- A window spanning more days than its cycle's load-test days is refused at once, in one
  line, even with an emergency override (so a window to the year 9999 costs nothing).
- An emergency override records the window anyway, listing the rules it broke.
- QA records a result (pass or fail) once a window of the release has started; the
  release has passed its load test when its latest result is a pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import times
from bot.domain.actions import Actor, Role, WrongState
from bot.domain.calendar import Calendar
from bot.domain.cycle import BeforeAnchor
from bot.domain.errors import Refusal
from bot.domain.permissions import check_may_break_glass, require
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release, State
from bot.domain.rules import waiting_on

FRIDAY = 4


def window_states(pipeline: Pipeline) -> frozenset[State]:
    """A window is agreed once the release is tagged, until QA verified the environment
    it is load-tested on (stage by default: `Pipeline.load_tested`)."""
    states = {State.TAGGED}
    for env in pipeline.before_prod:
        states |= set(waiting_on(env.name))
        if env == pipeline.load_tested:
            break
        states.add(State.of(env.name, "verified"))
    return frozenset(states)


def result_states(pipeline: Pipeline) -> frozenset[State]:
    """A result is recorded while the release runs where it is load-tested."""
    return frozenset({State.of(pipeline.load_tested.name, "deployed")})


class WindowRefused(Refusal):
    pass


@dataclass(frozen=True)
class Window:
    """A load-test window agreed with partners, in aware datetimes."""

    service: str
    version: str
    start: dt.datetime
    end: dt.datetime
    partners: tuple[str, ...] = ()
    actor: str = ""
    override_reason: str | None = None
    id: int | None = None

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end

    def same_as(self, other: Window) -> bool:
        return (self.service, self.version, self.start, self.end) == (
            other.service, other.version, other.start, other.end)

    @property
    def label(self) -> str:
        return f"{self.service} {self.version}"


@dataclass(frozen=True)
class Result:
    """What QA found in a load test of a release (where the pipeline load-tests)."""

    service: str
    version: str
    passed: bool
    reason: str = ""
    bug_id: int | None = None
    actor: str = ""
    at: dt.datetime | None = None
    id: int | None = None

    @property
    def word(self) -> str:
        return "passed" if self.passed else "failed"


def check_may_load_test(actor: Actor, service: str, override_reason: str | None) -> None:
    """QA of the service sets windows and records results; its emergency people may
    break glass."""
    if override_reason is not None:
        check_may_break_glass(actor, service)
        if not override_reason.strip():
            raise Refusal("an emergency override needs a written reason")
        return
    require(actor, frozenset({Role.QA}), "a load test", service)


def state_problems(release: Release, states: frozenset[State], what: str) -> list[str]:
    """Why the release's state does not allow `what` (empty when it does)."""
    if release.state in states:
        return []
    return [f"{release.service} {release.version} is {release.state.value}: it can't {what} "
            "now"]


def refuse_unless_overridden(problems: Sequence[str], override_reason: str | None,
                             hint: str | None = None) -> tuple[str, ...]:
    """The problems an override skips; WrongState listing them without one."""
    if problems and override_reason is None:
        raise WrongState("; ".join(problems), hint=hint)
    return tuple(problems)


def load_test_days(calendar: Calendar, day: dt.date) -> tuple[dt.date, ...]:
    """The load-test days of the cycle `day` falls in: its tagging day (moved if moved)
    to the Friday of that week, weekdays only. Skipped days are included (the window
    check names them); none before the first cycle."""
    try:
        cycle = calendar.cycle_on(day)
    except BeforeAnchor:
        return ()
    first = cycle.tag or cycle.nominal_tag
    friday = first + dt.timedelta(days=FRIDAY - first.weekday())
    count = (friday - first).days + 1
    return tuple(first + dt.timedelta(days=n) for n in range(max(count, 0)))


def last_load_test_day(calendar: Calendar, day: dt.date) -> dt.date:
    """The last load-test day a build on stage on `day` can be load-tested by: its
    cycle's, or the next cycle's when that is over (the first cycle's before it)."""
    days = load_test_days(calendar, max(day, calendar.anchor))
    if days and days[-1] >= day:
        return days[-1]
    following = calendar.cycle(calendar.cycle_on(max(day, calendar.anchor)).number + 1)
    return load_test_days(calendar, following.nominal_tag)[-1]


def window_problems(
    calendar: Calendar, window: Window, others: Sequence[Window], now: dt.datetime
) -> list[str]:
    """Every rule the window breaks, in the release manager's words (empty when none)."""
    if window.end <= window.start:
        return [f"the window ends ({_when(calendar, window.end)}) before it starts "
                f"({_when(calendar, window.start)})"]
    problems: list[str] = []
    if window.start < now:
        problems.append(f"the window starts in the past ({_when(calendar, window.start)})")
    days = _days_between(calendar, window.start, window.end)
    allowed = load_test_days(calendar, days[0])
    for day in days:
        reason = calendar.skip_reason(day)
        if reason:
            problems.append(f"{_day(day)} is {reason}")
        elif day not in allowed:
            problems.append(f"{_day(day)} is not a load-test day of its cycle "
                            f"({_span(allowed)})")
    for other in others:
        if other.overlaps(window):
            problems.append(f"it overlaps the window of {other.label} "
                            f"({_when(calendar, other.start)} to {_when(calendar, other.end)})")
    return problems


def check_window(
    calendar: Calendar, window: Window, others: Sequence[Window], now: dt.datetime
) -> tuple[str, ...]:
    """The problems an emergency override skips (empty without one); WindowRefused
    listing them otherwise, or at once for a window longer than its cycle's load-test
    days (no override)."""
    check_window_length(calendar, window)
    problems = window_problems(calendar, window, others, now)
    if problems and window.override_reason is None:
        raise WindowRefused(
            f"no load-test window for {window.label}: " + "; ".join(problems),
            hint="pick a time on the cycle's load-test days (Tuesday to Friday) that no "
                 "other window takes; `/loop calendar` shows the cycle",
        )
    return tuple(problems)


def check_window_length(calendar: Calendar, window: Window) -> None:
    """WindowRefused, in one line, for a window spanning more days than the load-test
    days of the cycle it starts in (at least one day is always allowed)."""
    if window.end <= window.start:
        return
    first = calendar.local_day(window.start)
    last = calendar.local_day(window.end - dt.timedelta(microseconds=1))
    allowed = load_test_days(calendar, first)
    span = (last - first).days + 1
    if span > max(len(allowed), 1):
        raise WindowRefused(
            f"no load-test window for {window.label}: it spans {span:,} days "
            f"({_day(first)} to {_day(last)}), more than its cycle's load-test days "
            f"({_span(allowed)})",
            hint="pick a time on the cycle's load-test days (Tuesday to Friday)")


def result_problems(windows: Sequence[Window], now: dt.datetime, version: str,
                    tz: dt.tzinfo) -> list[str]:
    """Why a result can't be recorded yet: no window, or none started."""
    if not windows:
        return [f"no load-test window is set for {version}: set one first "
                f"(`/loop loadtest stage {version} window FROM TO`)"]
    if all(w.start > now for w in windows):
        first = times.when(min(w.start for w in windows), tz)
        return [f"the load-test window of {version} starts {first}: "
                "record the result once it has run"]
    return []


def has_passed(results: Sequence[Result]) -> bool:
    """Whether the latest recorded result (results in recording order) is a pass."""
    return bool(results) and results[-1].passed


def _days_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    first = calendar.local_day(start)
    last = calendar.local_day(end - dt.timedelta(microseconds=1))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _when(calendar: Calendar, moment: dt.datetime) -> str:
    return times.when(moment, calendar.tz)


def _day(day: dt.date) -> str:
    return times.day(day)


def _span(days: Sequence[dt.date]) -> str:
    if not days:
        return "none: it is before the first cycle"
    return f"{_day(days[0])} to {_day(days[-1])}"
