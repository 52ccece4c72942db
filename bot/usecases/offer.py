"""Offering a confirmation and accepting a press on one (bot/domain/offer.py says when a
press counts). The handlers put the offer's id in the button; a press hands it back."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from bot.domain.actions import Actor
from bot.domain.offer import (
    OFFER_TTL,
    Offer,
    check_live,
    check_may_accept,
    offered_step,
    takes_step,
)
from bot.usecases.context import Context, load_release

log = logging.getLogger("loopbot.slack")


@dataclass(frozen=True)
class Press:
    """A press accepted on a live offer: `first` when it claimed the offer (it does what
    was offered), False when an earlier press had (a double click, Slack's retry)."""

    offer: Offer
    first: bool


def offer_confirmation(ctx: Context, actor: Actor, action: str, service: str, version: str,
                       *, sha: str | None = None, reason: str | None = None,
                       detail: str | None = None) -> Offer:
    """Record that `actor` is offered to confirm `action` on `service` `version`."""
    offer = Offer(secrets.token_urlsafe(12), action, service, version, actor.user_id,
                  ctx.clock() + OFFER_TTL, sha, reason, detail)
    ctx.store.offer(offer)
    return offer


def live_offer(ctx: Context, key: object) -> Offer:
    """The live offer a button names; NotOffered for anything else."""
    offer = ctx.store.offered(key) if isinstance(key, str) and len(key) < 64 else None
    return check_live(offer, ctx.clock())


def accept_press(ctx: Context, actor: Actor, key: object, expected: str | None = None
                 ) -> Press:
    """A press on the confirmation `key` names, by `actor`: refused (NotOffered,
    MissingRole...) unless the offer is live, of the `expected` kind, for a step `actor`
    may take and offered to `actor`; otherwise claimed once, forever, so that only the
    first accepted press does what was offered. A refused press claims nothing."""
    offer = live_offer(ctx, key)
    release = pipeline = None
    if takes_step(offer) and (expected is None or offer.action == expected):
        offered_step(offer.action)  # a button of a step this bot no longer has: say so
        config = ctx.service(offer.service).config
        release, pipeline = load_release(ctx, config.name, offer.version), config.pipeline
    check_may_accept(offer, actor, expected=expected, release=release, pipeline=pipeline)
    if not ctx.store.claim(f"offer:{offer.id}", actor.user_id):
        log.info("confirmation %s pressed again: ignored", offer.id)
        return Press(offer, first=False)
    return Press(offer, first=True)
