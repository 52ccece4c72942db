"""App Home: published when someone opens the bot's Home tab, after they press one of its
buttons, and again for everyone who opened it whenever a step changes a release. Shows
the releases in flight, what each environment runs, the next dates of the cycle and what
the viewer can do next (bot/messages/home.py renders it).

The viewers refreshed after a step are the people who opened Home lately (`Viewers`:
the last `VIEWERS_KEEP`, at most `VIEWERS_MAX`); one whom Slack no longer knows
(deactivated, another workspace) is dropped at the first failed publish, with one log
line."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk.errors import SlackApiError

from bot.messages.home import ServiceHome, home_view
from bot.usecases.calendar_feed import calendar_from_settings, select_cycles
from bot.usecases.dev_lag import environments_and_lag
from bot.usecases.queries import releases_in_flight
from bot.usecases.release import gate_pending
from handlers.commands import retry_number
from handlers.work import Job, Runtime, SlackRequest

HOME_CYCLES = 3
VIEWERS_KEEP = dt.timedelta(hours=12)  # a Home opened longer ago is not refreshed
VIEWERS_MAX = 500
GONE = frozenset({"user_not_found", "account_inactive"})  # Slack will never show them Home

log = logging.getLogger("loopbot.slack")


def register(app: App, runtime: Runtime) -> None:
    viewers = Viewers(runtime.ctx.clock)

    def publish(job: Job) -> None:
        try:
            publish_home(job)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error not in GONE:
                raise
            viewers.drop(job.request.user)
            log.info("App Home of %s not published (%s): no longer refreshed", job.request.user,
                     error)

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any], request: BoltRequest) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user", ""))
        viewers.add(user)
        runtime.submit(SlackRequest(user, "App Home", body.get("event_id"),
                                    retry=retry_number(request), told=False), publish)

    def refresh() -> None:
        for user in viewers.recent():
            runtime.submit(SlackRequest(user, "App Home", None, told=False), publish)

    runtime.after_change.append(refresh)


class Viewers:
    """Who opened App Home within `keep`, the `limit` latest (a restart forgets them:
    Slack sends app_home_opened again the next time they look)."""

    def __init__(self, clock: Callable[[], dt.datetime], keep: dt.timedelta = VIEWERS_KEEP,
                 limit: int = VIEWERS_MAX) -> None:
        self._clock, self._keep, self._limit = clock, keep, limit
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, dt.datetime] = OrderedDict()  # oldest first

    def add(self, user: str) -> None:
        with self._lock:
            self._seen.pop(user, None)
            self._seen[user] = self._clock()
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)

    def drop(self, user: str) -> None:
        with self._lock:
            self._seen.pop(user, None)

    def recent(self) -> list[str]:
        """The viewers seen within `keep`; older ones are forgotten."""
        oldest = self._clock() - self._keep
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < oldest:
                self._seen.popitem(last=False)
            return list(self._seen)


def publish_home(job: Job) -> None:
    """The services the viewer holds a role in (a top-level role counts in every service
    that does not name its own people for it); the first service for someone with none."""
    ctx = job.ctx
    held = job.actor.roles_by_service(s.name for s in ctx.settings.services)
    configured = [s for s in ctx.settings.services if s.name in held] or \
        ctx.settings.services[:1]
    parts = []
    for s in configured:
        releases = releases_in_flight(ctx, s)
        gates = {r.version: gate for r in releases if (gate := gate_pending(ctx, r))}
        parts.append(ServiceHome(s.name, releases, *environments_and_lag(ctx, s), gates,
                                 pipeline=s.pipeline))
    calendar = calendar_from_settings(ctx.settings)
    today = ctx.clock().astimezone(ctx.settings.tz).date()
    cycles = select_cycles(calendar, today - dt.timedelta(days=1), count=HOME_CYCLES)
    view = home_view(job.actor, parts, calendar, cycles)
    job.reply.client.views_publish(user_id=job.request.user, view=view)
