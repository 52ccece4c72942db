"""`/loop envs` and App Home say how far dev is behind master (signed Slack requests to
the running bot; dev's rev compared with master on the git-backed GitHub stand-in)."""

from __future__ import annotations

import json

from tests.e2e.test_slack_more_commands import _open_home
from tests.fixtures.app import OPS, QA, LoopWorld


def test_envs_and_app_home_say_how_far_dev_is_behind_master(loop_world: LoopWorld) -> None:
    demo = loop_world.sandbox.demo
    assert demo is not None
    dev_rev = next(d.rev for d in demo.deployments if d.env == "dev")
    loop_world.command(QA, "envs")
    assert f"({dev_rev[:7]}) · healthy · up to date with master" in \
        loop_world.last_ephemeral(QA).text
    for n in range(2):
        loop_world.sandbox.github.commit("mozilla-services", "loop-server", "master",
                                         f"Bug {1096600 + n} — Fix {n}",
                                         {f"loop/fix{n}.js": "// fixed\n"})
    loop_world.command(QA, "envs")
    envs = loop_world.last_ephemeral(QA).text
    assert f"*dev*: 0.12.2 ({dev_rev[:7]}) · healthy · 2 commits behind master" in envs
    assert "*stage*: 0.12.2" in envs and "behind master" not in envs.split("*stage*")[1]
    _open_home(loop_world, OPS, "Ev0HOMELAG1")
    view = json.dumps(loop_world.slack.home_view(OPS)["blocks"], ensure_ascii=False)
    assert "2 commits behind master" in view


def test_envs_reads_dev_once_and_compares_after_it(loop_world: LoopWorld) -> None:
    """Two partner waits, not three: the comparison uses the dev read the list made."""
    dev = loop_world.sandbox.environment("loop-server", "dev")
    github = loop_world.sandbox.github
    with dev.counting() as dev_reads, github.counting() as github_reads:
        loop_world.command(QA, "envs")
    assert loop_world.app.drain(10)
    assert sorted(r.path for r in dev_reads) == ["/", "/__heartbeat__"]
    compares = [r for r in github_reads if "/compare/" in r.path]
    assert len(compares) == 1
    assert compares[0].received >= max(r.received for r in dev_reads)
