"""A service's pipeline is built once, when the settings are loaded and checked, not on
every `ServiceSettings.pipeline` access (it was rebuilt each time: 87 µs, on every step,
button and reminder); a copy with other environments builds its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.config.services as services
from bot.config.settings import load_settings
from bot.domain.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]


def test_the_pipeline_is_built_at_load_and_then_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = services.pipeline_of

    def counting(service: services.ServiceSettings, *, key: str) -> Pipeline:
        built.append(service.name)
        return real(service, key=key)

    monkeypatch.setattr(services, "pipeline_of", counting)
    settings = load_settings(ROOT / "examples" / "real-stage.yaml", environ={})
    assert built == [s.name for s in settings.services]  # checked at start, once each
    server = settings.service("loop-server")
    first = server.pipeline
    assert all(server.pipeline is first for _ in range(3))
    assert built == [s.name for s in settings.services]


def test_a_copy_with_other_environments_has_its_own_pipeline() -> None:
    settings = load_settings(ROOT / "examples" / "real-stage.yaml", environ={})
    server = settings.service("loop-server")
    assert server.pipeline.names == ("dev", "stage", "real-stage", "prod")
    fewer = {k: v for k, v in server.environments.items() if k != "real-stage"}
    copied = server.model_copy(update={"environments": fewer})
    assert copied.pipeline.names == ("dev", "stage", "prod")
    assert server.pipeline.names == ("dev", "stage", "real-stage", "prod")
    assert copied == copied.model_copy() and "_pipeline_cache" not in copied.model_dump()
