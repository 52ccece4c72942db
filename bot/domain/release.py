"""The release record: what only the bot knows about one release of one service.

Frozen values; bot/store.py turns rows into these at its edge. Outside facts (ticket
status, what an environment runs, tags) are not cached here as truth: the lifecycle reads
them afresh through `Facts` before every guarded step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, ClassVar, Self, cast


class _Family(type):
    """Iterating the class gives its well-known constants, in the order they were set
    (for State: today's dev -> stage -> prod lifecycle)."""

    def __iter__(cls) -> Iterator[Any]:
        return iter(cls._constants())

    def __len__(cls) -> int:
        return len(cls._constants())

    def _constants(cls) -> list[Any]:
        return [v for k, v in vars(cls).items() if k.isupper() and isinstance(v, cls)]


class _Word(str, metaclass=_Family):
    """A string value from a closed family, interned: `State("stage-requested") is
    State.STAGE_REQUESTED`, so `is` comparisons and the database's strings keep working
    while the family grows with the pipeline (bot/domain/pipeline.py)."""

    _known: ClassVar[dict[str, Any]]
    _kind: ClassVar[str] = "value"

    def __new__(cls, value: str) -> Self:
        found = cls._known.get(value)
        if found is None:
            if not isinstance(value, str) or not cls._valid(str(value)):
                raise ValueError(f"{value!r} is not a valid {cls._kind}")
            found = cls._known[str(value)] = super().__new__(cls, value)
        return cast(Self, found)

    def __init_subclass__(cls) -> None:
        cls._known = {}

    @classmethod
    def _valid(cls, value: str) -> bool:
        raise NotImplementedError

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (str.__str__(self),))


_ENV_WORD = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PHASES = ("requested", "deployed", "verified")
_FIXED_STATES = ("tagging", "tagged", "greenlit", "done", "rejected", "superseded", "backed-off")


class Env(_Word):
    """An environment's name, as commands and tickets say it (bot/domain/pipeline.py)."""

    _kind = "environment name"
    STAGE: ClassVar[Env]
    PROD: ClassVar[Env]

    @classmethod
    def _valid(cls, value: str) -> bool:
        return bool(_ENV_WORD.fullmatch(value))


class State(_Word):
    """Where a release stands: the fixed states, and per environment of its pipeline
    `{env}-requested` (ticket filed), `{env}-deployed` (RESOLVED FIXED), `{env}-verified`
    (VERIFIED). Prod is never "verified": verifying it makes the release done."""

    _kind = "release state"
    TAGGING: ClassVar[State]  # recorded; the tag and the release notes are being made
    TAGGED: ClassVar[State]  # the tag exists; no stage ticket yet
    STAGE_REQUESTED: ClassVar[State]  # stage ticket filed, waiting for OPS
    STAGE_DEPLOYED: ClassVar[State]  # OPS deployed; stage ticket RESOLVED FIXED
    STAGE_VERIFIED: ClassVar[State]  # QA verified; stage ticket VERIFIED
    PROD_REQUESTED: ClassVar[State]  # prod ticket filed
    GREENLIT: ClassVar[State]  # QA gave the green light; OPS may push
    PROD_DEPLOYED: ClassVar[State]  # OPS pushed; prod ticket RESOLVED FIXED; monitoring
    DONE: ClassVar[State]  # QA verified prod; prod ticket VERIFIED
    REJECTED: ClassVar[State]  # QA rejected the stage build; a patch must replace it
    SUPERSEDED: ClassVar[State]  # a newer release took its place on stage
    BACKED_OFF: ClassVar[State]  # OPS returned prod to the release before; a patch replaces it

    @classmethod
    def _valid(cls, value: str) -> bool:
        if value in _FIXED_STATES:
            return True
        env, _, phase = value.rpartition("-")
        return phase in PHASES and bool(_ENV_WORD.fullmatch(env))

    @classmethod
    def of(cls, env: str, phase: str) -> State:
        return cls(f"{env}-{phase}")

    @property
    def env(self) -> Env | None:
        """The environment of an `{env}-{phase}` state."""
        env, _, phase = self.value.rpartition("-")
        return Env(env) if phase in PHASES and self.value not in _FIXED_STATES else None

    @property
    def phase(self) -> str | None:
        return self.value.rpartition("-")[2] if self.env is not None else None

    @property
    def is_final(self) -> bool:
        return self in (State.DONE, State.SUPERSEDED)


Env.STAGE, Env.PROD = Env("stage"), Env("prod")
State.TAGGING, State.TAGGED = State("tagging"), State("tagged")
State.STAGE_REQUESTED = State("stage-requested")
State.STAGE_DEPLOYED = State("stage-deployed")
State.STAGE_VERIFIED = State("stage-verified")
State.PROD_REQUESTED = State("prod-requested")
State.GREENLIT = State("greenlit")
State.PROD_DEPLOYED = State("prod-deployed")
State.DONE = State("done")
State.REJECTED, State.SUPERSEDED = State("rejected"), State("superseded")
State.BACKED_OFF = State("backed-off")


class Kind(StrEnum):
    CODE = "code"  # DEV-driven: a tag, a changelog, tickets
    SERVICE = "service"  # OPS-driven service-level change: tickets without a tag


@dataclass(frozen=True)
class Ticket:
    """A deployment ticket. `attempt` grows when OPS re-releases the same build (the old
    ticket is closed INVALID and a new one filed for the same release and environment)."""

    env: Env
    bug_id: int
    attempt: int = 1


@dataclass(frozen=True)
class Release:
    service: str
    version: str
    state: State
    kind: Kind = Kind.CODE
    tag: str | None = None
    commit_sha: str | None = None
    previous_version: str | None = None
    branch: str | None = None  # where it was tagged: master or a maintenance branch
    fixed_bugs: tuple[int, ...] = ()  # the changelog's RESOLVED FIXED bugs
    flagged_bugs: tuple[int, ...] = ()  # referenced but not RESOLVED FIXED
    tickets: tuple[Ticket, ...] = ()
    blockers: tuple[int, ...] = ()  # bugs blocking prod, as recorded by the bot
    rejected_for: int | None = None  # the bug it was rejected on stage (or backed off) for
    superseded_by: str | None = None
    summary: str = ""  # a service change's description
    notes: str = ""  # the release notes rendered at tagging (CHANGELOG style)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    id: int | None = field(default=None, compare=False)

    def ticket(self, env: str) -> Ticket | None:
        """The current (latest attempt) ticket for env."""
        current = [t for t in self.tickets if t.env == env]
        return max(current, key=lambda t: t.attempt) if current else None

    def with_ticket(self, ticket: Ticket) -> Release:
        return replace(self, tickets=(*self.tickets, ticket))
