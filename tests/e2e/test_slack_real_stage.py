"""The fourth environment of docs/process.md, configured only (issue 19):
examples/real-stage.yaml gives loop-server stage (mocked TokBox, the load-test gate), then
real-stage (live partners), then prod. Over signed Slack requests against the stand-ins, a
release passes each with its own Bugzilla ticket, and the green light waits for
real-stage."""

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


def _ticket(world: LoopWorld, env: str) -> dict[str, object]:
    ticket = world.release(VERSION).ticket(env)
    assert ticket is not None, f"no {env} ticket"
    return world.sandbox.bugzilla.bug(ticket.bug_id)


def _status(world: LoopWorld, env: str) -> str:
    bug = _ticket(world, env)
    return f"{bug['status']} {bug.get('resolution') or ''}".strip()


def _load_test_passes(world: LoopWorld) -> None:
    world.command(QA, f"loadtest stage {VERSION} window 2026-12-09T14:00 16:00 tokbox")
    clock = world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC))
    world.command(QA, f"loadtest stage {VERSION} pass 3000 rooms, p99 180ms")
    assert f"Load test passed for loop-server {VERSION} on stage" in world.channel()[-1].text


def test_a_release_passes_stage_then_real_stage_then_prod(loop_world: LoopWorld) -> None:
    world = loop_world
    assert world.sandbox.environment("loop-server", "real-stage").url  # its stand-in runs
    world.tag(VERSION)
    world.command(DEV, f"request stage {VERSION}")
    assert _ticket(world, "stage")["summary"] == \
        f"Loop — Please deploy loop-server {VERSION} to Stage"
    world.deploy("stage", VERSION)
    world.command(OPS, f"deployed stage {VERSION}")
    _load_test_passes(world)
    world.command(QA, f"verify stage {VERSION}")
    assert _status(world, "stage") == "VERIFIED FIXED"

    release = world.release(VERSION)
    assert release.state is State("real-stage-requested")
    real = _ticket(world, "real-stage")
    assert real["summary"] == f"Loop — Please deploy loop-server {VERSION} to Real Stage"
    assert real["status"] == "NEW"
    said = world.channel()[-1]
    assert "real-stage" in said.text and f"/loop deployed real-stage {VERSION}" in said.text

    world.command(QA, f"greenlight prod {VERSION}")
    refused = world.last_ephemeral(QA).text
    assert "the green light for prod waits until real-stage is verified" in refused
    assert world.release(VERSION).state is State("real-stage-requested")

    world.command(OPS, f"deployed real-stage {VERSION}")  # not deployed there yet
    assert f"real-stage reports 0.12.2, not {VERSION}: deploy it first" in \
        world.last_ephemeral(OPS).text
    world.deploy("real-stage", VERSION)
    world.command(OPS, f"deployed real-stage {VERSION}")
    assert _status(world, "real-stage") == "RESOLVED FIXED"
    assert world.release(VERSION).state is State("real-stage-deployed")
    world.command(QA, f"greenlight prod {VERSION}")
    assert "waits until real-stage is verified" in world.last_ephemeral(QA).text

    world.command(QA, f"verify real-stage {VERSION}")
    assert _status(world, "real-stage") == "VERIFIED FIXED"
    assert world.release(VERSION).state is State.PROD_REQUESTED
    prod = _ticket(world, "prod")
    assert prod["summary"] == f"Loop — Please deploy loop-server {VERSION} to Production"

    world.command(QA, f"greenlight prod {VERSION}")
    world.click(QA, world.last_ephemeral(QA), f"Greenlight {VERSION}")
    assert world.release(VERSION).state is State.GREENLIT
    world.deploy("prod", VERSION)
    world.command(OPS, f"deployed prod {VERSION}")
    world.command(QA, f"verify prod {VERSION}")
    assert world.release(VERSION).state is State.DONE
    assert [_status(world, env) for env in ("stage", "real-stage", "prod")] == [
        "VERIFIED FIXED"] * 3


def test_envs_flags_a_mocked_partner_on_real_stage(loop_world: LoopWorld) -> None:
    world = loop_world
    world.command(QA, "envs")
    said = world.last_ephemeral(QA).text
    assert "real-stage" in said and ":warning:" not in said
    world.sandbox.environment("loop-server", "real-stage").configure(fake_partner=True)
    world.command(QA, "envs")
    lines = world.last_ephemeral(QA).text.split("; ")
    real = next(line for line in lines if "*real-stage*" in line)
    assert "expected the live partner, not a mock" in real
    assert not any(":warning:" in line for line in lines if line is not real)


def test_loop_client_has_no_real_stage_and_says_which_environments_it_has(
    loop_world: LoopWorld
) -> None:
    world = loop_world
    world.command(QA, f"verify real-stage {VERSION} service:loop-client")
    said = world.last_ephemeral(QA).text
    assert "expected stage or prod, got `real-stage`; usage: `/loop verify stage|prod " \
        "VERSION`" in said  # read in loop-client's pipeline
    world.command(QA, "help verify")
    assert "/loop verify stage|real-stage|prod VERSION" in world.last_ephemeral(QA).text
    world.command(QA, "help verify service:loop-client")
    assert "/loop verify stage|prod VERSION" in world.last_ephemeral(QA).text
    world.command(QA, f"verify qa-stage {VERSION}")
    assert "expected stage, real-stage or prod, got `qa-stage`" in world.last_ephemeral(QA).text
