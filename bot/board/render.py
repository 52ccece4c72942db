"""HTML for the board: Jinja2 templates (bot/board/templates) with autoescape on, so every
value (bug summaries, reasons, commit titles, descriptions) is escaped by one helper,
markupsafe's `escape`, and nothing from data ever becomes markup or script.

The filters give durations, local times and short revisions one look everywhere;
`code_spans` shows a next step's `/loop ...` commands as code, escaping each part.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from bot.domain import times
from bot.domain.cycle import Phase
from bot.domain.facts import MOCKED_PARTNER, MOCKED_PARTNER_MEANS, NOTHING_RELEASED
from bot.domain.metrics_trend import duration
from bot.messages.gonogo import summary as gonogo_summary
from bot.messages.gonogo import title as gonogo_title

if TYPE_CHECKING:
    from jinja2 import Environment

PHASES = {
    Phase.TAGGING: "tagging day",
    Phase.QA: "QA window on stage",
    Phase.PROD_PUSH: "prod push day",
    Phase.BETWEEN: "between the cycle's steps",
}


class Renderer:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    @functools.cached_property
    def _env(self) -> Environment:
        # Jinja2 (~0.1 s of CPU) at the first page shown, not at every start of the bot
        from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

        env = Environment(loader=PackageLoader("bot.board"), undefined=StrictUndefined,
                          autoescape=select_autoescape(default=True),
                          trim_blocks=True, lstrip_blocks=True)
        env.filters.update(ago=ago, local=self.local, day=times.day, short=short,
                           code_spans=code_spans, status=status, took=duration)
        env.globals.update(PHASES=PHASES, MOCKED_PARTNER=MOCKED_PARTNER,
                           NOTHING_RELEASED=NOTHING_RELEASED,
                           MOCKED_PARTNER_MEANS=MOCKED_PARTNER_MEANS,
                           gonogo_title=gonogo_title, gonogo_summary=gonogo_summary)
        return env

    def page(self, main: str, **values: Any) -> str:
        """A whole page whose <main> is the template `main`."""
        return self._env.get_template("page.html").render(main=main, **values)

    def part(self, main: str, **values: Any) -> str:
        """Only what goes inside <main>: what the page's script polls for."""
        return self._env.get_template(main).render(**values)

    def local(self, moment: dt.datetime | None, fmt: str | None = None) -> str:
        """`moment` as every message shows it (bot/domain/times.py), or in `fmt`."""
        if moment is None:
            return ""
        return times.when(moment, self.tz) if fmt is None else \
            times.local(moment, self.tz).strftime(fmt)


def ago(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "unknown"
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return "under a minute"
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def short(rev: str | None) -> str:
    return (rev or "")[:7]


def status(bug: Any) -> str:
    """A Bugzilla status as people say it: "RESOLVED FIXED"."""
    return "status unknown" if bug is None else f"{bug.status} {bug.resolution}".strip()


def code_spans(text: str) -> Markup:
    """`a /loop b` -> escaped text with the backticked parts in <code>."""
    parts = re.split(r"`([^`]*)`", text)
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p)
                           for i, p in enumerate(parts))
