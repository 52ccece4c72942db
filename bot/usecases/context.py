"""What every use case is given: the settings, the store, the partners per service and
the clock (`Context`), and the loading each starts with. Nothing here connects to anything
when built; adapters connect on first use. `ctx.fanout` runs independent partner calls at
once (bot/usecases/concurrency.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config.settings import ConfigError, ServiceSettings, Settings
from bot.domain.calendar import Calendar
from bot.domain.errors import Refusal
from bot.domain.facts import EnvironmentState
from bot.domain.loadtest import Window
from bot.domain.release import Release
from bot.logs import bind_log_context
from bot.usecases.concurrency import Fanout
from bot.usecases.ports import Environments, Forge, Mail, RecordStore, Tracker

Progress = Callable[[str], None]
# A load-test window as an iCalendar file (bot/messages/calendar.py's render_window_ics).
Invitation = Callable[[Calendar, Window, dt.datetime], bytes]


def quiet(_: str) -> None:
    """A progress callback that shows nothing."""
    pass


class UnknownRelease(Refusal):
    pass


@dataclass(frozen=True)
class ServicePorts:
    config: ServiceSettings
    forge: Forge
    tracker: Tracker


@dataclass
class Context:
    """Everything a use case needs: settings, the store, the partners, the clock."""

    settings: Settings
    store: RecordStore
    environments: Environments
    ports_for: Callable[[ServiceSettings], ServicePorts]
    clock: Callable[[], dt.datetime]
    invitation: Invitation  # the ICS mailed with a load-test window
    fanout: Fanout = field(default_factory=Fanout)  # independent partner calls at once
    mail: Mail | None = None  # None when SMTP_URL or slack.mailing_list is unset
    closers: list[Callable[[], None]] = field(default_factory=list)  # run by close()

    def close(self) -> None:
        """Let the fanout's threads go and close the partners' connections (at stop)."""
        self.fanout.shutdown()
        for close in self.closers:
            close()

    def service(self, name: str | None = None) -> ServicePorts:
        try:
            return self.ports_for(self.settings.service(name))
        except ConfigError as exc:
            raise Refusal(str(exc)) from None  # it names the services: the whole answer

    def read_environment(self, config: ServiceSettings, env: str, *,
                         heartbeat: bool = True) -> EnvironmentState:
        if env not in config.environments:
            raise Refusal(f"{config.name} has no {env} environment in the configuration")
        return self.environments.read(env, config.environments[env].url, heartbeat=heartbeat)

    def read_environments(self, config: ServiceSettings, *,
                          heartbeat: bool = True) -> list[EnvironmentState]:
        """Every environment of the service, read at once, in the configured order
        (without their heartbeats when `heartbeat` is false: the scheduler's watch)."""
        return self.fanout.map(
            lambda env: self.read_environment(config, env, heartbeat=heartbeat),
            list(config.environments))


def load_release(ctx: Context, service: str, version: str) -> Release:
    bind_log_context(service=service, version=version)  # the request's next log lines
    with ctx.store.unit_of_work() as uow:
        release = uow.releases.get(service, version)
    if release is None:
        raise UnknownRelease(f"{service} has no release {version}",
                             hint="`/loop status` lists the releases in flight")
    return release
