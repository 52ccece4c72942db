"""The branch an environment follows is the one the lag is counted against (issue 19):
`follows` defaults to the service's `main_branch`, so a service whose main branch is
`main` hears "behind main", and a dev that says `follows: next` hears "behind next"
(the lag was counted against main_branch whatever `follows` said). Signed `/loop envs`
over HTTP; dev's rev compared on the git-backed GitHub stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.services import EnvironmentSettings
from bot.config.settings import Settings
from bot.sandbox.world import Sandbox
from tests.fixtures.app import QA, LoopWorld, start_world, stop_world

REPO = ("mozilla-services", "loop-server")


def _server(settings: Settings, **update: object) -> Settings:
    server = settings.service("loop-server")
    services = tuple(s.model_copy(update=update) if s is server else s
                     for s in settings.services)
    return settings.model_copy(update={"services": services})


def _two_commits_on(world: LoopWorld, branch: str) -> None:
    demo = world.sandbox.demo
    assert demo is not None
    dev_rev = next(d.rev for d in demo.deployments if d.env == "dev")
    world.sandbox.github.git(*REPO).git("branch", branch, dev_rev)
    for n in range(2):
        world.sandbox.github.commit(*REPO, branch, f"Bug {1096700 + n} — Fix {n}",
                                    {f"loop/{branch}{n}.js": "// fixed\n"})


class TestAServiceOnMain:
    @pytest.fixture
    def loop_world(self, settings: Settings, tmp_path: Path) -> Iterator[LoopWorld]:
        """The stand-in's loop-server has `main` as its default branch (the sandbox gives
        the bot the repository's default branch as `main_branch`), dev's rev on it."""
        def on_main(sandbox: Sandbox) -> None:
            git = sandbox.github.git(*REPO)
            git.git("branch", "main", "master")
            git.git("symbolic-ref", "HEAD", "refs/heads/main")

        sandbox, world = start_world(settings, tmp_path, prepare=on_main)
        try:
            yield world
        finally:
            stop_world(sandbox, world)

    def test_devs_lag_is_counted_against_main(self, loop_world: LoopWorld) -> None:
        assert loop_world.settings.service("loop-server").main_branch == "main"
        for n in range(2):
            loop_world.sandbox.github.commit(*REPO, "main", f"Bug {1096700 + n} — Fix {n}",
                                             {f"loop/main{n}.js": "// fixed\n"})
        loop_world.command(QA, "envs")
        envs = loop_world.last_ephemeral(QA).text
        assert "· 2 commits behind main" in envs and "master" not in envs


class TestDevFollowingNext:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        envs = dict(settings.service("loop-server").environments)
        envs["dev"] = EnvironmentSettings(url=envs["dev"].url, follows="next")
        return _server(settings, environments=envs)

    def test_its_lag_is_counted_against_next(self, loop_world: LoopWorld) -> None:
        _two_commits_on(loop_world, "next")
        loop_world.command(QA, "envs")
        assert "· 2 commits behind next" in loop_world.last_ephemeral(QA).text
