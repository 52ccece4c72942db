"""The files each commit changes, kept by sha (bot/store/commit_files.py), on SQLite and
PostgreSQL."""

from __future__ import annotations

from bot.store import Store

FIX = "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
TOOLS = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"


def test_kept_file_lists_are_found_by_sha_and_the_first_list_stays(store: Store) -> None:
    assert store.commit_files.get([FIX, TOOLS]) == {}
    store.commit_files.keep({FIX: ["config/production.json", "loop/config.js"],
                             TOOLS: []})
    store.commit_files.keep({FIX: ["something/else.js"]})  # a sha's files never change
    assert store.commit_files.get([FIX, TOOLS, "0" * 40]) == {
        FIX: ("config/production.json", "loop/config.js"), TOOLS: ()}


def test_many_shas_are_asked_in_chunks(store: Store) -> None:
    shas = [f"{n:040x}" for n in range(1200)]
    store.commit_files.keep({sha: [f"tools/{n}.js"] for n, sha in enumerate(shas)})
    found = store.commit_files.get(shas)
    assert len(found) == 1200 and found[shas[1199]] == ("tools/1199.js",)
