"""A backport of a commit that does not exist is the user's typo, said as such, and
changes nothing: no maintenance branch is created (issue 9: it said "GitHub is failing …
repeat the command when it is back")."""

from __future__ import annotations

from tests.fixtures.app import DEV, LoopWorld


def test_backport_of_a_missing_commit_says_it_does_not_exist(loop_world: LoopWorld) -> None:
    github = loop_world.sandbox.github.git("mozilla-services", "loop-server")
    refs_before = github.refs("refs/heads/")
    loop_world.command(DEV, "backport deadbeef to 0.12")
    said = loop_world.last_ephemeral(DEV).text
    assert "mozilla-services/loop-server has no commit `deadbeef`; nothing was changed" in said
    assert "GitHub is failing" not in said and "git log --oneline" in said
    assert github.refs("refs/heads/") == refs_before  # no 0.12.x made for nothing
    assert loop_world.channel() == []


def test_backport_by_short_sha_picks_the_commit(loop_world: LoopWorld) -> None:
    github = loop_world.sandbox.github
    sha = github.commit("mozilla-services", "loop-server", "master",
                        "Bug 1100042 - Close idle websockets", {"ws.txt": "closed\n"})
    loop_world.command(DEV, f"backport {sha[:9]} to 0.12")
    posted = loop_world.channel()[-1].text
    assert "0.12.x" in posted
    log = github.git("mozilla-services", "loop-server").log("0.12.x", "-1")
    assert f"(cherry picked from commit {sha})" in log[0].message
