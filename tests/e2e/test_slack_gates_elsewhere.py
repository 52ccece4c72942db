"""Gates on an environment that is not called stage or prod (issue 19): loop-server goes
dev -> stage -> loadstage -> prod, with the load-test gate and the teams' sign-offs on
`loadstage`. Over signed Slack requests against the stand-ins, the load-test window and
result, the sign-off, the rejection and the re-release all happen on loadstage, and the
usage lines and advice name it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config.settings import ServiceWorkflow, Settings, load_settings
from bot.domain.release import State
from tests.fixtures.app import DEV, OPS, QA, LoopWorld
from tests.fixtures.standins import REPO_ROOT, without_opt_ins

VERSION = "0.13.0"
LOADSTAGE = """      stage:
        url: https://loop.stage.mozaws.net
      loadstage:
        url: https://loop.loadstage.mozaws.net
        ticket: Load Stage
        mocked_partner: true
        gates: [load_test, signoffs]
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """examples/real-stage.yaml with loop-server's stage and real-stage replaced by a plain
    stage and a `loadstage` that carries both gates; QA's team signs off."""
    text = (REPO_ROOT / "examples" / "real-stage.yaml").read_text()
    start = text.index("      # load-stage: server-side QA")
    end = text.index("      prod:", start)
    config = tmp_path / "loadstage.yaml"
    config.write_text(text[:start] + LOADSTAGE + text[end:])
    plain = without_opt_ins(load_settings(config, environ={}))
    server, *others = plain.services
    server = server.model_copy(update={"workflow": ServiceWorkflow(
        prod_signoffs={"QA": (QA,)})})
    return plain.model_copy(update={"services": (server, *others)})


def _ticket(world: LoopWorld, env: str) -> dict[str, object]:
    ticket = world.release(VERSION).ticket(env)
    assert ticket is not None, f"no {env} ticket"
    return world.sandbox.bugzilla.bug(ticket.bug_id)


def _comments(world: LoopWorld, bug: dict[str, object]) -> list[str]:
    return [str(c["text"]) for c in world.sandbox.bugzilla.comments(int(str(bug["id"])))]


def _status(world: LoopWorld, env: str) -> str:
    bug = _ticket(world, env)
    return f"{bug['status']} {bug.get('resolution') or ''}".strip()


def _on_loadstage(world: LoopWorld) -> None:
    world.tag(VERSION)
    world.command(DEV, f"request stage {VERSION}")
    world.deploy("stage", VERSION)
    world.command(OPS, f"deployed stage {VERSION}")
    world.command(QA, f"verify stage {VERSION}")  # no gate on stage: files loadstage's
    assert world.release(VERSION).state is State("loadstage-requested")
    assert _ticket(world, "loadstage")["summary"] == \
        f"Loop — Please deploy loop-server {VERSION} to Load Stage"
    world.deploy("loadstage", VERSION)
    world.command(OPS, f"deployed loadstage {VERSION}")
    assert world.release(VERSION).state is State("loadstage-deployed")


