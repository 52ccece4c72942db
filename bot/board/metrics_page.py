"""What the board's /metrics page shows: a service's delivery metrics (bot/usecases/
metrics.py), its key figures beside the cycles before, and the charts. The query names the
service (default: the first configured) and the number of cycles; anything else is
refused in one line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs

from bot.board.charts import Chart
from bot.board.metrics_charts import charts
from bot.domain.errors import Refusal, echoed, unknown_service
from bot.domain.metrics_trend import Key, keys
from bot.usecases.context import Context
from bot.usecases.metrics import DEFAULT_CYCLES, MAX_CYCLES, Metrics, check_cycles, metrics

CHOICES = (3, 6, 12, 26)


@dataclass(frozen=True)
class MetricsPage:
    metrics: Metrics
    cycles: int
    first: dt.date
    last: dt.date
    keys: tuple[Key, ...]
    charts: tuple[Chart, ...]
    services: tuple[str, ...]
    choices: tuple[int, ...] = CHOICES


def metrics_query(ctx: Context, query: str) -> tuple[str, int]:
    """(service, cycles) from `?service=NAME&cycles=N`; a Refusal saying what is wrong."""
    values = parse_qs(query)
    names = [s.name for s in ctx.settings.services]
    service = values.get("service", [names[0]])[-1]
    if service not in names:
        raise Refusal(unknown_service(service, names))
    text = values.get("cycles", [str(DEFAULT_CYCLES)])[-1]
    if not text.isdigit() or len(text) > 3:
        raise Refusal(f"cycles must be a number from 1 to {MAX_CYCLES}, not "
                      f"{echoed(text)!r}")
    return service, check_cycles(int(text))


def metrics_page(ctx: Context, service: str, cycles: int) -> MetricsPage:
    found = metrics(ctx, ctx.service(service), cycles=cycles)
    return MetricsPage(found, cycles, found.window[0].start,
                       found.window[-1].end - dt.timedelta(days=1),
                       tuple(keys(found.now, found.before)), tuple(charts(found)),
                       tuple(s.name for s in ctx.settings.services))
