"""The go/no-go's values (issue 22): the facts it is decided on, its reasons and its
verdict. Pure and frozen; bot/domain/gonogo.py decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.api_impact import Impact
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.loadtest import Result
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release, State

PUSHED = frozenset({State.PROD_DEPLOYED, State.DONE, State.SUPERSEDED})


class Verdict(StrEnum):
    GO = "GO"
    NO_GO = "NO-GO"
    NOTHING = "NOTHING"  # nothing in flight: prod keeps what it runs


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Reason:
    """One thing checked: `ok`, or what is missing and whose move it is."""

    gate: str  # "stage ticket", "load test", "blocker", "prod ticket", "health", ...
    ok: bool
    text: str
    link: Link | None = None
    owners: tuple[str, ...] = ()  # the roles who must act (when not ok)
    blocking: bool = True  # a blocking reason that is not ok makes NO-GO


@dataclass(frozen=True)
class TicketFacts:
    """One ticketed environment, in pipeline order (the last one is prod)."""

    env: str
    bug: Bug | None  # None: not filed (or not read: see GoNoGoFacts.read_error)
    url: str | None = None
    bug_id: int | None = None


@dataclass(frozen=True)
class Drift:
    """What the candidate brings over what prod runs."""

    prod_version: str
    commits: int | None = None
    bugs: tuple[int, ...] = ()
    compare: Link | None = None
    error: str | None = None


@dataclass(frozen=True)
class GoNoGoFacts:
    service: str
    push_day: dt.date | None  # None: no push day ahead in the calendar
    candidate: Release | None
    pipeline: Pipeline  # the service's: its ticketed environments in order, prod last
    tickets: tuple[TicketFacts, ...] = ()
    load_test_required: bool = False
    load_test: Result | None = None  # the latest recorded result
    blockers: tuple[Bug, ...] = ()  # every bug recorded or linked as blocking prod
    bug_links: Mapping[int, str] = field(default_factory=dict)
    signoffs_missing: tuple[str, ...] = ()
    environments: tuple[EnvironmentState, ...] = ()
    drift: Drift | None = None
    api: Impact = ()
    read_error: str | None = None  # Bugzilla could not be read


@dataclass(frozen=True)
class GoNoGo:
    service: str
    push_day: dt.date | None
    candidate: Release | None
    verdict: Verdict
    reasons: tuple[Reason, ...]
    prod: EnvironmentState | None = None

    @property
    def failing(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocking and not r.ok)

    @property
    def to_do(self) -> tuple[Reason, ...]:
        """Every reason not ok (gates and the rest), in order."""
        return tuple(r for r in self.reasons if not r.ok)

    def moves(self) -> dict[str, tuple[Reason, ...]]:
        """Each role with the reasons it must act on before the push."""
        found: dict[str, list[Reason]] = {}
        for reason in self.to_do:
            for owner in reason.owners:
                found.setdefault(owner, []).append(reason)
        return {owner: tuple(reasons) for owner, reasons in found.items()}
