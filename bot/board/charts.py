"""The geometry of the board's charts: bars in SVG user units, worked out here so the
template (bot/board/templates/charts.html) only draws them. Server-side SVG, no script:
readable without JavaScript, and within the board's CSP (classes styled by board.css, no
inline style). Two shapes serve every metric: columns (one per cycle) and rows of
stacked bars (one per release or failure). Pure."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 640
LEFT = 92  # room for the row labels and the value axis
TOP = 10
PLOT_HEIGHT = 150
ROW = 22
NOTE = 70  # room after the longest row for its total


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str  # shown on hover and read by screen readers


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[Text, ...]
    grid: tuple[Line, ...]
    empty: str = ""  # said instead of the chart when there is nothing to draw
    legend: tuple[tuple[str, str], ...] = ()  # (css class, what it stands for)


@dataclass(frozen=True)
class Column:
    label: str  # under the column
    value: float | None
    css: str = "now"
    title: str = ""


@dataclass(frozen=True)
class Segment:
    value: float
    css: str
    title: str


def nice_top(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def columns(id: str, title: str, description: str, items: Sequence[Column],
            axis: Callable[[float], str], empty: str = "nothing to show yet") -> Chart:
    values = [c.value for c in items if c.value is not None]
    if not items or not any(values):
        return Chart(id, title, description, WIDTH, 0, (), (), (), empty)
    top = nice_top(max(values))
    slot = (WIDTH - LEFT - 10) / len(items)
    base = TOP + PLOT_HEIGHT
    bars, labels = [], []
    for i, c in enumerate(items):
        x = LEFT + i * slot + slot * 0.15
        if c.value is not None:
            h = PLOT_HEIGHT * c.value / top
            bars.append(Bar(x, base - h, slot * 0.7, h, c.css, c.title))
        labels.append(Text(x + slot * 0.35, base + 14, c.label))
    grid = [Line(LEFT, base - PLOT_HEIGHT * f, WIDTH - 10, base - PLOT_HEIGHT * f)
            for f in (0, 0.5, 1)]
    labels += [Text(LEFT - 6, base - PLOT_HEIGHT * f + 4, axis(top * f), "end")
               for f in (0, 0.5, 1)]
    return Chart(id, title, description, WIDTH, base + 24, tuple(bars), tuple(labels),
                 tuple(grid))


def rows(id: str, title: str, description: str,
         items: Sequence[tuple[str, Sequence[Segment]]], axis: Callable[[float], str],
         empty: str = "nothing to show yet", legend: Sequence[tuple[str, str]] = ()
         ) -> Chart:
    """One row per item, its segments stacked left to right, its total written after
    them (a short bar stays readable beside a long one)."""
    totals = [sum(s.value for s in segments) for _, segments in items]
    if not items or not any(totals):
        return Chart(id, title, description, WIDTH, 0, (), (), (), empty)
    top = nice_top(max(totals))
    span = WIDTH - LEFT - NOTE
    bars, labels = [], []
    for i, (label, segments) in enumerate(items):
        y = TOP + i * ROW
        x = float(LEFT)
        for s in segments:
            w = span * s.value / top
            bars.append(Bar(x, y + 3, w, ROW - 6, s.css, s.title))
            x += w
        labels.append(Text(LEFT - 6, y + ROW / 2 + 4, label, "end"))
        labels.append(Text(x + 4, y + ROW / 2 + 4, axis(sum(s.value for s in segments)),
                           "start"))
    bottom = TOP + len(items) * ROW
    grid = [Line(LEFT + span * f, TOP, LEFT + span * f, bottom) for f in (0, 0.5, 1)]
    labels += [Text(LEFT + span * f, bottom + 14, axis(top * f)) for f in (0, 0.5, 1)]
    return Chart(id, title, description, WIDTH, bottom + 22, tuple(bars), tuple(labels),
                 tuple(grid), legend=tuple(legend))
