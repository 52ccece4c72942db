"""App Home: published when someone opens the bot's Home tab, after they press one of its
buttons, and again for everyone who opened it whenever a step changes a release. Shows
the releases in flight, what each environment runs, the next dates of the cycle and what
the viewer can do next (bot/messages/home.py renders it)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from slack_bolt import App

from bot.messages.home import ServiceHome, home_view
from bot.usecases.calendar_feed import calendar_from_settings, select_cycles
from bot.usecases.dev_lag import environments_and_lag
from bot.usecases.queries import releases_in_flight
from handlers.work import Job, Runtime, SlackRequest

HOME_CYCLES = 3


def register(app: App, runtime: Runtime) -> None:
    viewers = Viewers()

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user", ""))
        viewers.add(user)
        runtime.submit(SlackRequest(user, "App Home", body.get("event_id")), publish_home)

    def refresh() -> None:
        for user in viewers.all():
            runtime.submit(SlackRequest(user, "App Home", None), publish_home)

    runtime.after_change.append(refresh)


class Viewers:
    """Who opened App Home since the bot started (a restart forgets them: Slack sends
    app_home_opened again the next time they look)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, None] = {}

    def add(self, user: str) -> None:
        with self._lock:
            self._users[user] = None

    def all(self) -> list[str]:
        with self._lock:
            return list(self._users)


def publish_home(job: Job) -> None:
    """The services the viewer holds a role in (a top-level role counts in every service
    that does not name its own people for it); the first service for someone with none."""
    ctx = job.ctx
    held = job.actor.roles_by_service(s.name for s in ctx.settings.services)
    configured = [s for s in ctx.settings.services if s.name in held] or \
        ctx.settings.services[:1]
    parts = [ServiceHome(s.name, releases_in_flight(ctx, service=s.name),
                         *environments_and_lag(ctx, s))
             for s in configured]
    calendar = calendar_from_settings(ctx.settings)
    today = ctx.clock().astimezone(ctx.settings.tz).date()
    cycles = select_cycles(calendar, today - dt.timedelta(days=1), count=HOME_CYCLES)
    view = home_view(job.actor, parts, calendar, cycles)
    job.reply.client.views_publish(user_id=job.request.user, view=view)
