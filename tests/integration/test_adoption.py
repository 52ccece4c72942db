"""Adopting the bot mid-stream (issue 9) through the real client libraries against the
stand-ins, when a partner fails halfway: nothing is written, and the next import learns
every release. What the import learns is tests/unit/test_adoption_import.py's, on the
fakes."""

from __future__ import annotations

import pytest

from bot.usecases.adoption import import_releases
from bot.usecases.ports import PartnerError
from tests.fixtures.world import World

DEMO = ["0.11.0", "0.11.1", "0.12.0", "0.12.1", "0.12.2"]


def test_bugzilla_failing_writes_nothing(world: World) -> None:
    world.sandbox.bugzilla.faults.fail_next(500, count=5)
    with pytest.raises(PartnerError, match="Bugzilla"):
        import_releases(world.ctx, world.ctx.service())
    with world.ctx.store.unit_of_work() as uow:
        assert uow.releases.find("loop-server") == []


def test_github_failing_halfway_writes_nothing(world: World) -> None:
    # the read telling the patches' branches: master's history (or a comparison)
    world.sandbox.github.faults.fail_next(500, count=5, path="/compare/|/commits$")
    with pytest.raises(PartnerError, match="GitHub"):
        # failed while telling the patches' branches
        import_releases(world.ctx, world.ctx.service())
    with world.ctx.store.unit_of_work() as uow:
        assert uow.releases.find("loop-server") == []
    world.sandbox.github.faults.clear()
    assert len(import_releases(world.ctx, world.ctx.service()).imported) == len(DEMO)
