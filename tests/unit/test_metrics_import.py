"""Delivery metrics on day one (issue 22), on the fakes: `loopbot import` learns, from
each deployment ticket's status moves, when the releases made before the bot were
deployed and verified, and the metrics count them, with the commit times read once from
the forge and kept. A history that cannot be read, and Bugzilla's Bug.history itself:
tests/integration/test_metrics_import.py, on the stand-ins."""

from __future__ import annotations

import datetime as dt

from bot.domain.adoption import ticket_of
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env
from bot.domain.ticket_history import StatusMove
from bot.domain.version import ReleaseLabel
from bot.usecases.adoption import IMPORTER, import_releases
from bot.usecases.metrics import metrics
from bot.usecases.queries import history
from tests.fakes.world import FakeWorld as World

UTC = dt.UTC
# The demo's tickets of 0.12.1 and 0.12.2 are VERIFIED: here is how they got there.
MOVES = {
    ("0.12.1", Env.STAGE): ["2026-11-10T14:00", "2026-11-12T10:00"],
    ("0.12.1", Env.PROD): ["2026-11-16T09:00", "2026-11-16T15:00"],
    ("0.12.2", Env.STAGE): ["2026-11-24T14:00", "2026-11-26T10:00"],
    ("0.12.2", Env.PROD): ["2026-11-30T09:00", "2026-11-30T16:00"],
}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def backdate_tickets(world: World) -> None:
    tracker = world.ctx.service().tracker
    for bug in tracker.search_tickets("Please deploy loop-server "):
        found = ticket_of(bug.summary, "loop-server", pipeline=DEFAULT)
        if found is None or (str(found[0]), found[1]) not in MOVES:
            continue
        fixed, verified = MOVES[(str(found[0]), found[1])]
        world.tracker().moves[bug.id] = [StatusMove(at(fixed), "RESOLVED", "FIXED"),
                                         StatusMove(at(verified), "VERIFIED", "FIXED")]


def test_imported_releases_count_in_the_metrics_from_their_tickets_history(
    fake_world: World,
) -> None:
    world = fake_world
    backdate_tickets(world)
    import_releases(world.ctx, world.ctx.service())
    entries = history(world.ctx, world.ctx.service(), ReleaseLabel.parse("0.12.2"))
    assert [(e.actor, e.action, e.at) for e in entries[:-1]] == [
        (IMPORTER, "deployed stage", at("2026-11-24T14:00")),
        (IMPORTER, "verify stage", at("2026-11-26T10:00")),
        (IMPORTER, "deployed prod", at("2026-11-30T09:00")),
        (IMPORTER, "verify prod", at("2026-11-30T16:00"))]
    assert entries[-1].action == "import"
    assert "learned from stage bug " in entries[0].detail

    found = metrics(world.ctx, world.ctx.service(), cycles=3)  # the clock says Tue 2026-12-08
    assert found.now.pushes == 2 and found.now.pushed_per_cycle == (1, 1, 0)
    assert dict(found.now.waits) == {"stage verified → prod": dt.timedelta(days=3, hours=23)}
    [row] = [r for r in found.rows if r.story.version == "0.12.2"]
    forge = world.forge()
    dates = [c.committed_at for c in forge.commits_between(forge.tag_shas["0.12.1"],
                                                           forge.tag_shas["0.12.2"])]
    waited = sorted(at("2026-11-30T09:00") - d for d in dates if d is not None)
    assert len(waited) == len(dates)
    assert row.lead_median == waited[(len(waited) - 1) // 2] and row.outcome == "pushed"


def test_the_commit_times_are_read_once_and_kept(fake_world: World) -> None:
    world = fake_world
    backdate_tickets(world)
    import_releases(world.ctx, world.ctx.service())
    forge = world.forge()
    forge.calls.clear()
    metrics(world.ctx, world.ctx.service(), cycles=3)
    assert forge.calls.count("commits_between") == 2  # one compare each in GitHubForge
    forge.calls.clear()
    metrics(world.ctx, world.ctx.service(), cycles=3)
    assert forge.calls == []
