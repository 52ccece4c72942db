"""One commit's files through PyGithub (`GET /repos/{o}/{r}/commits/{sha}`, GitHub's pages
of 300 files) from the git-backed stand-in, and the adapter's connections closed at stop."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from bot.partners.github import GitHubForge
from bot.sandbox.demo import DemoData
from bot.sandbox.github.standin import GitHubStandIn
from bot.usecases.ports import NotFound
from tests.fixtures.github import GITHUB_TOKEN, make_forge

OWNER, NAME = "mozilla-services", "loop-server"


def test_a_commit_lists_the_files_it_changes_against_its_first_parent(
        forge: GitHubForge, demo_github: GitHubStandIn) -> None:
    sha = demo_github.commit(OWNER, NAME, "master", "Bug 1097600 — Stage settings", {
        "config/stage.json": "{}\n", "loop/config.js": "// stage\n", "README.md": None})
    assert sorted(forge.commit_files(sha)) == ["README.md", "config/stage.json",
                                               "loop/config.js"]


def test_a_renamed_file_lists_its_old_path_too_and_any_path_is_read(
        forge: GitHubForge, demo_github: GitHubStandIn) -> None:
    settings = '{"redis": {"timeout": 5000, "retries": 3, "host": "localhost"}}\n'
    first = demo_github.commit(OWNER, NAME, "master", "Bug 1097602 — Redis settings",
                               {"config/redis.json": settings})
    moved = demo_github.commit(OWNER, NAME, "master", "Bug 1097602 — Move the settings", {
        "config/redis.json": None, "tools/redis défaut.json": settings})
    assert forge.commit_files(first) == ("config/redis.json",)
    assert forge.commit_files(moved) == ("config/redis.json", "tools/redis défaut.json")
    shown = requests.get(f"{demo_github.url}/repos/{OWNER}/{NAME}/commits/{moved}",
                         headers={"Authorization": f"token {GITHUB_TOKEN}"}, timeout=5).json()
    assert [(f["status"], f["filename"], f.get("previous_filename")) for f in shown["files"]
            ] == [("renamed", "tools/redis défaut.json", "config/redis.json")]


def test_a_merge_lists_what_the_merged_branch_brought(forge: GitHubForge,
                                                      demo_data: DemoData) -> None:
    merge = next(c for c in forge.commits_between("0.12.2", "master") if len(c.parents) > 1)
    assert forge.commit_files(merge.sha) == ("loop/simplepush.js",)


def test_a_commit_of_more_than_300_files_is_read_in_pages(
        forge: GitHubForge, demo_github: GitHubStandIn) -> None:
    files = {f"tools/script_{n:03d}.js": f"// {n}\n" for n in range(301)}
    sha = demo_github.commit(OWNER, NAME, "master", "Bug 1097601 — Many tools", files)
    with demo_github.counting() as requests:
        listed = forge.commit_files(sha)
    assert sorted(listed) == sorted(files)
    assert [r.query.get("page") for r in requests] == [["1"], ["2"]]
    assert {r.query["per_page"][0] for r in requests} == {"300"}


def test_an_unknown_commit_is_refused_by_name(forge: GitHubForge) -> None:
    with pytest.raises(NotFound, match="reading the files of commit 0123456789ab"):
        forge.commit_files("0123456789abcdef0123456789abcdef01234567")


def connections_to(stand_in: GitHubStandIn) -> int:
    """Established TCP connections from this machine to the stand-in's port (Linux)."""
    port = f"{urlsplit(stand_in.url).port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows
               if row.split()[2].endswith(":" + port) and row.split()[3] == "01")


def test_connections_close_when_their_thread_ends_and_at_close(
        demo_github: GitHubStandIn) -> None:
    forge = make_forge(demo_github)
    threads = [threading.Thread(target=forge.tags) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gc.collect()
    assert connections_to(demo_github) == 0  # each ended thread's client was closed
    forge.tags()
    assert connections_to(demo_github) == 1  # this thread's, kept alive
    forge.close()
    assert connections_to(demo_github) == 0
    assert forge.tags()  # a later call opens a new connection
    forge.close()
