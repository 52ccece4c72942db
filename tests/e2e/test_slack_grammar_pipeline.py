"""The `/loop` grammar reads environment words in the pipeline of the service the line is
about (issue 19): examples/real-stage.yaml's loop-server has real-stage, loop-client has
only stage and prod, and an environment's `aliases` are what else people call it. Over
signed Slack requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import Settings, load_settings
from tests.fixtures.app import QA, LoopWorld
from tests.fixtures.standins import REPO_ROOT, without_opt_ins


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """examples/real-stage.yaml, with real-stage also called `rstage`."""
    text = (REPO_ROOT / "examples" / "real-stage.yaml").read_text()
    config = tmp_path / "aliases.yaml"
    config.write_text(text.replace("        ticket: Real Stage\n",
                                   "        ticket: Real Stage\n        aliases: [rstage]\n", 1))
    return without_opt_ins(load_settings(config, environ={}))


def test_a_step_on_an_environment_the_service_lacks_names_its_environments(
        loop_world: LoopWorld) -> None:
    loop_world.command(QA, "verify real-stage 0.13.0 service:loop-client")
    refused = loop_world.last_ephemeral(QA).text
    assert "expected stage or prod, got `real-stage`" in refused
    assert "usage: `/loop verify stage|prod VERSION`" in refused
    loop_world.command(QA, "verify qa 0.13.0 service:loop-client")
    assert "expected stage or prod, got `qa`" in loop_world.last_ephemeral(QA).text


def test_real_stage_and_its_alias_read_on_the_service_that_has_it(
        loop_world: LoopWorld) -> None:
    for line in ("verify real-stage 0.13.1", "verify RSTAGE 0.13.1", "verify staging 0.13.1"):
        loop_world.command(QA, line)  # read: refused for the release only
        assert loop_world.last_ephemeral(QA).text.startswith(
            "loop-server has no release 0.13.1"), line
    loop_world.command(QA, "verify rstage 0.13.1 service:loop-client")
    assert "expected stage or prod, got `rstage`" in loop_world.last_ephemeral(QA).text


def test_help_lists_the_default_services_four_environments(loop_world: LoopWorld) -> None:
    loop_world.command(QA, "help")
    listed = loop_world.last_ephemeral(QA).text
    for step in ("request", "deployed", "verify"):
        assert f"/loop {step} stage|real-stage|prod VERSION" in listed
    loop_world.command(QA, "help service:loop-client")
    assert "/loop verify stage|prod VERSION" in loop_world.last_ephemeral(QA).text
