"""Adopting a deployment whose pipeline has real-stage (issue 19): `loopbot import` reads
each ticketed environment's tickets by the word the pipeline gives it ("Real Stage"),
through python-bugzilla against the stand-in, and places each release where its furthest
ticket says (it knew only "Stage" and "Production": 0.13.0 was stage-verified)."""

from __future__ import annotations

import pytest

from bot.config.settings import Settings, load_settings
from bot.domain.release import State
from bot.usecases.adoption import import_releases
from tests.fixtures.standins import REPO_ROOT, without_opt_ins
from tests.fixtures.world import World


@pytest.fixture
def settings() -> Settings:
    example = load_settings(REPO_ROOT / "examples" / "real-stage.yaml", environ={})
    return without_opt_ins(example)


def _ticket(world: World, version: str, env: str, status: str, resolution: str = "") -> int:
    product = world.ctx.service().config.bugzilla
    return world.sandbox.bugzilla.add_bug(
        f"Loop — Please deploy loop-server {version} to {env}", status, resolution,
        product=product.product, component=product.component)


def _tag(world: World, version: str) -> None:
    owner, name = world.ctx.service().config.repo.split("/")
    sha = world.land(f"Bug 1109{version.replace('.', '')} — work for {version}")
    world.sandbox.github.git(owner, name).git("update-ref", f"refs/tags/{version}", sha)


def test_import_places_releases_by_their_real_stage_tickets(world: World) -> None:
    _tag(world, "0.13.0")
    stage = _ticket(world, "0.13.0", "Stage", "VERIFIED", "FIXED")
    real = _ticket(world, "0.13.0", "Real Stage", "RESOLVED", "FIXED")
    _tag(world, "0.14.0")
    newer = [_ticket(world, "0.14.0", "Stage", "VERIFIED", "FIXED"),
             _ticket(world, "0.14.0", "Real Stage", "VERIFIED", "FIXED")]
    result = import_releases(world.ctx, world.ctx.service())
    by_version = {r.version: r for r in result.imported}
    placed = by_version["0.13.0"]
    assert placed.state is State("real-stage-deployed")
    assert {(t.env, t.bug_id) for t in placed.tickets} == {("stage", stage),
                                                           ("real-stage", real)}
    assert by_version["0.14.0"].state is State("real-stage-verified")
    assert [by_version["0.14.0"].ticket(e).bug_id  # type: ignore[union-attr]
            for e in ("stage", "real-stage")] == newer
    with world.ctx.store.unit_of_work() as uow:
        detail = next(e.detail for e in uow.audit.find("loop-server", "0.13.0")
                      if e.action == "import")
    assert f"real-stage bug {real} RESOLVED FIXED" in detail
