"""Settings: app.yaml plus secrets from the environment, validated into one object.

`load_settings(path)` either returns a `Settings` or raises `ConfigError` whose message
names the file and the bad key; it never lets a traceback reach the user. Secrets are
read only from the environment and held as `SecretStr`, so they never print.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.config.files import DEFAULT_CONFIG as DEFAULT_CONFIG
from bot.config.files import ConfigError as ConfigError
from bot.config.files import config_path as config_path
from bot.config.files import default_config_text as default_config_text
from bot.config.options import LoadTestSettings
from bot.config.options import ReleaseCommitSettings as ReleaseCommitSettings
from bot.config.options import ServiceWorkflow as ServiceWorkflow
from bot.config.options import (
    StrictModel as _Strict,
)
from bot.config.server import ServerSettings

# Re-exported (`X as X`): the services' settings live in bot/config/services.py.
from bot.config.services import SLACK_API_URL as SLACK_API_URL
from bot.config.services import BugzillaProduct as BugzillaProduct
from bot.config.services import EnvironmentSettings as EnvironmentSettings
from bot.config.services import GitHubSettings as GitHubSettings
from bot.config.services import PartnerSettings as PartnerSettings
from bot.config.services import Roles, ServiceSettings, SlackSettings
from bot.config.values import WebUrl, calendar_of
from bot.domain.cycle import CalendarError
from bot.domain.errors import unknown_service
from bot.domain.pipeline import Pipeline, PipelineError

ROLES = ("DEV", "OPS", "QA", "emergency")
SECRET_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "GITHUB_TOKEN",
    "BUGZILLA_API_KEY",
    "DATABASE_URL",
    "SMTP_URL",
    "WEB_TOKEN",
)


class FreezeSettings(_Strict):
    """Days `start` to `end`, both included, with no tagging and no prod push."""

    start: dt.date
    end: dt.date
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> FreezeSettings:
        if self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        return self


class CalendarSettings(_Strict):
    anchor: dt.date = dt.date(2026, 12, 8)
    period_weeks: int = Field(default=2, ge=1)
    prod_offset_days: int = Field(default=6, ge=0)
    announce_at: dt.time = dt.time(10, 0)
    gonogo_at: dt.time = dt.time(15, 0)  # the go/no-go, on the working day before a push
    skip: tuple[dt.date, ...] = ()
    moves: dict[dt.date, dt.date] = Field(default_factory=dict)
    freezes: tuple[FreezeSettings, ...] = ()

    @field_validator("skip")
    @classmethod
    def _skip_matters(cls, value: tuple[dt.date, ...], info: ValidationInfo
                      ) -> tuple[dt.date, ...]:
        try:
            calendar = calendar_of(info.data, skip=())
        except CalendarError:  # bad offsets: the calendar says so when it is built
            return value
        if calendar is None:
            return value
        for day in value:
            if why := calendar.useless_skip(day):
                raise ValueError(f"{why}: skipping it changes nothing (`loopbot calendar` "
                                 "lists the dates; a holiday is a working day)")
        return value

    @field_validator("moves")
    @classmethod
    def _moves_on_the_calendar(cls, value: dict[dt.date, dt.date], info: ValidationInfo
                               ) -> dict[dt.date, dt.date]:
        try:
            calendar_of(info.data, skip=info.data.get("skip", ()), moves=value)
        except CalendarError as exc:
            raise ValueError(str(exc).removeprefix("calendar.moves: ")) from None
        return value


class WorkflowSettings(_Strict):
    qa_files_prod_ticket: bool = False
    monitor_minutes: int = Field(default=60, ge=0)
    monitor_poll_seconds: int = Field(default=60, ge=1)


class Secrets(_Strict):
    """Secrets from the environment only; `SecretStr` keeps them out of reprs and logs."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    github_token: SecretStr | None = None
    bugzilla_api_key: SecretStr | None = None
    database_url: SecretStr | None = None
    smtp_url: SecretStr | None = None
    web_token: SecretStr | None = None  # opens the web board to other machines

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Secrets:
        return cls.model_validate({n.lower(): environ[n] for n in SECRET_NAMES
                                   if environ.get(n)})

    def missing(self, *names: str) -> list[str]:
        """The environment variable names among `names` that are not set."""
        return [n for n in names if getattr(self, n.lower()) is None]


