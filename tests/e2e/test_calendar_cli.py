"""`loopbot calendar` run as a subprocess, the way scripts and people call it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_YAML = ROOT / "app.yaml"


def loopbot(*args: str, config: Path = APP_YAML) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "calendar", "--config", str(config), *args],
        cwd=ROOT, capture_output=True, timeout=60, check=False,
    )


def test_json_lists_the_next_cycles_with_the_christmas_tagging_skipped() -> None:
    done = loopbot("--from", "2026-12-01", "--cycles", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"cycle": 1, "tag": "2026-12-08", "prod": "2026-12-14"},
        {"cycle": 2, "tag": None, "prod": "2026-12-28"},
        {"cycle": 3, "tag": "2027-01-05", "prod": "2027-01-11"},
    ]


def test_ics_between_two_days_parses_with_icalendar() -> None:
    done = loopbot("--from", "2027-03-10", "--to", "2027-04-06", "--format", "ics")
    assert done.returncode == 0, done.stderr
    events = icalendar.Calendar.from_ical(done.stdout).walk("VEVENT")
    starts = sorted((str(e["uid"]), e.start) for e in events)
    assert [uid for uid, _ in starts] == [  # the cycle of 2027-03-02 is over by 03-10
        "loop-server-prod-2027-03-22@loopbot",
        "loop-server-prod-2027-04-05@loopbot",
        "loop-server-tag-2027-03-16@loopbot",
        "loop-server-tag-2027-03-30@loopbot",
    ]
    tag = dict(starts)["loop-server-tag-2027-03-30@loopbot"]
    assert tag.hour == 10 and tag.utcoffset() == dt.timedelta(hours=2)


def test_text_defaults_to_six_cycles_from_today() -> None:
    done = loopbot()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0] == "loop-server release calendar (Europe/Paris)"
    assert len(lines) == 7 and all(line.startswith("cycle") for line in lines[1:])


def test_another_anchor_previews_other_tuesdays() -> None:
    done = loopbot("--anchor", "2027-01-12", "--from", "2027-01-01", "--cycles", "1",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"cycle": 1, "tag": "2027-01-12", "prod": "2027-01-18"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-13-01"),
         "loopbot: couldn't read `2026-13-01` as --from: expected YYYY-MM-DD, like 2026-12-08"),
        (("--from", "2027-02-01", "--to", "2027-01-01"),
         "loopbot: --to 2027-01-01 is before --from 2027-02-01"),
    ],
)
def test_bad_dates_give_one_clear_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    done = loopbot(*args)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [message]
    assert done.stdout == b""


def test_a_move_off_the_calendar_is_refused_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "app.yaml"
    config.write_text(APP_YAML.read_text().replace("moves: {}", "moves: {2027-01-06: 2027-01-07}"))
    done = loopbot("--from", "2027-01-01", config=config)
    assert done.returncode == 2
    assert done.stderr.decode().startswith(  # the file too, since issue 9
        f"loopbot: {config}: key 'calendar.moves': 2027-01-06 is not a tagging or prod-push "
        "date")


@pytest.mark.parametrize(("args", "said"), [
    (("--cycles", "100000"), "loopbot: --cycles is 100000: at most 1000 cycles at once; start "
                             "later with --from to see further ahead"),
    (("--from", "2027-01-01", "--to", "2999-01-01"),
     "loopbot: --from 2027-01-01 --to 2999-01-01 spans more than 1000 cycles (2000 weeks)"),
])
def test_too_many_cycles_are_refused_at_once(args: tuple[str, ...], said: str) -> None:
    """Issue 9: `--cycles 100000` ran for minutes (quadratic); now linear and capped."""
    done = loopbot(*args)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith(said)


def test_the_largest_calendar_allowed_is_listed_whole() -> None:
    done = loopbot("--from", "2026-12-01", "--cycles", "1000", "--format", "json")
    cycles = json.loads(done.stdout)
    assert len(cycles) == 1000 and cycles[-1]["cycle"] == 1000
    assert cycles[-1]["prod"] == str(dt.date(2026, 12, 14) + dt.timedelta(weeks=2 * 999))
