"""The process the bot runs is described in the repository (docs/process.md), and what
cites it (README.md, `/loop help`) points there."""

from __future__ import annotations

import re
from pathlib import Path

from handlers.grammar.help import PROCESS_DOC

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "process.md"


def test_the_process_doc_covers_what_the_team_needs() -> None:
    headings = re.findall(r"^## (.+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    for wanted in ("Roles", "Environments", "Tickets", "The calendar", "A release, step by step",
                   "When things go wrong", "Emergencies"):
        assert wanted in headings, f"docs/process.md has no section {wanted!r}"


def test_readme_and_help_point_at_the_doc_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "PROCESS.md" not in readme  # the shared folder is not part of the repository
    assert "[docs/process.md](docs/process.md)" in readme
    path = PROCESS_DOC.split("/blob/main/", 1)[1]
    assert (ROOT / path) == DOC and DOC.is_file()
