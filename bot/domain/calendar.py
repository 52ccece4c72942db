"""The release cycle calendar: when each cycle tags, when it pushes to prod.

Rules (PROCESS.md, "The cycle"), all from primitives passed in; nothing reads the clock:
- Cycle 1 tags on the anchor date; cycle N tags `period_weeks` * (N - 1) weeks later, and
  pushes to prod `prod_offset_days` after its tagging (the Monday after, by default).
  These are the cycle's *nominal* dates; a cycle's number never changes, whatever is
  skipped or moved, so "cycle 3" means the same fortnight to everyone.
- A move `{from: to}` replaces one nominal tagging or prod-push date by another day.
  Moving a date that is not a nominal date, or onto a skipped or frozen day, is refused.
- A tagging or prod-push date that falls on a skipped day or inside a freeze does not
  happen, each independently. A cycle whose tagging is skipped tags nothing: what was
  merged during it is tagged by the next cycle. Its prod-push slot (if not skipped itself)
  still stands, for a release held back earlier or a patch.
- Phases of a day: the tagging day; the QA window (the weekdays after tagging, before the
  prod push); the prod-push day; between (everything else, weekends included).
- Dates are days in the team's time zone `tz`; the announcement of a cycle is
  `announce_at` wall-clock time on its tagging day in `tz`, so 10:00 Europe/Paris stays
  10:00 local in summer and in winter.
Date streams are dateutil rrules: the nominal rule, with moves as exdate/rdate, skipped
days as exdates and freezes as daily exrules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, WEEKLY, rrule, rruleset

from bot.domain.cycle import (
    BeforeAnchor,
    CalendarError,
    Cycle,
    Event,
    Freeze,
    Occurrence,
    Phase,
)


@dataclass(frozen=True)
class Calendar:
    """The cycle calendar. Build it with `Calendar.build` to pass skips and moves as any
    iterable and mapping of dates."""

    anchor: dt.date
    tz: ZoneInfo
    period_weeks: int = 2
    prod_offset_days: int = 6
    announce_at: dt.time = dt.time(10, 0)
    skip: frozenset[dt.date] = frozenset()
    freezes: tuple[Freeze, ...] = ()
    moves: tuple[tuple[dt.date, dt.date], ...] = ()

    @classmethod
    def build(
        cls, *, anchor: dt.date, tz: ZoneInfo, period_weeks: int = 2,
        prod_offset_days: int = 6, announce_at: dt.time = dt.time(10, 0),
        skip: Iterable[dt.date] = (), freezes: Iterable[Freeze] = (),
        moves: Mapping[dt.date, dt.date] | None = None,
    ) -> Calendar:
        """A calendar from plain collections; refuses contradictions with CalendarError."""
        return cls(
            anchor=anchor, tz=tz, period_weeks=period_weeks,
            prod_offset_days=prod_offset_days, announce_at=announce_at,
            skip=frozenset(skip), freezes=tuple(freezes),
            moves=tuple(sorted((moves or {}).items())),
        )

    def __post_init__(self) -> None:
        self._check_offsets()
        for freeze in self.freezes:
            _check_freeze(freeze)
        for source, target in self.moves:
            self._check_move(source, target)

    # -- questions about one day ------------------------------------------------------

    def cycle(self, number: int) -> Cycle:
        """Cycle `number` (1 = the anchor's)."""
        if number < 1:
            raise BeforeAnchor(f"cycle {number} does not exist: cycles are numbered from 1")
        nominal_tag = self.anchor + (number - 1) * self._period
        nominal_prod = nominal_tag + dt.timedelta(days=self.prod_offset_days)
        return Cycle(
            number=number,
            nominal_tag=nominal_tag,
            nominal_prod=nominal_prod,
            tag=self._actual(nominal_tag),
            prod=self._actual(nominal_prod),
        )

    def cycle_on(self, day: dt.date) -> Cycle:
        """The cycle whose fortnight (nominal tagging day to the day before the next
        one) contains `day`."""
        number = self._number(day)
        if number < 1:
            raise BeforeAnchor(
                f"{day.isoformat()} is before the first cycle ({self.anchor.isoformat()})",
                hint="set calendar.anchor to an earlier tagging day",
            )
        return self.cycle(number)

    def phase_on(self, day: dt.date) -> Phase:
        """What the process does on `day`."""
        events = {o.event for o in self.occurrences(day, day)}
        if Event.TAG in events:
            return Phase.TAGGING
        if Event.PROD in events:
            return Phase.PROD_PUSH
        if self._number(day) >= 1 and self._in_qa_window(self.cycle_on(day), day):
            return Phase.QA
        return Phase.BETWEEN

    def is_scheduled(self, day: dt.date) -> bool:
        """Whether `day` is a nominal tagging or prod-push date."""
        prod_anchor = self.anchor + dt.timedelta(days=self.prod_offset_days)
        return any(day >= start and (day - start) % self._period == dt.timedelta(0)
                   for start in (self.anchor, prod_anchor))

    def useless_skip(self, day: dt.date) -> str | None:
        """Why skipping `day` would change nothing, or None when it matters: a skipped day
        cancels a tagging or prod push and is no working day for deadlines, so only days
        before the first cycle and weekend days that are no tagging or prod-push date are
        useless."""
        if day < self.anchor:
            return f"{day.isoformat()} is before the first cycle ({self.anchor.isoformat()})"
        if day.weekday() >= 5 and not self.is_scheduled(day):
            return (f"{day.isoformat()} is a {day:%A}, neither a tagging nor a prod-push "
                    "date")
        return None

    def skip_reason(self, day: dt.date) -> str | None:
        """Why nothing happens on `day` ("skipped", "frozen: ..."), or None."""
        if day in self.skip:
            return "skipped"
        return next((f.describe() for f in self.freezes if day in f), None)

    def announcement(self, cycle: Cycle | int) -> dt.datetime | None:
        """When the cycle's tagging is announced (aware, in `tz`); None if not tagging."""
        found = cycle if isinstance(cycle, Cycle) else self.cycle(cycle)
        return self.at(found.tag, self.announce_at) if found.tag else None

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """`time` on `day` as the team's wall clock shows it (aware)."""
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def local_day(self, moment: dt.datetime) -> dt.date:
        """The team's date at an aware `moment`."""
        if moment.tzinfo is None:
            raise ValueError("local_day needs an aware datetime")
        return moment.astimezone(self.tz).date()

    # -- streams of dates -------------------------------------------------------------

    def next_tag_dates(self, start: dt.date, count: int) -> tuple[dt.date, ...]:
        """The next `count` tagging days on or after `start`."""
        return _dates(self._tag_set.xafter(_midnight(start), count=count, inc=True))

    def next_prod_dates(self, start: dt.date, count: int) -> tuple[dt.date, ...]:
        """The next `count` prod-push days on or after `start`."""
        return _dates(self._prod_set.xafter(_midnight(start), count=count, inc=True))

    def occurrences(self, start: dt.date, end: dt.date) -> tuple[Occurrence, ...]:
        """Every tagging and prod push from `start` to `end` (both included), in order."""
        window = (_midnight(start), _midnight(end))
        tags = [self._occurrence(d.date(), Event.TAG) for d in self._tag_set.between(
            *window, inc=True)]
        prods = [self._occurrence(d.date(), Event.PROD) for d in self._prod_set.between(
            *window, inc=True)]
        return tuple(sorted(tags + prods, key=lambda o: (o.day, o.event != Event.TAG)))

    def upcoming(self, start: dt.date, count: int) -> tuple[Cycle, ...]:
        """`count` cycles from the first one not over on `start`."""
        first = self._first_not_over(start)
        return tuple(self.cycle(n) for n in range(first, first + count))

    def cycles_between(self, start: dt.date, end: dt.date) -> tuple[Cycle, ...]:
        """The cycles with a date (actual or nominal) from `start` to `end`."""
        found: list[Cycle] = []
        number = self._first_not_over(start)
        while (cycle := self.cycle(number)).first_day <= end:
            found.append(cycle)
            number += 1
        return tuple(found)

    # -- internals --------------------------------------------------------------------

    @cached_property
    def _tag_rule(self) -> rrule:
        return self._nominal_rule(self.anchor)

    @cached_property
    def _prod_rule(self) -> rrule:
        return self._nominal_rule(self.anchor + dt.timedelta(days=self.prod_offset_days))

    @cached_property
    def _tag_set(self) -> rruleset:
        return self._effective(self._tag_rule)

    @cached_property
    def _prod_set(self) -> rruleset:
        return self._effective(self._prod_rule)

    @property
    def _period(self) -> dt.timedelta:
        return dt.timedelta(weeks=self.period_weeks)

    @cached_property
    def _origins(self) -> dict[dt.date, dt.date]:
        return {target: source for source, target in self.moves}

    def _nominal_rule(self, start: dt.date) -> rrule:
        return rrule(WEEKLY, interval=self.period_weeks, dtstart=_midnight(start), cache=True)

    def _effective(self, rule: rrule) -> rruleset:
        dates = rruleset(cache=True)
        dates.rrule(rule)
        for source, target in self.moves:
            if _on(rule, source):
                dates.exdate(_midnight(source))
                dates.rdate(_midnight(target))
        for day in self.skip:
            dates.exdate(_midnight(day))
        for freeze in self.freezes:
            dates.exrule(rrule(DAILY, dtstart=_midnight(freeze.start),
                               until=_midnight(freeze.end)))
        return dates

    def _actual(self, nominal: dt.date) -> dt.date | None:
        day = dict(self.moves).get(nominal, nominal)
        return None if self.skip_reason(day) else day

    def _number(self, day: dt.date) -> int:
        """How many nominal tagging days fall on or before `day` (0 before the anchor)."""
        if day < self.anchor:
            return 0
        return (day - self.anchor) // self._period + 1

    def _occurrence(self, day: dt.date, event: Event) -> Occurrence:
        return Occurrence(day=day, event=event, cycle=self._cycle_number_of(day, event))

    def _cycle_number_of(self, day: dt.date, event: Event) -> int:
        nominal = self._origins.get(day, day)
        if event is Event.PROD:
            nominal -= dt.timedelta(days=self.prod_offset_days)
        return self._number(nominal)

    def _first_not_over(self, start: dt.date) -> int:
        number = max(self._number(start), 1)
        return number if self.cycle(number).last_day >= start else number + 1

    def _in_qa_window(self, cycle: Cycle, day: dt.date) -> bool:
        push = cycle.prod or cycle.nominal_prod
        return cycle.tag is not None and cycle.tag < day < push and day.weekday() < 5

    def _check_offsets(self) -> None:
        if self.period_weeks < 1:
            raise CalendarError(f"calendar.period_weeks is {self.period_weeks}: must be >= 1")
        if not 0 <= self.prod_offset_days < 7 * self.period_weeks:
            raise CalendarError(
                f"calendar.prod_offset_days is {self.prod_offset_days}: the prod push must "
                f"come before the next tagging, {7 * self.period_weeks} days later",
                hint="use 6 for the Monday after a Tuesday tagging",
            )

    def _check_move(self, source: dt.date, target: dt.date) -> None:
        if not self.is_scheduled(source):
            raise CalendarError(
                f"calendar.moves: {source.isoformat()} is not a tagging or prod-push date",
                hint=f"move one of the dates `loopbot calendar --from {source.isoformat()}` "
                "lists",
            )
        if reason := self.skip_reason(target):
            raise CalendarError(
                f"calendar.moves: {source.isoformat()} is moved to {target.isoformat()}, "
                f"which is {reason}",
                hint="move it to a day that is neither skipped nor frozen",
            )


def _check_freeze(freeze: Freeze) -> None:
    if freeze.end < freeze.start:
        raise CalendarError(
            f"calendar.freezes: the freeze from {freeze.start.isoformat()} ends before it "
            f"starts ({freeze.end.isoformat()})"
        )


def _on(rule: rrule, day: dt.date) -> bool:
    return rule.after(_midnight(day), inc=True) == _midnight(day)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _dates(moments: Iterable[dt.datetime]) -> tuple[dt.date, ...]:
    return tuple(m.date() for m in moments)
