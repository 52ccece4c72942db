"""How the release commit changes each file (bot/domain/release_commit.py)."""

from __future__ import annotations

import pytest

from bot.domain.release_commit import (
    CHANGELOG,
    JSON,
    KEY_VALUE,
    CannotBump,
    FileBump,
    bump_json,
    bump_key_value,
    plan_release_commit,
    prepend_section,
)

SECTION = "0.13.0 (2026-12-08)\n-------------------\n\n- [feature] 1094662 — Rooms\n"
OLD = "0.12.2 (2026-11-24)\n-------------------\n\n- [bugfix] 1093000 — Hawk\n"


def test_the_section_goes_first_after_the_title_once() -> None:
    text = f"CHANGELOG\n=========\n\n{OLD}"
    bumped = prepend_section(text, SECTION)
    assert bumped == f"CHANGELOG\n=========\n\n{SECTION}\n{OLD}"
    assert prepend_section(bumped, SECTION) == bumped
    assert prepend_section(OLD, SECTION) == f"{SECTION}\n{OLD}"  # no title
    assert prepend_section("", SECTION) == f"{SECTION}\n"


def test_json_version_is_set_keeping_the_formatting() -> None:
    text = ('{\n  "name": "mozilla-loop-server",\n  "version": "0.12.2",\n'
            '  "devDependencies": {"version": "9.9.9"}\n}\n')
    assert bump_json("package.json", text, "version", "0.13.0") == text.replace(
        '"version": "0.12.2"', '"version": "0.13.0"')
    assert bump_json("package.json", text, "version", "0.12.2") == text
    with pytest.raises(CannotBump, match="package.json is not valid JSON"):
        bump_json("package.json", "{nope", "version", "0.13.0")
    with pytest.raises(CannotBump, match="no top-level string field 'version'"):
        bump_json("package.json", '{"name": "x"}', "version", "0.13.0")


def test_key_value_lines_are_set_keeping_quotes_and_spacing() -> None:
    text = '[project]\nname = "loop"\nversion = "0.12.2"\n'
    assert bump_key_value("pyproject.toml", text, "version", "0.13.0") == \
        '[project]\nname = "loop"\nversion = "0.13.0"\n'
    assert bump_key_value("setup.cfg", "version=0.12.2\n", "version", "0.13.0") == \
        "version=0.13.0\n"
    with pytest.raises(CannotBump, match="has no `version = \"...\"` line"):
        bump_key_value("setup.cfg", "name = loop\n", "version", "0.13.0")


def test_the_plan_lists_only_changed_files_with_their_diff() -> None:
    bumps = [FileBump("CHANGELOG.md", CHANGELOG), FileBump("package.json", JSON),
             FileBump("loop/version.py", KEY_VALUE, "__version__")]
    current = {"CHANGELOG.md": OLD, "package.json": '{"version": "0.13.0"}\n',
               "loop/version.py": '__version__ = "0.12.2"\n'}
    plan = plan_release_commit("Release 0.13.0", bumps, current, "0.13.0", SECTION)
    assert [path for path, _ in plan.files] == ["CHANGELOG.md", "loop/version.py"]
    assert '-__version__ = "0.12.2"\n+__version__ = "0.13.0"\n' in plan.diff
    assert "package.json" not in plan.diff
    without = plan_release_commit("Release 0.13.0", bumps, {**current, "package.json": None},
                                  "0.13.0", SECTION)
    assert without.missing == ("package.json",)  # left out, and the preview says so
    assert [path for path, _ in without.files] == ["CHANGELOG.md", "loop/version.py"]