def test_load_test_and_sign_off_on_loadstage_then_prod(loop_world: LoopWorld) -> None:
    world = loop_world
    _on_loadstage(world)
    deployed = world.channel()[-1]
    assert "Loadstage sign-off needed from QA before QA verifies loadstage" in \
        json.dumps(deployed.blocks)
    advice = deployed.text
    assert f"/loop loadtest loadstage {VERSION} window FROM TO" in advice
    world.command(QA, f"verify loadstage {VERSION}")
    assert "requires a passed load test" in world.last_ephemeral(QA).text

    world.command(QA, f"loadtest stage {VERSION} window 2026-12-09T14:00 16:00 tokbox")
    refused = world.last_ephemeral(QA).text
    assert "this applies to loadstage only, not stage" in refused
    assert "usage: `/loop loadtest loadstage VERSION window FROM TO" in refused
    world.command(QA, f"loadtest loadstage {VERSION} window 2026-12-09T14:00 16:00 tokbox")
    assert f"Load test of loop-server {VERSION} on loadstage" in world.channel()[-1].text
    clock = world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC))
    world.command(QA, f"loadtest loadstage {VERSION} pass 3000 rooms, p99 180ms")
    assert f"Load test passed for loop-server {VERSION} on loadstage" in \
        world.channel()[-1].text
    comments = _comments(world, _ticket(world, "loadstage"))
    assert any("Load test passed on loadstage" in c for c in comments)

    world.command(QA, f"verify loadstage {VERSION}")
    assert "loadstage sign-off missing from QA: each team signs with `/loop signoff " \
           f"loadstage {VERSION}`" in world.last_ephemeral(QA).text
    world.command(QA, f"signoff prod {VERSION}")
    assert "this applies to loadstage only, not prod" in world.last_ephemeral(QA).text
    world.click(QA, deployed, f"Sign off {VERSION}")  # the button on the deployed message
    signed = world.channel()[-1].text
    assert "on loadstage: QA signed off" in signed and "Every sign-off is in" in signed
    world.command(QA, f"signoff loadstage {VERSION}")
    assert "QA had already signed off" in world.last_ephemeral(QA).text
    world.command(QA, f"verify loadstage {VERSION}")
    assert _status(world, "loadstage") == "VERIFIED FIXED"
    assert world.release(VERSION).state is State.PROD_REQUESTED

    world.command(QA, f"greenlight prod {VERSION}")
    world.click(QA, world.last_ephemeral(QA), f"Greenlight {VERSION}")
    world.deploy("prod", VERSION)
    world.command(OPS, f"deployed prod {VERSION}")
    assert "sign-off needed" not in json.dumps(world.channel()[-1].blocks)
    world.command(QA, f"verify prod {VERSION}")  # prod carries no gate here
    assert world.release(VERSION).state is State.DONE


def test_reject_and_rerelease_on_loadstage(loop_world: LoopWorld) -> None:
    world = loop_world
    _on_loadstage(world)
    drops = world.sandbox.bugzilla.add_bug("Rooms drop after a minute on loadstage", "NEW")
    world.command(QA, f"reject stage {VERSION} bug {drops} rooms drop")
    refused = world.last_ephemeral(QA).text
    assert f"loop-server {VERSION} is on loadstage (loadstage-deployed), not stage" in refused
    assert world.release(VERSION).state is State("loadstage-deployed")

    world.command(QA, f"reject loadstage {VERSION} bug {drops} rooms drop")
    assert world.release(VERSION).state is State.REJECTED
    assert "rejected on loadstage" in world.channel()[-1].text
    old = _ticket(world, "loadstage")
    assert any("rooms drop" in c for c in _comments(world, old))
    stage = _ticket(world, "stage")
    assert not any("rooms drop" in c for c in _comments(world, stage))

    world.command(OPS, f"rerelease loadstage {VERSION}")
    assert world.release(VERSION).state is State("loadstage-requested")
    new = _ticket(world, "loadstage")
    assert new["id"] != old["id"] and new["status"] == "NEW"
    assert world.sandbox.bugzilla.bug(int(str(old["id"])))["resolution"] == "INVALID"
    assert _status(world, "stage") == "VERIFIED FIXED"  # stage's ticket is left alone


def test_help_names_the_environments_that_take_each_step(loop_world: LoopWorld) -> None:
    world = loop_world
    world.command(QA, "help")
    listed = world.last_ephemeral(QA).text
    for usage in ("/loop request stage|loadstage|prod VERSION",
                  "/loop reject stage|loadstage VERSION [bug N] [REASON]",
                  "/loop rerelease stage|loadstage VERSION",
                  "/loop loadtest loadstage VERSION window",
                  "/loop signoff loadstage VERSION"):
        assert usage in listed, usage
    world.command(QA, "help loadtest")
    topic = world.last_ephemeral(QA).text
    assert "/loop loadtest loadstage 0.13.1 window 2026-12-09T14:00 16:00 tokbox" in topic
    assert "a comment on the loadstage ticket" in topic
    world.command(QA, "help loadtest service:loop-client")  # loop-client keeps stage
    assert "/loop loadtest stage VERSION" in world.last_ephemeral(QA).text
    world.command(QA, f"rerelease prod {VERSION}")
    assert "usage: `/loop rerelease stage|loadstage VERSION`" in world.last_ephemeral(QA).text
