"""The tests' sandbox, started from a copy of a seeded template (tests/fixtures/sandbox.py),
holds what a sandbox seeded on its own holds, and is the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.sandbox.world import Sandbox
from tests.fixtures.sandbox import start_sandbox

TIMES = {"creation_time", "last_change_time"}


def contents(sandbox: Sandbox) -> dict[str, Any]:
    """Everything seeded, times of seeding aside; then a new bug's id (the next free one)."""
    repos = {repo: [(r.name, r.sha) for r in sandbox.github.git(*repo.split("/")).refs()]
             for repo in sandbox.repos.values()}
    bugs = [{k: v for k, v in bug.items() if k not in TIMES} for bug in sandbox.bugzilla.db.all()]
    return {
        "demo": sandbox.demo, "repos": repos, "bugs": bugs,
        "environments": {key: env.state for key, env in sandbox.environments.items()},
        "messages": sandbox.slack.messages(),
        "next_bug": sandbox.bugzilla.add_bug("Probe"),
    }


@pytest.mark.parametrize("which", ["settings", "shipped_settings"])
def test_a_sandbox_from_the_template_holds_what_a_freshly_seeded_one_holds(
        which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    base: Settings = request.getfixturevalue(which)
    with Sandbox.start(base, state_dir=tmp_path / "seeded") as seeded:
        expected = contents(seeded)
        branches = [s.main_branch for s in seeded.settings(base).services]
    with start_sandbox(base, tmp_path / "copied") as copied:
        assert contents(copied) == expected
        assert [s.main_branch for s in copied.settings(base).services] == branches


def test_each_sandbox_from_the_template_is_its_own(settings: Settings, tmp_path: Path) -> None:
    service = settings.service()
    owner, name = service.repo.split("/")
    with start_sandbox(settings, tmp_path / "first") as first:
        first.github.commit(owner, name, "master", "Only in the first", {"a.txt": "a"})
        first.bugzilla.add_bug("Only in the first")
        first.environment(service.name, "stage").deploy("9.9.9", "f" * 40, "9.9.x")
    with start_sandbox(settings, tmp_path / "second") as second:
        assert "Only in the first" not in second.github.git(owner, name).git(
            "log", "--format=%s", "master")
        assert all(bug["summary"] != "Only in the first" for bug in second.bugzilla.db.all())
        assert second.environment(service.name, "stage").state.version != "9.9.9"
