"""Use cases speak to the outside through ports only (issue 21): no module of
bot/usecases imports a vendor client library; adapters in bot/partners/ and bot/store/ do."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.usecases

VENDORS = {"sqlalchemy", "sqlmodel", "alembic", "github", "bugzilla", "requests", "urllib3",
           "slack_sdk", "slack_bolt", "icalendar", "apscheduler", "psycopg", "jinja2"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_use_case_imports_a_vendor_library() -> None:
    folder = Path(bot.usecases.__file__).parent
    found = {f"{path.relative_to(folder)}: {name}" for path in sorted(folder.rglob("*.py"))
             for name in _imported(path) if name.split(".")[0] in VENDORS}
    assert not found, f"vendor imports in bot/usecases: {sorted(found)}"


def test_renderers_live_in_messages_and_adapters_only_send() -> None:
    root = Path(bot.usecases.__file__).parents[1]
    found = {f"{path.relative_to(root)}: {name}"
             for folder in ("usecases", "partners")
             for path in sorted((root / folder).rglob("*.py"))
             for name in _imported(path) if name.startswith("bot.messages")}
    assert not found, f"renderers imported below bot/messages: {sorted(found)}"