class Settings(_Strict):
    timezone: str = "Europe/Paris"
    slack: SlackSettings = SlackSettings()
    database_url: str = "sqlite:///loopbot.db"
    board_url: WebUrl | None = None  # the web board's public address: replies link its pages
    github: GitHubSettings = GitHubSettings(url="https://api.github.com")
    bugzilla: PartnerSettings = PartnerSettings(url="https://bugzilla.mozilla.org/rest")
    # Who holds each role; a service's own `roles` replace a role's list for that service.
    roles: Roles = Field(default_factory=dict)
    calendar: CalendarSettings = CalendarSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    loadtest: LoadTestSettings = LoadTestSettings()
    server: ServerSettings = ServerSettings()  # the trusted reverse proxy, if any
    services: tuple[ServiceSettings, ...] = Field(min_length=1)
    secrets: Secrets = Secrets()
    source: str = "<defaults>"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        """DATABASE_URL when set, else the configured URL."""
        if self.secrets.database_url is not None:
            return self.secrets.database_url.get_secret_value()
        return self.database_url

    def channel_of(self, service: str | None) -> str:
        """Where the bot posts about `service`: its own channel, else slack.channel."""
        own = self._own_slack(service)
        return own.channel if own is not None else self.slack.channel

    def mailing_list_of(self, service: str | None) -> str | None:
        own = self._own_slack(service)
        return own.mailing_list if own is not None and own.mailing_list else \
            self.slack.mailing_list

    def service_for_channel(self, channel_id: str, channel_name: str) -> str | None:
        """The service whose own channel this is (by id, `#name` or `name`), if any."""
        names = {channel_id, channel_name, f"#{channel_name}"} - {"", "#"}
        return next((s.name for s in self.services
                     if s.slack is not None and s.slack.channel in names), None)

    def roles_of(self, service: str | None) -> dict[str, tuple[str, ...]]:
        """Who holds each role for `service`: a role its own `roles` name replaces the
        top-level list (even with an empty one); the other roles come from the top level.
        None: the top-level lists alone."""
        own = self.service(service).roles if service is not None else {}
        return {role: ids for role, ids in {**self.roles, **own}.items()}

    def roles_by_service(self) -> dict[str, dict[str, tuple[str, ...]]]:
        return {s.name: self.roles_of(s.name) for s in self.services}

    def _own_slack(self, service: str | None) -> SlackSettings | None:
        found = next((s for s in self.services if s.name == service), None)
        return found.slack if found is not None else None

    def pipeline(self, service: str | None = None) -> Pipeline:
        """The service's environments in order and what each takes."""
        return self.service(service).pipeline

    def service(self, name: str | None = None) -> ServiceSettings:
        """The named service, or the first one; ConfigError names the known ones."""
        if name is None:
            return self.services[0]
        for service in self.services:
            if service.name == name:
                return service
        raise ConfigError(unknown_service(name, (s.name for s in self.services)))


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Read the YAML file, add secrets from `environ`, validate. Raises ConfigError."""
    file = config_path(path)
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeys) or {}
    except FileNotFoundError as exc:
        raise ConfigError(_not_found(file, given=bool(path))) from exc
    except _DuplicateKey as exc:
        raise ConfigError(f"{file}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping of settings at the top level")
    return settings_from_dict(
        raw, source=str(file), environ=os.environ if environ is None else environ,
        overrides=overrides,
    )


class _DuplicateKey(Exception):
    pass


class _UniqueKeys(yaml.SafeLoader):
    """YAML keeps the last of two equal keys silently: two environments named alike
    would become one. Refuse them instead."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False
                          ) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str) and key in seen:
                line = key_node.start_mark.line + 1
                raise _DuplicateKey(f"line {line}: key {key!r} appears twice in one mapping")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _not_found(file: Path, *, given: bool) -> str:
    """Where the configuration was looked for, and the command that writes one there."""
    env = os.environ.get("LOOPBOT_CONFIG")
    source = ("from --config" if given else f"$LOOPBOT_CONFIG={env}" if env
              else f"the default {DEFAULT_CONFIG}; $LOOPBOT_CONFIG is not set")
    init = "loopbot init" if not given else f"loopbot init {file}"
    return (f"{file}: no such configuration file (looked at {file.absolute()}, {source}); "
            f"`{init}` writes the commented default there to edit")


def settings_from_dict(
    raw: Mapping[str, object],
    *,
    source: str = "<dict>",
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    data = {**raw, **(overrides or {})}
    if "secrets" in raw:
        raise ConfigError(f"{source}: key 'secrets': secrets come only from the environment")
    data["secrets"] = Secrets.from_env(environ or {})
    data["source"] = source
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    _check_pipelines(settings, source)
    return settings


def _check_pipelines(settings: Settings, source: str) -> None:
    """Refuse a service's pipeline that can't run, naming the file and the dotted key."""
    for index, service in enumerate(settings.services):
        try:
            service.build_pipeline(key=f"services.{index}")
        except PipelineError as exc:
            raise ConfigError(f"{source}: key '{exc.key}': {exc}") from None


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for error in exc.errors():
        # "[key]": pydantic's mark for a bad mapping key (`roles.Dev`), already in the path
        key = ".".join(str(p) for p in error["loc"] if p != "[key]") or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{source}: key '{key}': {message}")
    return "\n".join(lines)
