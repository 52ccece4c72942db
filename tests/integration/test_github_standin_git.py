"""The GitHub stand-in runs few git processes (issue 20) and still answers what git says:
objects come from one long-lived `git cat-file` per repository, refs are listed again only
when a ref file changed (whoever changed it), and stop() leaves no process or pipe."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from github import Auth, Github, GithubException
from github.Repository import Repository

from bot.sandbox.demo import DemoData
from bot.sandbox.github.standin import GitHubStandIn
from tests.fixtures.github import DEMO_REPO, GITHUB_TOKEN, git_started, trace_git

OWNER, NAME = DEMO_REPO.split("/")


def demo_repo(stand_in: GitHubStandIn) -> Repository:
    return Github(base_url=stand_in.url, auth=Auth.Token(GITHUB_TOKEN),
                  seconds_between_requests=0, seconds_between_writes=0,
                  lazy=True).get_repo(DEMO_REPO)


def git(path: Path, *args: str, input: str | None = None) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                          input=input, env={"GIT_DIR": str(path), "PATH": "/usr/bin:/bin",
                                            "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(path),
                                            **{f"GIT_{who}_{what}": value
                                               for who in ("AUTHOR", "COMMITTER")
                                               for what, value in (("NAME", "Dev"),
                                                                   ("EMAIL", "dev@example.com"))}})
    return done.stdout.strip()


def started(trace: Path) -> list[str]:
    """The git commands the demo repository started since the trace began."""
    return [argv[0] for argv in git_started(trace)]


def children() -> set[int]:
    pids: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listed:
            pids.update(int(pid) for pid in listed.read().split())
    return pids


def pipes() -> set[str]:
    """This process's open pipes (a kept-alive HTTP connection's sockets may linger)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:  # the listing's own
            continue
        if target.startswith("pipe:"):
            found.add(target)
    return found


def read_a_release(repo: Repository, version: str) -> dict[str, Any]:
    """What the bot reads around a release: the branch, tags, a tag's ref and object,
    its commit with files, a comparison, a file at the tag."""
    ref = repo.get_git_ref(f"tags/{version}")
    commit = repo.get_commit(version)
    content = repo.get_contents("package.json", ref=version)
    assert not isinstance(content, list)
    return {
        "master": repo.get_branch("master").commit.sha,
        "tags": [(t.name, t.commit.sha) for t in repo.get_tags()],
        "ref": (ref.object.type, ref.object.sha),
        "tag": repo.get_git_tag(ref.object.sha).object.sha,
        "commit": (commit.raw_data["sha"], commit.commit.message,
                   [f.filename for f in commit.files]),
        "compare": [c.sha for c in repo.compare(version, "master").commits],
        "file": content.decoded_content,
        "history": [c.sha for c in repo.get_commits(sha=version)[:3]],
    }


