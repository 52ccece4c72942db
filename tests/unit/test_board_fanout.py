"""The board reads its partners on the use cases' one shared fan-out
(bot/usecases/concurrency.py), not on thread pools of its own (issue 21): every
environment and every name is read on the caller's thread or a `loop-fanout` thread."""

from __future__ import annotations

import threading

from bot.board.app import Board
from bot.domain.version import ReleaseLabel, Version
from bot.usecases.board import BoardReads
from bot.usecases.tagging import tag_release
from tests.fakes.world import FakeWorld
from tests.fixtures.world import DEV


def _shared(threads: list[str]) -> bool:
    caller = threading.current_thread().name
    return bool(threads) and all(t == caller or t.startswith("loop-fanout") for t in threads)


def test_the_environments_grid_reads_every_environment_on_the_shared_fanout(
    fake_world: FakeWorld,
) -> None:
    grids = BoardReads(fake_world.ctx).grids()
    assert [g.service for g in grids] == [s.name for s in fake_world.settings.services]
    environments = sum(len(s.environments) for s in fake_world.settings.services)
    assert len(fake_world.environments.threads) >= environments  # dev also for its lag
    assert _shared(fake_world.environments.threads)


def test_the_board_page_and_the_audit_names_use_the_shared_fanout(
    fake_world: FakeWorld,
) -> None:
    tag_release(fake_world.ctx, fake_world.ctx.service(), DEV, Version.parse("0.13.0"))
    asked: list[str] = []

    def name(user: str) -> str:
        asked.append(threading.current_thread().name)
        return user.lower()

    board = Board(fake_world.ctx, name=name)
    values = board._board_values()
    assert [f.release.version for f in values["flights"]] == ["0.13.0"]
    assert _shared(fake_world.environments.threads)
    page = board.reads.release_page("loop-server", ReleaseLabel.parse("0.13.0"))
    assert page.names == {DEV.user_id: DEV.user_id.lower()} and _shared(asked)
