"""Whether a green light or a prod push falls on the calendar's prod-push day, at the
context's clock (the rule: bot/domain/deadline.py `off_calendar_push`). A push counts
as an emergency when its own step or the release's green light broke glass."""

from __future__ import annotations

from bot.domain.actions import Action
from bot.domain.deadline import off_calendar_push
from bot.usecases.calendar_feed import calendar_from_settings
from bot.usecases.context import Context

ACTIONS = (Action.GREENLIGHT, Action.DEPLOYED_PROD)


def push_day_note(ctx: Context, action: Action, service: str, version: str, *,
                  emergency: bool) -> str:
    """What to say of `action` on `service` `version` today; "" when nothing (another
    step, or the prod-push day itself)."""
    if action not in ACTIONS:
        return ""
    calendar = calendar_from_settings(ctx.settings)
    today = calendar.local_day(ctx.clock())
    following = calendar.next_prod_dates(today, 1)
    pushed = action is Action.DEPLOYED_PROD
    if pushed and not emergency:
        with ctx.store.unit_of_work() as uow:
            emergency = any(e.is_override and e.action.endswith(Action.GREENLIGHT.value)
                            for e in uow.audit.find(service, version))
    return off_calendar_push(today, following[0] if following else None, pushed=pushed,
                             emergency=emergency) or ""
