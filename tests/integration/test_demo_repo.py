"""The built-in demo repository: loop-server's shape, deterministic, and consistent with the
bugs it hands to the Bugzilla stand-in."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.sandbox.demo import DemoData, build_demo_repo
from bot.sandbox.github.gitrepo import GitRepo
from bot.sandbox.github.standin import GitHubStandIn

BUG_REF = re.compile(r"^(?:Bug|Fix) (\d{6,7}(?:, \d{6,7})*)|/(?:bug)?(\d{6,7})-?", re.M)


def repo_of(stand_in: GitHubStandIn) -> GitRepo:
    return stand_in.git("mozilla-services", "loop-server")


def referenced(messages: list[str]) -> list[int]:
    ids: list[int] = []
    for message in messages:
        for listed, branch in BUG_REF.findall(message):
            for bug in (listed.split(", ") if listed else [branch]):
                if int(bug) not in ids:
                    ids.append(int(bug))
    return ids


def test_releases_are_annotated_tags_on_master_and_the_maintenance_branch(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    git = repo_of(demo_github)
    tags = {r.name: r.type for r in git.refs("refs/tags/")}
    assert tags == {f"refs/tags/{v}": "tag" for v in
                    ("0.11.0", "0.11.1", "0.12.0", "0.12.1", "0.12.2")}
    assert set(demo_data.branches) == {"master", "0.11.x"}
    assert git.is_ancestor(demo_data.tags["0.11.1"], demo_data.branches["0.11.x"])
    assert not git.is_ancestor(demo_data.tags["0.11.1"], demo_data.master_head)
    assert git.is_ancestor(demo_data.tags["0.11.0"], demo_data.tags["0.11.1"])
    for version in ("0.12.0", "0.12.1", "0.12.2"):
        assert git.is_ancestor(demo_data.tags[version], demo_data.master_head)


def test_each_tag_carries_its_version_and_changelog_section(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    git = repo_of(demo_github)
    for version in demo_data.tags:
        package = json.loads(git.git("show", f"{version}:package.json"))
        changelog = git.git("show", f"{version}:CHANGELOG.md")
        assert package["version"] == version
        assert re.search(rf"^{re.escape(version)} \(2014-\d\d-\d\d\)\n-+\n", changelog, re.M)
    assert "- [bugfix] 1073917 — Fix the TokBox timeout" in git.git(
        "show", "0.11.1:CHANGELOG.md")


def test_messages_use_every_form_loop_server_uses(demo_data: DemoData) -> None:
    titles = list(demo_data.commits)
    forms = [r"^Bug \d+ — ", r"^Bug \d+ - ", r"^Fix \d+ — ", r"^Bug \d+, \d+ — ",
             r"^Merge pull request #\d+ from mozilla-services/\d+-",
             r"^Merge pull request #\d+ from mozilla-services/bug\d+/",
             r"^(?!Bug|Fix|Merge)\w"]
    for form in forms:
        assert any(re.search(form, title) for title in titles), form


def test_bugs_referenced_since_the_last_tag_match_the_demo_data(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    since = repo_of(demo_github).log("--reverse", f"{demo_data.tags['0.12.2']}..master")
    assert referenced([c.message for c in since]) == list(demo_data.unreleased_bugs)
    flagged = [b for b in map(demo_data.bug, demo_data.unreleased_bugs) if b.status != "RESOLVED"]
    assert [(b.id, b.status) for b in flagged] == [(1096112, "NEW")]


def test_every_referenced_bug_is_described(demo_github: GitHubStandIn,
                                           demo_data: DemoData) -> None:
    everything = repo_of(demo_github).log("--all")
    assert sorted(referenced([c.message for c in everything])) == sorted(
        b.id for b in demo_data.bugs)


def test_environments_start_on_0_12_2_with_dev_on_master(demo_data: DemoData) -> None:
    runs = {d.env: (d.version, d.rev) for d in demo_data.deployments}
    assert runs == {"prod": ("0.12.2", demo_data.tags["0.12.2"]),
                    "stage": ("0.12.2", demo_data.tags["0.12.2"]),
                    "dev": ("0.12.2", demo_data.master_head)}


def test_the_build_is_deterministic(tmp_path: Path, demo_data: DemoData) -> None:
    with GitHubStandIn(tmp_path / "again") as stand_in:
        assert isinstance(stand_in, GitHubStandIn)
        again = build_demo_repo(stand_in, "mozilla-services", "loop-server")
    assert again.tags == demo_data.tags
    assert again.branches == demo_data.branches
