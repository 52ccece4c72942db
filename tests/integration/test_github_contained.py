"""`GitHubForge.contained_in` against the GitHub stand-in over real HTTP (issue 17): which
tagged commits a branch contains, in the fewer requests of its two ways (master's history
in pages, or one comparison per commit), never one comparison per commit when the history
is the cheaper read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.partners.github import GitHubForge
from bot.sandbox.github.standin import GitHubStandIn
from bot.usecases.ports import PartnerError
from tests.fixtures.github import make_forge

OWNER, NAME = "mozilla-services", "loop-server"
HISTORY = 450  # five pages of 100 on master


@pytest.fixture
def long_master(github_standin: GitHubStandIn) -> list[str]:
    github_standin.create_repo(OWNER, NAME)
    return github_standin.commit_many(OWNER, NAME, "master", [
        (f"Bug {1105000 + i} — Keep room {i} alive", {"loop/rooms.js": f"// {i}\n"})
        for i in range(HISTORY)])


@pytest.fixture
def standin_forge(github_standin: GitHubStandIn) -> Iterator[GitHubForge]:
    made = make_forge(github_standin, f"{OWNER}/{NAME}")
    yield made
    made.close()


def off_master(stand_in: GitHubStandIn, branch: str, fork: str) -> str:
    """One commit on a maintenance branch forked from master's `fork`."""
    stand_in.git(OWNER, NAME).git("update-ref", f"refs/heads/{branch}", fork)
    return stand_in.commit(OWNER, NAME, branch, f"Bug 1106001 — Backport to {branch}",
                           {"loop/backport.js": f"// {branch}\n"})


def paths(seen: list) -> list[str]:
    return [r.path.removeprefix(f"/repos/{OWNER}/{NAME}") for r in seen]


def test_many_commits_are_placed_from_one_read_of_the_history(
        github_standin: GitHubStandIn, long_master: list[str],
        standin_forge: GitHubForge) -> None:
    on = long_master[5::50]  # 9 commits along master, the oldest pages included
    off = [off_master(github_standin, f"0.{13 + i}.x", long_master[100 * i]) for i in range(4)]
    with github_standin.counting() as seen:
        found = standin_forge.contained_in("master", [*on, *off, on[0]])
    assert found == frozenset(on)
    assert not [p for p in paths(seen) if p.startswith("/compare/")]
    assert paths(seen) == ["/commits"] * 6  # the count, then five pages


def test_few_commits_on_a_long_history_are_compared(
        github_standin: GitHubStandIn, long_master: list[str],
        standin_forge: GitHubForge) -> None:
    off = off_master(github_standin, "0.13.x", long_master[3])
    head = long_master[-1]
    with github_standin.counting() as seen:
        assert standin_forge.contained_in("master", [long_master[7], off, head]) == {
            long_master[7], head}
    assert sorted(paths(seen)) == ["/commits", *[f"/compare/{s}...master"
                                                 for s in sorted([long_master[7], off, head])]]
    with github_standin.counting() as seen:
        assert standin_forge.contained_in("master", [off]) == frozenset()
        assert standin_forge.contained_in("master", []) == frozenset()
    assert paths(seen) == [f"/compare/{off}...master"]  # one commit: no count first


def test_a_failing_history_read_is_a_partner_error(
        github_standin: GitHubStandIn, long_master: list[str],
        standin_forge: GitHubForge) -> None:
    github_standin.faults.fail_next(500, count=20, path="/commits$", after=3)
    with pytest.raises(PartnerError, match="GitHub: listing the history of master"):
        standin_forge.contained_in("master", long_master[::40])
