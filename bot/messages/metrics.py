"""`/loop metrics`: the delivery metrics of a service in chat, each key figure beside the
same figure over the cycles before and the trend; the board's /metrics page has them as
charts with the releases behind them. Versions and service names are escaped."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from bot.domain import times
from bot.domain.metrics_trend import keys
from bot.messages.blocks import Rendered, context, escape, section
from bot.usecases.metrics import Metrics

ARROWS = {"better": ":arrow_up: better", "worse": ":arrow_down: worse", "same": "same"}


def metrics_reply(found: Metrics, board_url: str | None = None) -> Rendered:
    cycles = len(found.window)
    first, last = found.window[0].start, found.window[-1].end - dt.timedelta(days=1)
    title = (f"*Delivery metrics of {escape(found.service)}*: the last {cycles} cycle(s), "
             f"{times.day(first)} to {times.day(last)}, against the {cycles} before")
    lines = []
    for key in keys(found.now, found.before):
        trend = f" — {ARROWS[key.trend]}" if key.trend else ""
        line = f"• *{key.name}*: {escape(key.now)} (before: {escape(key.before)}){trend}"
        if key.detail:
            line += f"\n    {escape(key.detail)}"
        lines.append(line)
    notes = []
    if found.unread:
        notes.append(f"The commits of {found.unread} release(s) could not be read from "
                     "GitHub yet: their lead time is left out.")
    page = f"/metrics?service={quote(found.service, safe='')}&cycles={cycles}"
    notes.append(f"<{board_url.rstrip('/')}{page}|The charts and the releases behind them>"
                 if board_url else f"The charts and the releases behind them: `{page}` on "
                 "the web board")
    text = (f"{found.service}: {found.now.pushes} prod push(es) in the last {cycles} "
            "cycle(s)")
    return Rendered(text, [section("\n".join([title, *lines])), context(*notes)])
