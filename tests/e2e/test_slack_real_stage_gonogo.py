"""`/loop gonogo` follows the service's pipeline (issue 19): with examples/real-stage.yaml,
a release verified on stage waits for real-stage, and the go/no-go says so, naming
real-stage's ticket and whose move it is, never advising the prod ticket early."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import ManualClock
from bot.config.settings import Settings, load_settings
from bot.domain.release import State
from tests.fixtures.app import DEV, OPS, QA, LoopWorld
from tests.fixtures.standins import REPO_ROOT, without_opt_ins

VERSION = "0.13.0"


@pytest.fixture
def settings() -> Settings:
    example = load_settings(REPO_ROOT / "examples" / "real-stage.yaml", environ={})
    return without_opt_ins(example)


def _verified_on_stage(world: LoopWorld) -> None:
    world.tag(VERSION)
    world.command(DEV, f"request stage {VERSION}")
    world.deploy("stage", VERSION)
    world.command(OPS, f"deployed stage {VERSION}")
    world.command(QA, f"loadtest stage {VERSION} window 2026-12-09T14:00 16:00 tokbox")
    clock = world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC))
    world.command(QA, f"loadtest stage {VERSION} pass 3000 rooms, p99 180ms")
    world.command(QA, f"verify stage {VERSION}")
    assert world.release(VERSION).state is State("real-stage-requested")


def _gonogo(world: LoopWorld) -> str:
    world.command(QA, "gonogo")
    answer = world.last_ephemeral(QA)
    return answer.text + "\n" + str(answer.blocks)


def test_gonogo_names_real_stage_and_waits_for_it(loop_world: LoopWorld) -> None:
    world = loop_world
    _verified_on_stage(world)
    real = world.release(VERSION).ticket("real-stage")
    assert real is not None
    answer = _gonogo(world)
    assert f"NO-GO for loop-server {VERSION}" in answer
    assert (f"- [no] real-stage bug {real.bug_id} is NEW: OPS deploys {VERSION} to "
            f"real-stage, then `/loop deployed real-stage {VERSION}`") in answer
    assert "- [no] no prod ticket yet: it is filed once real-stage is verified" in answer
    assert "/loop request prod" not in answer

    world.deploy("real-stage", VERSION)
    world.command(OPS, f"deployed real-stage {VERSION}")
    answer = _gonogo(world)
    assert (f"- [no] real-stage bug {real.bug_id} is RESOLVED FIXED, not VERIFIED: QA "
            f"verifies it with `/loop verify real-stage {VERSION}`") in answer
    world.command(QA, f"verify real-stage {VERSION}")
    answer = _gonogo(world)
    assert f"- [ok] real-stage bug {real.bug_id} is VERIFIED" in answer
    assert "- [ok] the load test of 0.13.0 passed" in answer
