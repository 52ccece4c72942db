"""How far behind master the environment following it is comes from the pipeline
(issue 19): a service whose master-following environment is called `nightly` (`follows:
master`) gets the same line in `/loop envs` that dev gets (it looked for "dev" only)."""

from __future__ import annotations

import pytest

from bot.config.services import EnvironmentSettings
from bot.config.settings import Settings
from tests.fixtures.app import QA, LoopWorld


@pytest.fixture
def settings(settings: Settings) -> Settings:
    server = settings.service("loop-server")
    envs = dict(server.environments)
    dev = envs.pop("dev")
    renamed = {"nightly": EnvironmentSettings(url=dev.url, follows="master"), **envs}
    services = tuple(s.model_copy(update={"environments": renamed}) if s is server else s
                     for s in settings.services)
    return settings.model_copy(update={"services": services})


def test_envs_says_how_far_the_following_environment_is_behind(loop_world: LoopWorld) -> None:
    world = loop_world
    github = world.sandbox.github
    head = github.commit("mozilla-services", "loop-server", "master", "Bug 1096600 — Fix",
                         {"loop/fix.js": "// fixed\n"})
    world.sandbox.environment("loop-server", "nightly").deploy("0.12.2", head, "master")
    github.commit("mozilla-services", "loop-server", "master", "Bug 1096601 — Fix again",
                  {"loop/fix2.js": "// fixed\n"})
    world.command(QA, "envs")
    envs = world.last_ephemeral(QA).text
    assert f"*nightly*: 0.12.2 ({head[:7]}) · healthy · 1 commit behind master" in envs
