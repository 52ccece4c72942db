"""Shared fixtures. Each area's fixtures live in tests/fixtures/ and load here."""

from __future__ import annotations

pytest_plugins = [
    "tests.fixtures.standins",
    "tests.fixtures.github",
    "tests.fixtures.bugzilla",
    "tests.fixtures.slack",
    "tests.fixtures.environments",
    "tests.fixtures.store",
    "tests.fixtures.app",
    "tests.fixtures.world",
    "tests.fixtures.scheduler",
    "tests.fixtures.smtp",
    "tests.fixtures.browser",
    "tests.fixtures.processes",
    "tests.fakes.world",
]
