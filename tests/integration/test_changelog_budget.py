"""The changelog's cost in requests (deterministic, unlike time): over 500 commits and 100
bugs, at most 8 GitHub and 3 Bugzilla requests. bench/changelog_cost.py prints the same."""

from __future__ import annotations

from bot.usecases.tagging import preview_tag
from tests.fixtures.world import DEV, World


def test_a_500_commit_changelog_costs_at_most_8_github_and_3_bugzilla_requests(
    world: World,
) -> None:
    sandbox = world.sandbox
    bugs = [sandbox.bugzilla.add_bug(f"Loop regression {n}", "RESOLVED", "FIXED")
            for n in range(100)]
    sandbox.github.commit_many("mozilla-services", "loop-server", "master", [
        (f"Bug {bugs[n % 100]} — step {n} of the rooms rewrite", {f"loop/r{n}.js": f"{n}\n"})
        for n in range(500)
    ])
    with sandbox.github.counting() as github, sandbox.bugzilla.counting() as bugzilla:
        preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    assert len(preview.commits) == 505  # the demo's 5 since 0.12.2, then ours
    assert set(bugs) <= set(preview.changelog.fixed_ids)
    assert len(github) <= 8, [r.path for r in github]
    assert len(bugzilla) <= 3, [r.path for r in bugzilla]
