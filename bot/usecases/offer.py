"""Offering a confirmation and accepting a press on one (bot/domain/offer.py says when a
press counts). The handlers put the offer's id in the button; a press hands it back."""

from __future__ import annotations

import secrets

from bot.domain.actions import Actor
from bot.domain.offer import OFFER_TTL, Offer, check_live, check_offered_to
from bot.usecases.context import Context


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


def check_pressed_by(offer: Offer, actor: Actor) -> None:
    check_offered_to(offer, actor.user_id)
