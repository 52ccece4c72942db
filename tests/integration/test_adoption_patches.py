"""Issue 17: `loopbot import` placed each patch tag with its own GitHub comparison against
master, and each comparison walked the history after the tag (10,000 tags took 526 s, 23.7
times as long as 1,000). Now master's history is read once, in pages, and every patch tag
is placed from it: the same branches are recorded, in a number of requests that grows
with the history's pages, not with the patches."""

from __future__ import annotations

from bot.usecases.adoption import import_releases
from tests.fixtures.world import World

LINES = 24  # release lines after the demo's 0.12: 0.13 ... 0.36
HISTORY = 10 * LINES  # commits landed on master after the demo


def test_patch_tags_are_placed_from_one_read_of_masters_history(world: World) -> None:
    owner, name = world.ctx.service().config.repo.split("/")
    github = world.sandbox.github
    git = github.git(owner, name)
    landed = github.commit_many(owner, name, "master", [
        (f"Bug {1107000 + i} — Retry a dropped room join {i}", {"loop/rooms.js": f"// {i}\n"})
        for i in range(HISTORY)])
    expected = {}
    for line in range(LINES):
        minor, fork = 13 + line, landed[10 * line]
        git.git("update-ref", f"refs/tags/0.{minor}.0", fork)
        if line % 2:  # a patch tagged on master, like the demo's 0.12.1
            git.git("update-ref", f"refs/tags/0.{minor}.1", landed[10 * line + 4])
            expected[f"0.{minor}.1"] = "master"
        else:  # a patch on its maintenance branch, like the demo's 0.11.1
            git.git("update-ref", f"refs/heads/0.{minor}.x", fork)
            patch = github.commit(owner, name, f"0.{minor}.x", f"Bug {1108000 + line} — "
                                  f"Backport to 0.{minor}", {"loop/backport.js": f"// {line}\n"})
            git.git("update-ref", f"refs/tags/0.{minor}.1", patch)
            expected[f"0.{minor}.1"] = f"0.{minor}.x"
    expected |= {"0.11.1": "0.11.x", "0.12.1": "master", "0.12.2": "master"}  # the demo's
    world.deploy("prod", f"0.{12 + LINES}.1")  # every tag released
    with github.counting() as seen:
        result = import_releases(world.ctx, world.ctx.service())
    branches = {r.version: r.branch for r in result.imported}
    assert {v: branches[v] for v in expected} == expected
    assert {branches[f"0.{13 + line}.0"] for line in range(LINES)} == {"master"}
    reads = [r.path.removeprefix(f"/repos/{owner}/{name}/") for r in seen]
    assert not [r for r in reads if r.startswith("compare/")]  # before: one per patch (27)
    assert reads.count("commits") == 1 + 3  # master's commits counted, then 3 pages of 100
