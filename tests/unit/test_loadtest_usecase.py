"""Load tests on stage with partners, through the use cases on the fakes: the windows'
refusals (days, skips, the past, overlaps, roles, partners; an emergency override), and a
failed load test with a bug rejecting the stage build. The mail, the scheduler's posts and
`verify stage` waiting for a pass: tests/integration/test_loadtest.py, on the stand-ins."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from bot.clock import ManualClock
from bot.config.settings import Settings
from bot.domain.actions import Action, MissingRole
from bot.domain.errors import Refusal
from bot.domain.release import Env, State
from bot.domain.version import ReleaseLabel, Version
from bot.usecases.loadtest import record_result, set_window
from bot.usecases.release import advance
from bot.usecases.tagging import tag_release
from tests.fakes.world import FakeWorld as World
from tests.fixtures.scheduler import START, paris
from tests.fixtures.world import DEV, LEAD, OPS, QA

V0130 = ReleaseLabel.parse("0.13.0")


@pytest.fixture
def r(shipped_settings: Settings) -> Iterator[World]:
    """The shipped settings on the fakes, from the rehearsals' start (Monday before the
    anchor)."""
    world = World(shipped_settings, clock=ManualClock(START))
    yield world
    world.close()


def local(text: str) -> dt.datetime:
    """The wall clock as typed in a command (naive, the team's time zone)."""
    return dt.datetime.fromisoformat(text)


def at(world: World, when: str) -> None:
    world.clock.set(paris(when))


def to_stage(world: World, version: str) -> None:
    """Tagged and stage requested (DEV), deployed and said so (OPS): stage-deployed."""
    tag_release(world.ctx, world.ctx.service(), DEV, Version.parse(version))
    advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, ReleaseLabel.parse(version), DEV)
    world.deploy("stage", version)
    advance(world.ctx, world.ctx.service(), Action.DEPLOYED_STAGE, ReleaseLabel.parse(version), OPS)


def test_windows_are_refused_off_the_load_test_days_on_skipped_days_and_overlapping(
    r: World,
) -> None:
    at(r, "2026-12-08 09:30")
    to_stage(r, "0.13.0")
    cases = {
        ("2026-12-14T14:00", "2026-12-14T16:00"):
            "Mon 2026-12-14 is not a load-test day of its cycle (Tue 2026-12-08 to Fri "
            "2026-12-11)",
        ("2026-12-22T14:00", "2026-12-22T16:00"): "Tue 2026-12-22 is skipped",
        ("2026-12-08T08:00", "2026-12-08T09:00"): "the window starts in the past",
        ("2026-12-10T16:00", "2026-12-10T14:00"): "ends (Thu 2026-12-10 14:00) before it "
                                                  "starts",
        ("2026-12-11T17:00", "2026-12-12T10:00"): "Sat 2026-12-12 is not a load-test day",
    }
    for (start, end), why in cases.items():
        with pytest.raises(Refusal, match=re.escape(why)):
            set_window(r.ctx, r.ctx.service(), QA, V0130, local(start), local(end))
    set_window(r.ctx, r.ctx.service(), QA, V0130,
               local("2026-12-10T09:00"), local("2026-12-10T12:00"))
    with pytest.raises(Refusal, match="overlaps the window of loop-server 0.13.0 "
                                      r"\(Thu 2026-12-10 09:00 to Thu 2026-12-10 12:00\)"):
        set_window(r.ctx, r.ctx.service(), QA, V0130,
                   local("2026-12-10T11:00"), local("2026-12-10T13:00"))
    with pytest.raises(MissingRole, match="a load test needs the QA role for loop-server"):
        set_window(r.ctx, r.ctx.service(), DEV, V0130,
                   local("2026-12-11T09:00"), local("2026-12-11T10:00"))
    with pytest.raises(Refusal, match="unknown partner.* nexmo; configured partners: tokbox"):
        set_window(r.ctx, r.ctx.service(), QA, V0130,
                   local("2026-12-11T09:00"), local("2026-12-11T10:00"),
                   ["nexmo"])
    with r.ctx.store.unit_of_work() as uow:
        assert len(uow.loadtests.windows()) == 1  # nothing refused was recorded

    forced = set_window(r.ctx, r.ctx.service(), LEAD, V0130, local("2026-12-14T09:00"),
                        local("2026-12-14T10:00"), override_reason="partner only free Monday")
    assert forced.new and "Mon 2026-12-14 is not a load-test day" in forced.skipped[0]
    with r.ctx.store.unit_of_work() as uow:
        entry = uow.audit.find("loop-server", "0.13.0")[-1]
    assert entry.action == "override load-test window"
    assert entry.override_reason == "partner only free Monday"


def test_a_failed_load_test_with_a_bug_rejects_the_stage_build(r: World) -> None:
    at(r, "2026-12-08 09:30")
    to_stage(r, "0.13.0")
    set_window(r.ctx, r.ctx.service(), QA, V0130,
               local("2026-12-08T11:00"), local("2026-12-08T13:00"))
    at(r, "2026-12-08 13:10")
    with pytest.raises(Refusal, match="there is no bug 99999999"):
        record_result(r.ctx, r.ctx.service(), QA, V0130, False, bug_id=99999999)
    failed = record_result(r.ctx, r.ctx.service(), QA, V0130,
                           False, reason="websockets drop at 2k rooms",
                           bug_id=1096112)
    assert failed.rejected is not None
    assert failed.release.state is State.REJECTED and failed.release.rejected_for == 1096112
    stage_ticket = failed.release.ticket(Env.STAGE)
    assert stage_ticket is not None
    stage_bug = stage_ticket.bug_id
    comments = r.tracker().comments[stage_bug]
    assert any("Load test failed on stage (0.13.0)" in c and "bug 1096112" in c
               for c in comments)
    with r.ctx.store.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.find("loop-server", "0.13.0")]
        results = uow.loadtests.results("loop-server", "0.13.0")
    assert actions[-2:] == ["load test", "reject"]
    assert [x.passed for x in results] == [False]
