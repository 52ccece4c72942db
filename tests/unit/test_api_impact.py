"""API-version impact from changed files, categories from Bugzilla's fields, and the
notes' line (bot/domain/api_impact.py, bot/domain/changelog.py)."""

from __future__ import annotations

import datetime as dt

from bot.domain.api_impact import api_impact, describe, path_matches
from bot.domain.changelog import Changelog, field_category, render_notes
from bot.domain.facts import Bug, Commit

SERVED_BY = {"/v1": ("loop/routes/*.js",), "/v2": ("loop/routes/*.js", "loop/v2/**")}


def test_patterns_match_segment_by_segment_and_double_star_spans_folders() -> None:
    assert path_matches("loop/routes/rooms.js", "loop/routes/*.js")
    assert not path_matches("loop/routes/v2/rooms.js", "loop/routes/*.js")
    assert not path_matches("other/loop/routes/rooms.js", "loop/routes/*.js")
    assert path_matches("loop/v2/deep/rooms.js", "loop/v2/**")
    assert path_matches("loop/v2/x.js", "loop/**/x.js")


def test_impact_lists_each_version_with_its_files_in_the_configured_order() -> None:
    files = ["README.md", "loop/v2/calls.js", "loop/routes/rooms.js"]
    impact = api_impact(files, SERVED_BY)
    assert impact == (("/v1", ("loop/routes/rooms.js",)),
                      ("/v2", ("loop/v2/calls.js", "loop/routes/rooms.js")))
    assert describe(impact) == ("API code changed: /v1, /v2 (loop/routes/rooms.js, "
                                "loop/v2/calls.js)")
    assert api_impact(["README.md"], SERVED_BY) == () and describe(()) == ""


def test_bugzilla_fields_decide_the_category_before_words() -> None:
    assert field_category(Bug(1, "x", "RESOLVED", "FIXED", keywords=("sec-moderate",))) \
        == "security"
    assert field_category(Bug(2, "x", "RESOLVED", "FIXED", groups=("core-security",))) \
        == "security"
    assert field_category(Bug(3, "x", "RESOLVED", "FIXED", type="enhancement")) == "feature"
    assert field_category(Bug(4, "x", "RESOLVED", "FIXED", type="defect")) is None
    bug = Bug(1096800, "Refactor rooms", "RESOLVED", "FIXED", type="enhancement")
    commit = Commit("a" * 40, "Bug 1096800 — Refactor rooms", "dev", ("b" * 40,))
    changelog = Changelog.build([commit], {bug.id: bug})
    notes = render_notes(changelog, "0.14.0", dt.date(2026, 12, 22),
                         "API code changed: /v2 (loop/v2/x.js)")
    assert "- [feature] 1096800 — Refactor rooms" in notes
    assert notes.endswith("\n\nAPI code changed: /v2 (loop/v2/x.js)\n")
