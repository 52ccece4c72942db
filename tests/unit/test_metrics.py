"""Delivery metrics from release stories (bot/domain/metrics.py): pure, times given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.metrics import Story, figures, p90, periods, rows, shipped_since, story_of

TZ = ZoneInfo("Europe/Paris")
BEFORE_PROD = ("stage",)  # the default pipeline's environments verified before prod
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=TZ)


def entry(action: str, version: str, when: dt.datetime) -> AuditEntry:
    return AuditEntry(actor="U0DEV", action=action, service="loop-server", version=version,
                      at=when)


def test_a_story_is_read_from_the_audit_log_overrides_counting_as_the_step() -> None:
    entries = [entry("tag", "0.13.0", at("2026-11-10")),
               entry("deployed stage", "0.13.0", at("2026-11-10", 14)),
               entry("verify stage", "0.13.0", at("2026-11-12")),
               entry("override deployed prod", "0.13.0", at("2026-11-16")),
               entry("deployed prod", "0.13.0", at("2026-11-17"))]  # a repeat: the first counts
    story = story_of("0.13.0", entries, [at("2026-11-09"), at("2026-11-05")])
    assert story.tagged == at("2026-11-10")
    assert story.verified == {"stage": at("2026-11-12")}
    assert story.pushed == at("2026-11-16")
    assert story.reached_stage
    assert story.lead_times() == [11 * D, 7 * D]
    assert story.waits(["stage"]) == [("tag → stage verified", 2 * D),
                                      ("stage verified → prod", 4 * D)]


def test_ninetieth_percentile_is_the_nearest_rank() -> None:
    assert p90([i * H for i in range(1, 11)]) == 9 * H
    assert p90([5 * H]) == 5 * H
    assert p90([]) is None


def test_cycles_before_the_anchor_keep_its_rhythm() -> None:
    found = periods(dt.date(2026, 12, 1), 2, dt.date(2026, 12, 7), 3)
    assert [(p.start, p.end) for p in found] == [
        (dt.date(2026, 11, 3), dt.date(2026, 11, 17)),
        (dt.date(2026, 11, 17), dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 15))]


def history() -> list[Story]:
    """0.12.0 pushed and fine; 0.13.0 pushed then backed off, 0.13.1 its patch; 0.14.0
    rejected on stage, 0.14.1 pushed, then patched by 0.14.2 for a prod bug."""
    return [
        Story("0.12.0", at("2026-11-03"), {"stage": at("2026-11-05")}, at("2026-11-09"),
              reached_stage=True, commits=(at("2026-11-01"), at("2026-11-02"))),
        Story("0.13.0", at("2026-11-17"), {"stage": at("2026-11-19")}, at("2026-11-23"),
              backed_off=at("2026-11-23", 15), reached_stage=True,
              commits=(at("2026-11-10"),)),
        Story("0.13.1", at("2026-11-24"), {"stage": at("2026-11-25")}, at("2026-11-26"),
              reached_stage=True, commits=(at("2026-11-24", 9),)),
        Story("0.14.0", at("2026-12-01"), rejected=at("2026-12-02"), reached_stage=True),
        Story("0.14.1", at("2026-12-02", 12), {"stage": at("2026-12-03")}, at("2026-12-07"),
              reached_stage=True, commits=(at("2026-12-01", 9),)),
        Story("0.14.2", at("2026-12-08"), {"stage": at("2026-12-09")}, at("2026-12-10"),
              reached_stage=True, fixed_bugs=(1100123,)),
    ]


def test_the_four_keys_over_a_window() -> None:
    window = periods(dt.date(2026, 11, 3), 2, dt.date(2026, 12, 10), 3)
    got = figures(history(), window, TZ, BEFORE_PROD, reported={1100123: at("2026-12-07", 18)})
    assert got.pushes == 5 and got.pushed_per_cycle == (1, 2, 2)
    assert got.rejected == ("0.14.0",)
    assert [(f.version, f.how, f.restored_by) for f in got.failures] == [
        ("0.13.0", "backed off", "0.13.1"), ("0.14.1", "patched by 0.14.2", "0.14.2")]
    # 0.13.0 backed off at 15:00 on the 23rd, 0.13.1 pushed on the 26th at 10:00;
    # 0.14.2's bug was reported on the 7th at 18:00, its push on the 10th at 10:00
    assert [f.time_to_restore for f in got.failures] == [2 * D + 19 * H, 2 * D + 16 * H]
    assert got.reached == 6
    assert got.failure_rate == 3 / 6 and got.prod_failure_rate == 2 / 5
    # commits waited 8 d, 7 d (0.12.0), 13 d (0.13.0), 2 d 1 h (0.13.1), 6 d 1 h (0.14.1)
    assert (got.lead_median, got.lead_p90, got.commits) == (7 * D, 13 * D, 5)
    assert got.waits["tag → stage verified"] == 1 * D


def test_an_empty_window_has_no_figures_rather_than_zeros() -> None:
    window = periods(dt.date(2026, 11, 3), 2, dt.date(2027, 3, 1), 2)
    got = figures(history(), window, TZ, BEFORE_PROD)
    assert got.pushes == 0 and got.failure_rate is None and got.lead_median is None


def test_the_table_says_each_release_outcome_newest_first() -> None:
    window = periods(dt.date(2026, 11, 3), 2, dt.date(2026, 12, 10), 3)
    table = rows(history(), window, TZ, BEFORE_PROD)
    assert [(r.story.version, r.outcome) for r in table] == [
        ("0.14.2", "pushed"), ("0.14.1", "patched by 0.14.2"),
        ("0.14.0", "rejected on stage"), ("0.13.1", "pushed"), ("0.13.0", "backed off"),
        ("0.12.0", "pushed")]


def test_a_release_ships_the_commits_of_the_rejected_one_before_it() -> None:
    pushed = ["0.12.2", "0.13.1", "0.13.2"]
    assert shipped_since("0.13.1", pushed, previous="0.13.0") == "0.12.2"
    assert shipped_since("0.13.2", pushed, previous="0.13.1") == "0.13.1"
    assert shipped_since("0.14.0", pushed, previous="0.13.2") == "0.13.2"
    assert shipped_since("0.12.2", pushed, previous="0.12.1") == "0.12.1"  # nothing older


def test_a_release_before_which_nothing_known_reached_prod_passes_over_the_rejected() -> None:
    # 0.12.2 ran in prod before the bot's window; 0.13.0 was rejected on stage
    assert shipped_since("0.13.1", ["0.13.1"], "0.13.0", {"0.13.0": "0.12.2"}) == "0.12.2"
