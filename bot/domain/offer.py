"""Confirmations the bot offers: the button under a tag preview, the question before a
green light or an emergency override. Each offer is recorded (what, on which release, to
whom, until when) and a press is accepted only on a live offer, by the person it was
offered to; the press then does what was offered, never what its button value says.

Guarantees: `check_live` refuses a press on anything the bot never offered or on an
expired offer; `check_offered_to` refuses anyone but the person it was offered to. A
step's confirmation keeps every argument of the step as typed (`StepArguments`, in the
offer's detail), so the press does the whole step, not its name alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bot.domain.errors import Refusal

OFFER_TTL = dt.timedelta(hours=1)
TAG = "tag"  # the action of a tag confirmation (steps use their Action's value)
LOADTEST_WINDOW = "loadtest-window"  # an emergency load-test window's confirmation


class NotOffered(Refusal):
    """A press on a confirmation the bot did not offer, or not to this person, or no
    longer."""


@dataclass(frozen=True)
class Offer:
    id: str
    action: str
    service: str
    version: str
    offered_to: str
    expires_at: dt.datetime
    sha: str | None = None  # a tag's commit, as previewed
    reason: str | None = None  # an emergency override's reason, as typed
    detail: str | None = None  # what else the offer fixes (a load-test window's span), JSON


@dataclass(frozen=True)
class StepArguments:
    """What a lifecycle step was given besides its version: the bug it names (reject,
    block, unblock) and the reason written after it (reject)."""

    bug_id: int | None = None
    reason: str = ""

    def detail(self) -> str:
        """The offer's `detail` that keeps these arguments."""
        return json.dumps({"bug": self.bug_id, "reason": self.reason})

    @classmethod
    def of(cls, offer: Offer) -> StepArguments:
        """The arguments a step's offer keeps (none for an offer made without them)."""
        kept = json.loads(offer.detail) if offer.detail else {}
        bug = kept.get("bug")
        return cls(int(bug) if bug is not None else None, str(kept.get("reason") or ""))


def check_live(offer: Offer | None, now: dt.datetime) -> Offer:
    if offer is None:
        raise NotOffered("this button is not one I offered",
                         hint="run the command again to get a fresh one")
    if now >= offer.expires_at:
        raise NotOffered(f"this confirmation of {offer.action} {offer.version} has expired",
                         hint="run the command again to get a fresh one")
    return offer


def check_offered_to(offer: Offer, user: str) -> None:
    if offer.offered_to != user:
        raise NotOffered("this confirmation was offered to someone else",
                         hint="run the command yourself to get your own")
