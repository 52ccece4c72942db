"""The board shows what issue 12 records: how far dev is behind master, and the load-test
windows still to come (requests against the bot's own server, stand-ins behind it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config.settings import Settings
from bot.entrypoints.server import Server
from tests.e2e.test_board_http import board_server, get, text_of
from tests.fixtures.app import QA, LoopWorld


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    return shipped_settings  # loop-server as shipped: load tests required, dev watched


@pytest.fixture
def board(loop_world: LoopWorld) -> Iterator[Server]:
    with board_server(loop_world) as server:
        yield server


def test_the_board_says_how_far_dev_is_behind_master(loop_world: LoopWorld,
                                                     board: Server) -> None:
    assert "up to date with master" in text_of(get(board).text)
    for n in range(3):
        loop_world.sandbox.github.commit("mozilla-services", "loop-server", "master",
                                         f"Bug {1096700 + n} — Fix {n}",
                                         {f"loop/board{n}.js": "// fixed\n"})
    assert "3 commit(s) behind master" in text_of(get(board).text)


def test_the_board_lists_the_load_test_windows_to_come(loop_world: LoopWorld,
                                                       board: Server) -> None:
    loop_world.to_stage("0.13.0")
    loop_world.command(QA, "loadtest stage 0.13.0 window 2026-12-09T14:00 16:00 tokbox")
    page = text_of(get(board).text)
    assert "Load-test windows" in page
    assert "loop-server 0.13.0: Wed 2026-12-09 14:00 to 16:00 with tokbox" in page
