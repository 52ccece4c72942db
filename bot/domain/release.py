"""The release record: what only the bot knows about one release of one service.

Frozen values; bot/store.py turns rows into these at its edge. Outside facts (ticket
status, what an environment runs, tags) are not cached here as truth: the lifecycle reads
them afresh through `Facts` before every guarded step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum


class State(StrEnum):
    TAGGING = "tagging"  # recorded; the tag and the release notes are being made
    TAGGED = "tagged"  # the tag exists; no stage ticket yet
    STAGE_REQUESTED = "stage-requested"  # stage ticket filed, waiting for OPS
    STAGE_DEPLOYED = "stage-deployed"  # OPS deployed; stage ticket RESOLVED FIXED
    STAGE_VERIFIED = "stage-verified"  # QA verified; stage ticket VERIFIED
    PROD_REQUESTED = "prod-requested"  # prod ticket filed
    GREENLIT = "greenlit"  # QA gave the green light; OPS may push
    PROD_DEPLOYED = "prod-deployed"  # OPS pushed; prod ticket RESOLVED FIXED; monitoring
    DONE = "done"  # QA verified prod; prod ticket VERIFIED
    REJECTED = "rejected"  # QA rejected the stage build; a patch must replace it
    SUPERSEDED = "superseded"  # a newer release took its place on stage
    BACKED_OFF = "backed-off"  # OPS returned prod to the release before; a patch replaces it

    @property
    def is_final(self) -> bool:
        return self in (State.DONE, State.SUPERSEDED)


class Kind(StrEnum):
    CODE = "code"  # DEV-driven: a tag, a changelog, tickets
    SERVICE = "service"  # OPS-driven service-level change: tickets without a tag


class Env(StrEnum):
    STAGE = "stage"
    PROD = "prod"


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

    def ticket(self, env: Env) -> Ticket | None:
        """The current (latest attempt) ticket for env."""
        current = [t for t in self.tickets if t.env == env]
        return max(current, key=lambda t: t.attempt) if current else None

    def with_ticket(self, ticket: Ticket) -> Release:
        return replace(self, tickets=(*self.tickets, ticket))
