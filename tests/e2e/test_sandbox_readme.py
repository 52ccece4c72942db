"""The README's "Five minutes with the sandbox" block, pasted into `loopbot sandbox` as it
stands in README.md (comments included), does what the README says: 0.13.0 is released
and the tagging-Tuesday announcement is posted (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.test_sandbox_chat import ROOT, play, texts


def five_minute_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Five minutes with the sandbox", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert found is not None, "README.md lost its five-minute block"
    return found.group(1)


def test_the_readme_quick_start_works_as_pasted(tmp_path: Path) -> None:
    block = five_minute_block()
    assert " # " in block  # pasted with its comments, as a newcomer does
    out = play(block, tmp_path)
    errors = [i for i in out if "error" in i or "HTTP" in i.get("message", "")]
    assert errors == []
    refusals = [t for t in texts(out) if "couldn't read" in t or "I don't know" in t]
    assert refusals == []
    assert any("stage reports 0.12.2, not 0.13.0" in t for t in texts(out, user="@ops"))
    assert any("verified on prod: released" in t for t in texts(out))
    clock = next(n for n, i in enumerate(out) if i.get("sandbox") == "clock")
    after = texts(out[clock:], channel="C0LOOP0001")
    assert any(t.startswith("loop-server: tagging day") for t in after), after
