"""Shared fixtures. Each stand-in's fixtures live in tests/fixtures/ and load here."""

from __future__ import annotations

pytest_plugins = [
    "tests.fixtures.standins",
]
