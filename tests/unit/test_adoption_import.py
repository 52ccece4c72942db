"""Adopting the bot mid-stream (issue 9), on the fakes (tests/fakes, seeded like the
sandbox): `import_releases` learns the releases a team made before the bot from the
repository's tags, the deployment tickets found in Bugzilla by summary and what each
environment runs; `/loop history 0.12.2` then works, and importing again changes
nothing. The demo has 0.11.0, 0.11.1, 0.12.0, 0.12.1 and 0.12.2 tagged, stage and prod
run 0.12.2, and the VERIFIED stage and prod tickets of 0.12.1 and 0.12.2 are filed.
A partner failing halfway is tests/integration/test_adoption.py's, on the stand-ins."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action
from bot.domain.release import Env, State, Ticket
from bot.domain.version import ReleaseLabel, Version
from bot.usecases.adoption import IMPORTER, adopt_on_first_start, import_releases
from bot.usecases.queries import history
from bot.usecases.release import advance
from bot.usecases.tagging import tag_release
from tests.fakes.world import FakeWorld as World
from tests.fixtures.world import DEV, QA

DEMO = ["0.11.0", "0.11.1", "0.12.0", "0.12.1", "0.12.2"]


@pytest.fixture
def world(fake_world: World) -> World:
    return fake_world


def file_ticket(w: World, summary: str, status: str, resolution: str = "") -> int:
    product = w.ctx.service().config.bugzilla
    return w.tracker().add_bug(summary, status, resolution, product=product.product,
                               component=product.component)


def test_import_learns_the_demo_releases_and_history_works(world: World) -> None:
    result = import_releases(world.ctx, world.ctx.service())
    assert [(r.version, r.state) for r in result.imported] == [(v, State.DONE) for v in DEMO]
    assert result.running == {"dev": "0.12.2", "stage": "0.12.2", "prod": "0.12.2"}
    latest = result.imported[-1]
    assert latest.tickets == (Ticket(Env.STAGE, 1098201), Ticket(Env.PROD, 1098202))
    assert (latest.tag, latest.previous_version, latest.branch) == ("0.12.2", "0.12.1",
                                                                    "master")
    assert [r.branch for r in result.imported if r.version == "0.11.1"] == ["0.11.x"]
    [entry] = history(world.ctx, world.ctx.service(), ReleaseLabel.parse("0.12.2"))
    assert (entry.actor, entry.action, entry.to_state) == (IMPORTER, "import", "done")
    assert entry.detail.startswith("imported from tag 0.12.2 (")
    assert entry.detail.endswith("; stage bug 1098201 VERIFIED FIXED; prod bug 1098202 "
                                 "VERIFIED FIXED; dev, stage, prod run it")


def test_importing_again_changes_nothing(world: World) -> None:
    import_releases(world.ctx, world.ctx.service())
    again = import_releases(world.ctx, world.ctx.service())
    assert again.imported == () and again.known == tuple(DEMO)
    assert len(history(world.ctx, world.ctx.service(), ReleaseLabel.parse("0.12.2"))) == 1
    started = adopt_on_first_start(world.ctx)  # a restart: loop-server is known now
    assert [(r.service, r.imported) for r in started] == [("loop-client", ())]


def test_a_release_in_flight_is_adopted_where_it_stands_and_goes_on(world: World) -> None:
    forge = world.ctx.service().forge
    forge.create_tag("0.13.0", forge.branch_head("master"), "loop-server 0.13.0")
    stage_bug = file_ticket(world, "Loop — Please deploy loop-server 0.13.0 to Stage", "NEW")
    world.deploy("stage", "0.13.0")
    result = import_releases(world.ctx, world.ctx.service())
    adopted = result.imported[-1]
    assert (adopted.version, adopted.state) == ("0.13.0", State.STAGE_DEPLOYED)
    assert adopted.tickets == (Ticket(Env.STAGE, stage_bug),)
    world.ctx.service().tracker.set_status(stage_bug, "RESOLVED", "FIXED")  # OPS, by hand
    verified = advance(world.ctx, world.ctx.service(),
                       Action.VERIFY_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    assert verified.release.state in (State.STAGE_VERIFIED, State.PROD_REQUESTED)


def test_a_release_the_bot_made_is_left_as_it_is(world: World) -> None:
    tag_release(world.ctx, world.ctx.service(), DEV, Version.parse("0.13.0"))
    result = import_releases(world.ctx, world.ctx.service())
    assert "0.13.0" in result.known and "0.13.0" not in [r.version for r in result.imported]
    entries = history(world.ctx, world.ctx.service(), ReleaseLabel.parse("0.13.0"))
    assert [e.action for e in entries] == ["tag"]


def test_a_ticket_closed_invalid_marks_its_release_superseded(world: World) -> None:
    forge = world.ctx.service().forge
    head = forge.branch_head("master")
    forge.create_tag("0.13.0", head, "loop-server 0.13.0")
    file_ticket(world, "Loop — Please deploy loop-server 0.13.0 to Stage", "RESOLVED",
                "INVALID")
    states = {r.version: r.state for r in import_releases(world.ctx, world.ctx.service()).imported}
    assert states["0.13.0"] is State.SUPERSEDED
