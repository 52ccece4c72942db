"""The board's chart geometry (bot/board/charts.py): axis tops, bars in proportion, and
a chart with nothing to draw says so instead."""

from __future__ import annotations

import pytest

from bot.board.charts import PLOT_HEIGHT, Column, Segment, columns, nice_top, rows


def test_the_axis_top_is_a_round_number_at_least_the_largest_value() -> None:
    assert [nice_top(v) for v in (0, 0.4, 1, 3, 7, 12, 480)] == [1, 0.5, 1, 5, 10, 20, 500]


def test_columns_are_in_proportion_and_keep_their_titles() -> None:
    chart = columns("pushes", "Prod pushes per cycle", "", [
        Column("11-24", 1, "before", "one"), Column("12-08", 2, "now", "two"),
        Column("12-22", None)], str)
    assert [(b.css, b.title, round(b.height)) for b in chart.bars] == [
        ("before", "one", PLOT_HEIGHT // 2), ("now", "two", PLOT_HEIGHT)]
    assert [t.text for t in chart.labels[:3]] == ["11-24", "12-08", "12-22"]


def test_rows_stack_their_segments_and_write_the_total_after_them() -> None:
    chart = rows("waits", "Time in each state", "", [
        ("0.13.0", [Segment(30, "stretch0", "a"), Segment(90, "stretch1", "b")])], str)
    first, second = chart.bars
    assert second.x == pytest.approx(first.x + first.width)
    assert second.width == pytest.approx(3 * first.width)
    assert "120" in [t.text for t in chart.labels]


def test_a_chart_with_nothing_to_draw_says_so() -> None:
    chart = columns("failures", "Change failure rate", "", [Column("11-24", 0)], str,
                    "no release failed")
    assert chart.empty == "no release failed" and chart.bars == ()
