"""Delivery metrics on day one (issue 22): `loopbot import` learns, from each deployment
ticket's history in Bugzilla (python-bugzilla against the stand-in's Bug.history), when
the releases made before the bot were deployed and verified, and the metrics count them,
with the commit times read from the git-backed GitHub stand-in."""

from __future__ import annotations

import datetime as dt
import subprocess

from bot.domain.adoption import ticket_of
from bot.domain.release import Env
from bot.usecases.adoption import IMPORTER, import_releases
from bot.usecases.metrics import metrics
from bot.usecases.ports import PartnerError
from bot.usecases.queries import history
from tests.fixtures.world import World

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
        found = ticket_of(bug.summary, "loop-server")
        if found is None or (str(found[0]), found[1]) not in MOVES:
            continue
        fixed, verified = MOVES[(str(found[0]), found[1])]
        world.sandbox.bugzilla.backdate(bug.id, [(at(fixed), "RESOLVED", "FIXED"),
                                                 (at(verified), "VERIFIED", "FIXED")])


def test_imported_releases_count_in_the_metrics_from_their_tickets_history(
    world: World,
) -> None:
    backdate_tickets(world)
    import_releases(world.ctx)
    entries = history(world.ctx, "0.12.2")
    assert [(e.actor, e.action, e.at) for e in entries[:-1]] == [
        (IMPORTER, "deployed stage", at("2026-11-24T14:00")),
        (IMPORTER, "verify stage", at("2026-11-26T10:00")),
        (IMPORTER, "deployed prod", at("2026-11-30T09:00")),
        (IMPORTER, "verify prod", at("2026-11-30T16:00"))]
    assert entries[-1].action == "import"
    assert "learned from stage bug " in entries[0].detail

    found = metrics(world.ctx, cycles=3)  # the clock says Tue 2026-12-08
    assert found.now.pushes == 2 and found.now.pushed_per_cycle == (1, 1, 0)
    assert dict(found.now.waits) == {"stage verified → prod": dt.timedelta(days=3, hours=23)}
    [row] = [r for r in found.rows if r.story.version == "0.12.2"]
    path = world.sandbox.github.repo_path("mozilla-services", "loop-server")
    dates = subprocess.run(["git", "--git-dir", str(path), "log", "--format=%ct",
                            "0.12.1..0.12.2"], check=True, capture_output=True,
                           text=True).stdout.split()
    waited = sorted(at("2026-11-30T09:00") - dt.datetime.fromtimestamp(int(d), UTC)
                    for d in dates)
    assert row.lead_median == waited[(len(waited) - 1) // 2] and row.outcome == "pushed"


def test_the_commit_times_are_read_once_and_kept(world: World) -> None:
    backdate_tickets(world)
    import_releases(world.ctx)
    github = world.sandbox.github
    with github.counting() as first:
        metrics(world.ctx, cycles=3)
    with github.counting() as again:
        metrics(world.ctx, cycles=3)
    assert len([r for r in first if "/compare/" in r.path]) == 2
    assert [r for r in again if "/compare/" in r.path] == []


def test_a_ticket_history_that_cannot_be_read_imports_nothing(world: World) -> None:
    world.sandbox.bugzilla.faults.fail_next(503, 3, r"/rest/bug/\d+/history")
    try:
        import_releases(world.ctx)
    except PartnerError as exc:
        assert "history" in str(exc)
    else:
        raise AssertionError("the import went on without the history")
    with world.ctx.store.unit_of_work() as uow:
        assert uow.releases.find("loop-server") == []


def test_the_moves_the_bot_makes_are_in_the_tickets_history(world: World) -> None:
    tracker = world.ctx.service().tracker
    bug = tracker.file_ticket("Loop — Please deploy loop-server 0.13.0 to Stage", "", [])
    tracker.set_status(bug, "RESOLVED", "FIXED")
    tracker.comment(bug, "deployed")  # not a move
    tracker.set_status(bug, "VERIFIED", "FIXED")
    moves = tracker.status_moves(bug)
    assert [(m.status, m.resolution) for m in moves] == [("RESOLVED", "FIXED"),
                                                         ("VERIFIED", "FIXED")]
    assert moves[0].at.tzinfo is not None and moves[0].at <= moves[1].at
