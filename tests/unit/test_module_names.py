"""One spelling for module names (issue 21; README "Code layout"): a module named for a
concept takes its singular, the same in every package, so no concept is spelled both ways
(`loadtest.py` here and `loadtests.py` there)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _stems() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found.setdefault(path.stem, []).append(str(path.relative_to(ROOT)))
    return found


def _plurals(stem: str) -> set[str]:
    return {stem + "s", stem + "es", *([stem[:-1] + "ies"] if stem.endswith("y") else [])}


def test_no_concept_is_spelled_both_singular_and_plural() -> None:
    stems = _stems()
    both = {stem: sorted(stems[stem] + stems[plural]) for stem in stems
            for plural in _plurals(stem) if plural in stems}
    assert both == {}
