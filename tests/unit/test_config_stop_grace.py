"""app.yaml's `server.stop_grace`: how long Slack work under way may take to finish when
`loopbot run` stops (2.5 s unless set; tests/e2e/test_loopbot_run_says_why.py sees a
process stop with it set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config.settings import ConfigError, Settings, settings_from_dict

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))


def with_server(server: dict[str, Any]) -> Settings:
    return settings_from_dict({**SHIPPED, "server": server}, source="app.yaml")


def test_the_stop_grace_is_two_and_a_half_seconds_unless_set() -> None:
    assert with_server({}).server.stop_grace == 2.5
    assert with_server({"stop_grace": 0.5}).server.stop_grace == 0.5


@pytest.mark.parametrize("grace", [-1, 21, "soon"])
def test_a_stop_grace_out_of_range_is_refused_with_its_key(grace: object) -> None:
    with pytest.raises(ConfigError) as refused:
        with_server({"stop_grace": grace})
    said = str(refused.value)
    assert "key 'server.stop_grace'" in said and "\n" not in said, said
