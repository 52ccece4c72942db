"""Builds the use cases' `Context` from settings: the store, one adapter per partner and
service, the clock. Nothing connects at build time; adapters connect on first use.

Missing secrets are reported by name (never by value) before anything starts.
Connection pools are sized for the threads that may call a partner at once
(`connections_for(workers)`: the app's workers, the use cases' pool, the scheduler's), so
urllib3 never discards connections ("Connection pool is full") under a burst.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypedDict

from bot.config.settings import ConfigError, ServiceSettings, Settings
from bot.entrypoints.preflight import PARTNER_SECRETS
from bot.messages.calendar import render_window_ics
from bot.partners.bugzilla import BugzillaTracker
from bot.partners.environments import HttpEnvironments
from bot.partners.github import GitHubForge
from bot.partners.mail import Mailer
from bot.store import Store
from bot.usecases.concurrency import FANOUT_THREADS, Fanout
from bot.usecases.context import Context, ServicePorts

APP_WORKERS = 32  # threads running the work after the ack (bot/entrypoints/app.py)
SCHEDULER_THREADS = 10  # APScheduler's default thread pool


class GitHubOptions(TypedDict, total=False):
    """GitHubForge's throttling and retries, for tests and the sandbox to turn down."""

    per_page: int
    seconds_between_requests: float
    seconds_between_writes: float
    timeout: int
    retries: int
    retry_backoff: float
    comparison_ttl: float
    clock: Callable[[], float]


def connections_for(workers: int = APP_WORKERS) -> int:
    """Connections to keep per partner host: one per thread that may call it at once."""
    return workers + FANOUT_THREADS + SCHEDULER_THREADS


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def build_context(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Callable[[], dt.datetime] = utc_clock,
    github_options: GitHubOptions | None = None,
    environment_timeout: float = 3.0,
    workers: int = APP_WORKERS,
    bugzilla_timeout: float = 30.0,
) -> Context:
    missing = settings.secrets.missing(*PARTNER_SECRETS)
    if missing:
        raise ConfigError(f"set the environment variable(s) {', '.join(missing)}")
    secrets = settings.secrets
    assert secrets.github_token is not None and secrets.bugzilla_api_key is not None
    github_token = secrets.github_token.get_secret_value()
    bugzilla_key = secrets.bugzilla_api_key.get_secret_value()
    options: GitHubOptions = {
        "seconds_between_requests": settings.github.seconds_between_requests,
        "seconds_between_writes": settings.github.seconds_between_writes,
        **(github_options or {})}
    connections = connections_for(workers)
    fanout = Fanout()

    built: dict[str, ServicePorts] = {}
    building = threading.Lock()

    def ports_for(service: ServiceSettings) -> ServicePorts:
        with building:
            if service.name not in built:
                forge = GitHubForge(settings.github.url, github_token, service.repo, **options)
                tracker = BugzillaTracker(settings.bugzilla.url, bugzilla_key,
                                          service.bugzilla.product, service.bugzilla.component,
                                          connections=connections, timeout=bugzilla_timeout)
                built[service.name] = ServicePorts(service, forge, tracker)
            return built[service.name]

    def close_forges() -> None:
        with building:
            forges = [ports.forge for ports in built.values()]
        for forge in forges:
            assert isinstance(forge, GitHubForge)
            forge.close()

    return Context(
        settings=settings,
        store=store or Store.from_settings(settings, clock=clock),
        environments=HttpEnvironments(timeout=environment_timeout, connections=connections,
                                      at_once=fanout.at_once),
        ports_for=ports_for,
        clock=clock,
        invitation=render_window_ics,
        fanout=fanout,
        mail=Mailer.from_settings(settings),
        closers=[close_forges],
    )