def test_reading_again_what_did_not_change_starts_no_git(
        demo_github: GitHubStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = tmp_path / "git-trace.json"
    trace_git(demo_github, DEMO_REPO, trace, monkeypatch)
    repo = demo_repo(demo_github)
    first = read_a_release(repo, "0.12.1")
    assert 0 < len(started(trace)) <= 12  # one cat-file, one listing of the refs, ...
    trace.unlink()
    assert read_a_release(repo, "0.12.1") == first
    assert started(trace) == []
    # other objects: what only git computes (a history, a diff) but no name, ref or object
    assert read_a_release(repo, "0.11.0") != first
    assert {"rev-parse", "for-each-ref", "cat-file", "symbolic-ref"} & set(started(trace)) == set()


def test_refs_and_objects_written_by_any_git_are_seen_at_the_next_read(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    bare = demo_github.repo_path(OWNER, NAME)
    repo = demo_repo(demo_github)
    assert repo.get_branch("0.11.x").commit.sha == demo_data.branches["0.11.x"]
    # a branch moved by git itself, loose then packed, and back to where it was
    for version in ("0.11.0", "0.11.1"):
        git(bare, "update-ref", "refs/heads/0.11.x", demo_data.tags[version])
        assert repo.get_branch("0.11.x").commit.sha == demo_data.tags[version]
        assert repo.get_commit("0.11.x").raw_data["sha"] == demo_data.tags[version]
    git(bare, "pack-refs", "--all")
    git(bare, "update-ref", "refs/heads/0.11.x", demo_data.branches["0.11.x"])
    assert repo.get_commit("heads/0.11.x").raw_data["sha"] == demo_data.branches["0.11.x"]
    # a loose ref over a packed one, and gone again: the packed value shows again
    git(bare, "pack-refs", "--all")
    (bare / "refs" / "heads" / "0.11.x").write_text(demo_data.tags["0.11.0"] + "\n")
    assert repo.get_branch("0.11.x").commit.sha == demo_data.tags["0.11.0"]
    (bare / "refs" / "heads" / "0.11.x").unlink()
    assert repo.get_branch("0.11.x").commit.sha == demo_data.branches["0.11.x"]
    # a commit written after the stand-in's cat-file started: a loose object, then a pack
    tree = repo.get_git_commit(demo_data.master_head).tree.sha
    loose = git(bare, "commit-tree", tree, "-p", demo_data.master_head, input="Loose\n")
    assert repo.get_git_commit(loose).message == "Loose"
    git(bare, "update-ref", "refs/heads/master", loose)
    assert repo.compare(demo_data.master_head, "master").ahead_by == 1
    packed = demo_github.commit(OWNER, NAME, "master", "Bug 1 — Packed", {"README": "packed\n"})
    assert repo.get_commit("master").commit.message == "Bug 1 — Packed"
    assert repo.get_git_commit(packed).parents[0].sha == loose


def test_a_write_whose_answer_is_lost_is_seen_by_the_next_read(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    repo = demo_repo(demo_github)
    assert [r.ref for r in repo.get_git_matching_refs("heads/0.12")] == []
    demo_github.lose_next_response("POST", r"/git/refs$")
    with pytest.raises(GithubException):
        repo.create_git_ref("refs/heads/0.12.x", demo_data.tags["0.12.2"])
    assert repo.get_branch("0.12.x").commit.sha == demo_data.tags["0.12.2"]


def test_threads_reading_at_once_get_what_one_reader_gets(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    url = f"{demo_github.url}/repos/{DEMO_REPO}"
    headers = {"Authorization": f"token {GITHUB_TOKEN}"}
    paths = [f"/commits/{sha}" for sha in demo_data.commits.values()] + [
        f"/git/commits/{sha}" for sha in demo_data.tags.values()] + [
        f"/commits/{name}" for name in demo_data.tags]

    def read(path: str) -> str:
        return requests.get(url + path, headers=headers, timeout=10).text

    alone = {path: read(path) for path in paths}
    together: dict[str, str] = {}

    def reader(offset: int) -> None:
        for path in paths[offset:] + paths[:offset]:
            together[f"{offset}{path}"] = read(path)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert together == {f"{n}{path}": alone[path] for n in range(8) for path in paths}


def test_stop_ends_the_long_lived_git_and_closes_its_pipes(tmp_path: Path) -> None:
    pipes_before, children_before = pipes(), children()
    with GitHubStandIn(tmp_path / "again", tokens={GITHUB_TOKEN}) as stand_in:
        assert isinstance(stand_in, GitHubStandIn)
        stand_in.create_repo(OWNER, NAME)
        sha = stand_in.commit(OWNER, NAME, "master", "Bug 2 — One", {"README": "one\n"})
        answer = requests.get(f"{stand_in.url}/repos/{DEMO_REPO}/git/commits/{sha}",
                              headers={"Authorization": f"token {GITHUB_TOKEN}"}, timeout=10)
        assert answer.json()["message"] == "Bug 2 — One"
        running = children() - children_before
        assert len(running) == 1  # the repository's cat-file
        assert "cat-file" in Path(f"/proc/{next(iter(running))}/cmdline").read_text()
        assert pipes() != pipes_before
    assert children() == children_before
    assert pipes() == pipes_before
    # read after stop (a test inspecting the repository): answered, nothing left running
    assert stand_in.git(OWNER, NAME).commit(sha) is not None
    assert children() == children_before
    assert pipes() == pipes_before


def test_a_stand_in_never_started_keeps_no_git_running(tmp_path: Path) -> None:
    """A repository built on a stand-in that never serves (a fake's demo data)."""
    children_before = children()
    stand_in = GitHubStandIn(tmp_path / "cold", tokens={GITHUB_TOKEN})
    stand_in.create_repo(OWNER, NAME)
    sha = stand_in.commit(OWNER, NAME, "master", "Bug 3 — Cold", {"README": "cold\n"})
    git = stand_in.git(OWNER, NAME)
    assert [(r.name, r.peeled) for r in git.refs()] == [("refs/heads/master", sha)]
    assert git.commit(sha) is not None and git.resolve("master") == sha
    assert children() == children_before
