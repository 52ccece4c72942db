"""Process options beside the core settings (bot/config/settings.py): per service, the load
test `verify stage` needs, dev's allowed lag, the teams signing prod off and the release
commit; for the bot, the partners told of a load-test window. Validated like the rest."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.config.values import SlackId


class StrictModel(BaseModel):
    """Settings refuse unknown keys and never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceWorkflow(StrictModel):
    """Process options of one service."""

    require_load_test: bool = False  # `verify stage` needs a passed load test
    # The environment watch tells DEV when dev has lagged master longer than this.
    dev_max_lag_minutes: int | None = Field(default=None, ge=1)
    # Teams (Slack user or user-group IDs) whose sign-off `verify prod` waits for.
    prod_signoffs: dict[str, tuple[SlackId, ...]] = Field(default_factory=dict)


class ReleaseFileSettings(StrictModel):
    """One file the release commit changes: the CHANGELOG (the version's section
    prepended), a JSON file's top-level string field, or a `key = "value"` line."""

    path: str
    kind: Literal["changelog", "json", "key_value"]
    key: str = "version"


class ReleaseCommitSettings(StrictModel):
    """The "Release X.Y.Z" commit the tag sits on; no files: no commit (the default)."""

    message: str = "Release {version}"
    files: tuple[ReleaseFileSettings, ...] = ()

    @field_validator("message")
    @classmethod
    def _has_version(cls, value: str) -> str:
        if "{version}" not in value:
            raise ValueError("must contain {version}")
        return value


class LoadTestSettings(StrictModel):
    """Load tests on stage with partners: who is told of a window, when QA is reminded."""

    partners: dict[str, str] = Field(default_factory=dict)  # name -> email address
    remind_at: dt.time = dt.time(14, 0)  # on the tagging day, when no window is set

    @field_validator("partners")
    @classmethod
    def _names_and_addresses(cls, value: dict[str, str]) -> dict[str, str]:
        for name, address in value.items():
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
                raise ValueError(f"partner name {name!r}: lowercase letters, digits, - and _")
            if not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
                raise ValueError(f"partner {name!r}: {address!r} is not an email address")
        return value
