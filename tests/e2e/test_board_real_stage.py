"""The board's drift on a four-environment pipeline (examples/real-stage.yaml): it compares
prod with the environment before it, real-stage, and says so; a stage ahead of both is not
taken for the drift. Over HTTP, on the bot's own server."""

from __future__ import annotations

import re

import pytest

from bot.config.settings import Settings, load_settings
from tests.e2e.test_board_http import board_server, get, text_of
from tests.fixtures.app import LoopWorld
from tests.fixtures.standins import REPO_ROOT, without_opt_ins


@pytest.fixture
def settings() -> Settings:
    example = load_settings(REPO_ROOT / "examples" / "real-stage.yaml", environ={})
    return without_opt_ins(example)


def test_the_drift_compares_prod_with_real_stage(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.deploy("stage", "0.13.0")
    with board_server(loop_world) as server:
        before = text_of(get(server).text)
        loop_world.deploy("real-stage", "0.13.0")
        after = text_of(get(server).text)
    assert "stage runs 0.13.0, prod" not in before  # stage alone does not make a drift
    assert re.search(r"real-stage runs 0\.13\.0, prod 0\.12\.2: \d+ commit\(s\)", after)
    assert re.search(r"(?<!real-)stage runs 0\.13\.0", after) is None
