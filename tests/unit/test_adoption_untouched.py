"""Issue 17: tags newer than what prod runs that the release process never touched (no
deployment ticket, run by no environment, replaced by a newer tag) were each recorded as
a superseded release; 10,000 build tags made 10,000 of them. They are left out and
listed now; every release the bot needs is still recorded. On the fakes."""

from __future__ import annotations

import pytest

from bot.domain.release import State
from bot.domain.version import ReleaseLabel
from bot.usecases.adoption import import_releases
from bot.usecases.context import UnknownRelease
from bot.usecases.queries import history
from tests.fakes.world import FakeWorld as World
from tests.unit.test_adoption_import import DEMO, file_ticket

BUILDS = 40  # tags 0.13.0 ... 0.13.39 on master after the demo's 0.12.2 (prod runs it)


def test_tags_never_ticketed_deployed_or_released_are_left_out(fake_world: World) -> None:
    world, forge = fake_world, fake_world.forge()
    landed = [forge.commit("master", f"Bug {1110000 + i} — Tune the room reaper {i}",
                           {"loop/reaper.js": f"// {i}\n"}) for i in range(BUILDS)]
    for i, sha in enumerate(landed):
        forge.tag_shas[f"0.13.{i}"] = sha  # build tags, lightweight
    file_ticket(world, "Loop — Please deploy loop-server 0.13.7 to Stage", "RESOLVED",
                "INVALID")
    world.deploy("dev", "0.13.21")
    result = import_releases(world.ctx, world.ctx.service())
    kept = ["0.13.7", "0.13.21", f"0.13.{BUILDS - 1}"]
    assert [(r.version, r.state) for r in result.imported] == [
        *[(v, State.DONE) for v in DEMO], ("0.13.7", State.SUPERSEDED),
        ("0.13.21", State.SUPERSEDED), (kept[-1], State.TAGGED)]
    assert result.untouched == tuple(f"0.13.{i}" for i in range(BUILDS - 1)
                                     if f"0.13.{i}" not in kept)
    newest = result.imported[-1]
    assert newest.previous_version == "0.13.21"  # the release before it, not a build tag
    with pytest.raises(UnknownRelease, match="loop-server has no release 0.13.3"):
        history(world.ctx, world.ctx.service(), ReleaseLabel.parse("0.13.3"))
    again = import_releases(world.ctx, world.ctx.service())
    assert again.imported == () and again.untouched == result.untouched
    assert again.known == (*DEMO, *kept)
