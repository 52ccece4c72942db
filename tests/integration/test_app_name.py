"""The Bolt app is built without `inspect.stack()`: unnamed, Bolt names itself after its
caller's file by walking the stack and finding every frame's module (55 ms of CPU once
per process, a few ms at each app a test builds). Named, it keeps that same name, so the
loggers Bolt hands the listeners are the same."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from tests.fixtures.app import DEV, start_world, stop_world


def test_the_app_is_built_without_walking_the_stack(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("inspect.stack() called while building the app")

    monkeypatch.setattr(inspect, "stack", refuse)
    sandbox, world = start_world(settings, tmp_path)
    try:
        assert world.app.bolt.name == "app.py"  # what Bolt named it: bot/entrypoints/app.py
        world.command(DEV, "help")  # and it answers as before
        assert "/loop" in world.sandbox.slack.ephemerals(DEV)[-1].text
    finally:
        stop_world(sandbox, world)
