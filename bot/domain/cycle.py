"""The calendar's values: cycles, their dates and phases, freezes, and the refusals of a
calendar or a date that cannot be read. Pure and frozen (bot/domain/calendar.py computes
them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import Refusal

DATE_EXAMPLE = "2026-12-08"


class CalendarError(Refusal):
    """The calendar's configuration contradicts itself (a move, a freeze, an offset)."""


class BadDate(Refusal):
    """Text that is not a YYYY-MM-DD date."""


class BeforeAnchor(Refusal):
    """A date before the calendar's first cycle."""


class Phase(StrEnum):
    TAGGING = "tagging"
    QA = "qa"
    PROD_PUSH = "prod-push"
    BETWEEN = "between"


class Event(StrEnum):
    TAG = "tag"
    PROD = "prod"


@dataclass(frozen=True)
class Freeze:
    """Days `start` to `end` (both included) with no tagging and no prod push."""

    start: dt.date
    end: dt.date
    reason: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def describe(self) -> str:
        span = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"frozen: {self.reason} ({span})" if self.reason else f"frozen ({span})"


@dataclass(frozen=True)
class Cycle:
    """One cycle; `tag`/`prod` are the actual dates (moves applied), None when skipped."""

    number: int
    nominal_tag: dt.date
    nominal_prod: dt.date
    tag: dt.date | None
    prod: dt.date | None

    @property
    def tag_moved(self) -> bool:
        return self.tag is not None and self.tag != self.nominal_tag

    @property
    def prod_moved(self) -> bool:
        return self.prod is not None and self.prod != self.nominal_prod

    @property
    def last_day(self) -> dt.date:
        return max(d for d in (self.nominal_tag, self.nominal_prod, self.tag, self.prod) if d)

    @property
    def first_day(self) -> dt.date:
        return min(d for d in (self.nominal_tag, self.nominal_prod, self.tag, self.prod) if d)


@dataclass(frozen=True)
class Occurrence:
    day: dt.date
    event: Event
    cycle: int


def parse_day(text: str, what: str = "a date") -> dt.date:
    """Read YYYY-MM-DD; refuse anything else with the expected form."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadDate(
            f"couldn't read `{text}` as {what}: expected YYYY-MM-DD, like {DATE_EXAMPLE}"
        ) from None
