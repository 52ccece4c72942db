"""Confirmations the bot offers: the button under a tag preview, the question before a
green light or an emergency override. Each offer is recorded (what, on which release, to
whom, until when) and a press is accepted only on a live offer, by the person it was
offered to; the press then does what was offered, never what its button value says.

Guarantees: `check_live` refuses a press on anything the bot never offered or on an
expired offer; `check_offered_to` refuses anyone but the person it was offered to;
`check_may_accept` refuses a press by someone who may not take the offered step (roles
first: they say what is wrong more usefully), before the offer is used up. A
step's confirmation keeps every argument of the step as typed (`StepArguments`, in the
offer's detail), so the press does the whole step, not its name alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bot.domain.actions import Action, Actor
from bot.domain.errors import Refusal
from bot.domain.loadtest import check_may_load_test
from bot.domain.permissions import check_may_tag, check_role
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release
from bot.domain.rules import check_step_exists

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


def offered_step(value: object) -> Action:
    """The lifecycle step a button names (an offer's action, a next-step button's `a`)."""
    try:
        return Action(str(value))
    except ValueError:
        raise Refusal("this button is not one of mine any more",
                      hint="`/loop help` lists the commands") from None


def takes_step(offer: Offer) -> bool:
    """Whether pressing `offer` takes a lifecycle step (its release decides who may)."""
    return offer.action not in (TAG, LOADTEST_WINDOW)


def check_may_accept(offer: Offer, actor: Actor, *, expected: str | None = None,
                     release: Release | None = None, pipeline: Pipeline | None = None
                     ) -> None:
    """May `actor`'s press answer this live offer? It must be the kind of confirmation the
    button is (`expected`, when it says), `actor` must hold a role for the offered step
    (`release`: the offered step's release, as recorded, in its service's `pipeline`), and
    it must have been offered to `actor`."""
    if expected is not None and offer.action != expected:
        raise NotOffered("this button is not one I offered")
    if offer.action == TAG:
        check_may_tag(actor, offer.service)
    elif offer.action == LOADTEST_WINDOW:
        check_may_load_test(actor, offer.service, offer.reason)
    else:
        step = offered_step(offer.action)
        if release is None or pipeline is None:
            raise ValueError("a step's offer is accepted against its release and pipeline")
        check_step_exists(step, offer.service, pipeline=pipeline)
        check_role(step, release, actor, pipeline=pipeline, override=offer.reason is not None)
    check_offered_to(offer, actor.user_id)
