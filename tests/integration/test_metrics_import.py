"""Delivery metrics on day one (issue 22), against the stand-ins: a ticket history that
cannot be read imports nothing, and the moves the bot makes are in Bugzilla's Bug.history
(python-bugzilla). What the import learns from the histories and how the metrics count
it: tests/unit/test_metrics_import.py, on the fakes."""

from __future__ import annotations

from bot.usecases.adoption import import_releases
from bot.usecases.ports import PartnerError
from tests.fixtures.world import World


def test_a_ticket_history_that_cannot_be_read_imports_nothing(world: World) -> None:
    world.sandbox.bugzilla.faults.fail_next(503, 3, r"/rest/bug/\d+/history")
    try:
        import_releases(world.ctx, world.ctx.service())
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
