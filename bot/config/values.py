"""Checks of single settings values, named in the terms of app.yaml: Slack IDs, web URLs,
and the calendar built from the keys read so far (bot/config/settings.py uses them; each raises
ValueError with a message that completes "app.yaml: key 'roles.QA.0': ...")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

from bot.domain.calendar import Calendar

SLACK_ID = re.compile(r"[UWS][A-Z0-9]{2,}")


def _slack_id(value: str) -> str:
    if not SLACK_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a Slack user ID (U... or W...) or user-group ID "
                         "(S...): find it in the person's Slack profile, under \"Copy member "
                         "ID\"")
    return value


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL, e.g. https://loop.stage.mozaws.net")
    return value


SlackId = Annotated[str, AfterValidator(_slack_id)]
WebUrl = Annotated[str, AfterValidator(_web_url)]


def calendar_of(data: Mapping[str, Any], *, skip: Iterable[dt.date],
                 moves: Mapping[dt.date, dt.date] | None = None) -> Calendar | None:
    """The domain calendar of the keys validated so far (None if one of them failed)."""
    if any(k not in data for k in ("anchor", "period_weeks", "prod_offset_days")):
        return None
    return Calendar.build(anchor=data["anchor"], tz=ZoneInfo("UTC"),
                          period_weeks=data["period_weeks"],
                          prod_offset_days=data["prod_offset_days"], skip=skip, moves=moves)
