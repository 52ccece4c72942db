"""What a deployment ticket's history says happened, and when (issue 22): the steps of a
release made before the bot, learned at import so its metrics start on day one. Pure.

The first move of the stage ticket to RESOLVED FIXED is the stage deployment, the first
to VERIFIED FIXED the stage verification; the same moves of the prod ticket are the prod
push and its verification. A ticket moved straight to VERIFIED counts as deployed then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.release import Env


@dataclass(frozen=True)
class StatusMove:
    """A ticket's status (and resolution) after one change, at its time."""

    at: dt.datetime
    status: str
    resolution: str = ""


@dataclass(frozen=True)
class LearnedStep:
    action: str  # as the bot records it: "deployed stage", "verify prod", ...
    at: dt.datetime
    detail: str


def learned_steps(tickets: Mapping[Env, int], moves: Mapping[int, Sequence[StatusMove]]
                  ) -> list[LearnedStep]:
    """The steps each ticket's moves show, oldest first."""
    steps = []
    for env, bug_id in tickets.items():
        deployed = verified = None
        for move in sorted(moves.get(bug_id, ()), key=lambda m: m.at):
            if move.resolution != "FIXED":
                continue
            if move.status in ("RESOLVED", "VERIFIED", "CLOSED") and deployed is None:
                deployed = move.at
            if move.status == "VERIFIED" and verified is None:
                verified = move.at
        source = f"learned from {env.value} bug {bug_id}'s history"
        if deployed is not None:
            steps.append(LearnedStep(f"deployed {env.value}", deployed, source))
        if verified is not None:
            steps.append(LearnedStep(f"verify {env.value}", verified, source))
    return sorted(steps, key=lambda s: s.at)
