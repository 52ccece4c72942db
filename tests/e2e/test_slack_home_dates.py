"""App Home's "Next dates" read like `/loop calendar`: a skipped tagging says which day and
why, with no hour (found using the sandbox: the Christmas cycle showed "cycle 2: no
tagging at 10:00", a time for a tagging that does not happen)."""

from __future__ import annotations

import json

from tests.e2e.test_slack_more_commands import _open_home
from tests.fixtures.app import QA, LoopWorld


def test_app_home_names_the_skipped_tagging_day_without_an_hour(loop_world: LoopWorld) -> None:
    _open_home(loop_world, QA, "Ev0HOMEDAY1")
    view = loop_world.slack.home_view(QA)
    assert view is not None
    lines = [line for line in json.dumps(view["blocks"]).split("\\n") if "cycle" in line]
    skipped = next(line for line in lines if "cycle 2:" in line)
    assert "no tagging (Tue 2026-12-22 skipped)" in skipped, lines
    assert "at 10:00" not in skipped
    assert "prod Mon 2026-12-28" in skipped
    first = next(line for line in lines if "cycle 1:" in line)
    assert "tag Tue 2026-12-08 at 10:00, prod Mon 2026-12-14" in first, lines
