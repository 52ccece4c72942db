"""What a `/loop` line asks for, once read: one small frozen value per kind of request.
handlers/grammar/parser.py builds them; handlers/commands.py acts on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.actions import Action
from bot.domain.errors import Refusal
from bot.domain.version import ReleaseLabel, Version


class BadInput(Refusal):
    """A line that does not read as a `/loop` subcommand; `hint` holds the usage."""


# -- intents: what a line asks for ---------------------------------------------------------
@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class TagPreview:
    version: Version | None = None
    line: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of the lifecycle (everything after tagging)."""

    action: Action
    version: ReleaseLabel | None  # None: greenlight the release waiting for it
    bug_id: int | None = None
    reason: str = ""
    # the environment a reject or rerelease names: only checked against where the release
    # is (the domain finds that itself), so not part of what the step is
    env: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Backport:
    line: str
    shas: tuple[str, ...] = ()
    bug_id: int | None = None


@dataclass(frozen=True)
class ServiceChange:
    summary: str


@dataclass(frozen=True)
class Status:
    version: ReleaseLabel | None = None


@dataclass(frozen=True)
class History:
    version: ReleaseLabel


@dataclass(frozen=True)
class Envs:
    pass


@dataclass(frozen=True)
class CalendarDates:
    pass


@dataclass(frozen=True)
class GoNoGoQuestion:
    version: ReleaseLabel | None = None  # None: the release that would go next


@dataclass(frozen=True)
class Metrics:
    cycles: int


@dataclass(frozen=True)
class LoadTestWindow:
    """A load-test window (where the pipeline load-tests); start and end are the team's
    wall clock (naive)."""

    version: ReleaseLabel
    start: dt.datetime
    end: dt.datetime
    partners: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadTestResult:
    version: ReleaseLabel
    passed: bool
    reason: str = ""
    bug_id: int | None = None


@dataclass(frozen=True)
class ProdSignoff:
    version: ReleaseLabel


Intent = (Help | TagPreview | Step | Backport | ServiceChange | Status | History | Envs
          | CalendarDates | GoNoGoQuestion | LoadTestWindow | LoadTestResult | ProdSignoff
          | Metrics)


@dataclass(frozen=True)
class Command:
    """A parsed line: the intent, the service it names (None: the first configured) and
    the emergency reason when the caller breaks glass."""

    name: str
    intent: Intent
    service: str | None = None
    emergency: str | None = None
    text: str = ""


# -- declarations ---------------------------------------------------------------------------
