"""`loopbot sandbox serve`: one JSON line saying where every stand-in is and what it
accepts, a demo loop-server by default, a copy of a repository with --repo, and state
that a later run continues from with --dir."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bugzilla
import requests
from github import Auth, Github

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", "serve", "--config",
         str(ROOT / "app.yaml"), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "no output"
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def github(where: dict[str, Any]) -> Github:
    return Github(base_url=where["github"]["url"], auth=Auth.Token(where["github"]["token"]),
                  seconds_between_requests=0, seconds_between_writes=0)


def test_serve_prints_where_everything_is_and_the_clients_work(tmp_path: Path) -> None:
    with serving(tmp_path) as where:
        repo = github(where).get_repo("mozilla-services/loop-server")
        assert {"0.12.0", "0.12.1", "0.12.2"} <= {t.name for t in repo.get_tags()}
        bz = bugzilla.Bugzilla(where["bugzilla"]["url"], api_key=where["bugzilla"]["api_key"],
                               force_rest=True)
        assert bz.getbug(1094662).status == "RESOLVED"
        prod = requests.get(where["environments"]["loop-server/prod"], timeout=5).json()
        assert prod["version"] == "0.12.2" and prod["name"] == "mozilla-loop-server"
        auth = requests.post(where["slack"]["url"] + "auth.test", timeout=5, headers={
            "Authorization": f"Bearer {where['slack']['bot_token']}"}).json()
        assert auth["ok"] is True


def test_dir_keeps_the_state_for_the_next_run(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with serving(tmp_path, "--dir", str(state)) as where:
        repo = github(where).get_repo("mozilla-services/loop-server")
        head = repo.get_branch("master").commit.sha
        repo.create_git_ref("refs/heads/0.12.x", head)
        bz = bugzilla.Bugzilla(where["bugzilla"]["url"], api_key=where["bugzilla"]["api_key"],
                               force_rest=True)
        filed = bz.createbug(bz.build_createbug(
            product="Loop", component="Server", version="unspecified",
            summary="Rooms leak after a restart")).id
    assert (state / "github" / "mozilla-services" / "loop-server.git").is_dir()
    with serving(tmp_path, "--dir", str(state)) as where:
        repo = github(where).get_repo("mozilla-services/loop-server")
        assert repo.get_branch("0.12.x").commit.sha == head
        bz = bugzilla.Bugzilla(where["bugzilla"]["url"], api_key=where["bugzilla"]["api_key"],
                               force_rest=True)
        assert bz.getbug(filed).summary == "Rooms leak after a restart"


def test_repo_serves_a_copy_of_a_repository_with_its_branches_and_tags(tmp_path: Path) -> None:
    source = tmp_path / "mine"
    git = ["git", "-C", str(source), "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "master", str(source)], check=True)
    (source / "README").write_text("loop\n")
    subprocess.run([*git, "add", "README"], check=True)
    subprocess.run([*git, "commit", "-qm", "Bug 1100900 — Start"], check=True)
    subprocess.run([*git, "tag", "-a", "0.1.0", "-m", "0.1.0"], check=True)
    subprocess.run([*git, "branch", "0.1.x"], check=True)
    with serving(tmp_path, "--repo", str(source)) as where:
        repo = github(where).get_repo("mozilla-services/loop-server")
        assert [t.name for t in repo.get_tags()] == ["0.1.0"]
        assert {b.name for b in repo.get_branches()} == {"master", "0.1.x"}
        assert repo.get_commit("master").commit.message == "Bug 1100900 — Start"
