"""GitHubForge (the Forge port over PyGithub) against the GitHub stand-in over real HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.domain.facts import Ancestry, Tag
from bot.partners.github import GitHubForge
from bot.sandbox.demo import DemoData
from bot.sandbox.github.standin import GitHubStandIn
from bot.usecases.ports import Conflict, NotFound, PartnerError
from tests.fixtures.github import GITHUB_TOKEN, make_forge

OWNER, NAME = "mozilla-services", "loop-server"
FIX_410 = "Bug 1087041 - Return a 410 for expired call URLs"


def git(stand_in: GitHubStandIn, *args: str) -> str:
    return stand_in.git(OWNER, NAME).git(*args).strip()


def test_branch_head_and_existence(forge: GitHubForge, demo_data: DemoData) -> None:
    assert forge.branch_head("0.11.x") == demo_data.branches["0.11.x"]
    assert forge.branch_exists("master")
    assert not forge.branch_exists("0.12.x")
    with pytest.raises(NotFound, match=r"GitHub: reading branch 0\.13\.x: not found"):
        forge.branch_head("0.13.x")


def test_tags_are_listed_peeled_and_read_one_by_one(forge: GitHubForge,
                                                    demo_data: DemoData) -> None:
    assert {t.name: t.commit_sha for t in forge.tags()} == dict(demo_data.tags)
    assert forge.tag("0.12.1") == Tag("0.12.1", demo_data.tags["0.12.1"])
    assert forge.tag("0.9.0") is None


def test_ancestry_says_how_two_revisions_relate(forge: GitHubForge) -> None:
    assert forge.ancestry("0.12.2", "master") == Ancestry("ahead", 5, 0)
    assert forge.ancestry("master", "0.12.0") == Ancestry("behind", 0, 9)
    assert forge.ancestry("0.11.1", "0.12.0") == Ancestry("diverged", 6, 2)
    assert forge.ancestry("0.12.2", "0.12.2").base_is_ancestor


def test_commits_between_lists_oldest_first_with_parents(forge: GitHubForge,
                                                         demo_data: DemoData) -> None:
    commits = forge.commits_between("0.12.2", "master")
    assert [c.title for c in commits] == [
        "Bug 1094662 — Fix SP backwards compatibility",
        "Merge pull request #238 from mozilla-services/1094662-sp-backwards-compatibility",
        "Bug 1096112 — Rate-limit joining a room on /v2/rooms",
        "Update mocha to 2.0.1",
        "Fix 1093488 — Catch Redis connection errors at startup",
    ]
    assert len(commits[1].parents) == 2
    assert commits[-1].sha == demo_data.master_head
    assert commits[0].author == "Loop Developer"


def test_commits_between_without_base_is_the_whole_history(
        forge: GitHubForge, demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    history = forge.commits_between(None, "0.11.x")
    assert [c.sha for c in history][-1] == demo_data.branches["0.11.x"]
    assert history[0].title == "Initial loop-server layout"
    assert len(history) == int(git(demo_github, "rev-list", "--count", "0.11.x"))


def test_create_tag_makes_an_annotated_tag_and_is_idempotent(
        forge: GitHubForge, demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    head = demo_data.master_head
    assert forge.create_tag("0.13.0", head, "Release 0.13.0") == Tag("0.13.0", head)
    assert git(demo_github, "cat-file", "-t", "refs/tags/0.13.0") == "tag"
    assert git(demo_github, "rev-parse", "0.13.0^{commit}") == head
    assert forge.create_tag("0.13.0", head, "Release 0.13.0") == Tag("0.13.0", head)
    with pytest.raises(Conflict, match=r"tag 0\.13\.0 already exists at"):
        forge.create_tag("0.13.0", demo_data.tags["0.12.2"], "Release 0.13.0")
    assert git(demo_github, "rev-parse", "0.13.0^{commit}") == head


def test_create_tag_succeeds_when_a_retried_post_meets_reference_already_exists(
        forge: GitHubForge, demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    demo_github.lose_next_response("POST", r"/git/refs$")  # done, then answered 502
    tag = forge.create_tag("0.12.3", demo_data.master_head, "Release 0.12.3")
    assert tag == Tag("0.12.3", demo_data.master_head)
    assert demo_github.count("POST", r"/git/refs$") == 2  # PyGithub retried the POST
    assert git(demo_github, "for-each-ref", "--format=%(refname)", "refs/tags/0.12.3") == (
        "refs/tags/0.12.3")


def test_create_branch_is_idempotent_and_refuses_another_commit(
        forge: GitHubForge, demo_data: DemoData) -> None:
    at = demo_data.tags["0.12.2"]
    assert forge.create_branch("0.12.x", at) == at
    assert forge.create_branch("0.12.x", at) == at
    with pytest.raises(Conflict, match=r"branch 0\.12\.x already exists at"):
        forge.create_branch("0.12.x", demo_data.master_head)
    with pytest.raises(NotFound):
        forge.create_branch("0.10.x", "0" * 39 + "1")


def local_cherry_pick(stand_in: GitHubStandIn, start: str, shas: list[str],
                      work: Path) -> str:
    """The tree a local `git cherry-pick` of `shas` onto `start` gives."""
    bare = stand_in.repo_path(OWNER, NAME)
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True)
    subprocess.run(["git", "checkout", "-q", "--detach", start], cwd=work, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "cherry-pick", *shas], cwd=work, check=True, capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD^{tree}"], cwd=work, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_cherry_pick_applies_commits_like_git_and_moves_the_branch_once(
        forge: GitHubForge, demo_github: GitHubStandIn, demo_data: DemoData,
        tmp_path: Path) -> None:
    picks = [demo_data.commits[FIX_410],
             demo_data.commits["Fix 1091321 — Log the room token in the sendroom metrics"]]
    before = demo_data.branches["0.11.x"]
    with demo_github.counting() as seen:
        result = forge.cherry_pick("0.11.x", picks)
    expected_tree = local_cherry_pick(demo_github, before, picks, tmp_path / "work")

    assert result.head_sha == forge.branch_head("0.11.x")
    assert [original for original, _ in result.picked] == picks
    assert git(demo_github, "rev-parse", f"{result.head_sha}^{{tree}}") == expected_tree
    for original, picked in result.picked:
        assert git(demo_github, "log", "-1", "--format=%an|%ae|%ad", picked) == git(
            demo_github, "log", "-1", "--format=%an|%ae|%ad", original)
        assert git(demo_github, "log", "-1", "--format=%B", picked) == (
            git(demo_github, "log", "-1", "--format=%B", original).rstrip()
            + f"\n\n(cherry picked from commit {original})")
    assert git(demo_github, "rev-parse", f"{result.head_sha}~2") == before
    patches = [r for r in seen if r.method == "PATCH" and r.path.endswith("/heads/0.11.x")]
    assert len(patches) == 1
    assert git(demo_github, "for-each-ref", "refs/heads/loopbot/") == ""


def test_cherry_pick_conflict_names_the_commit_and_leaves_the_branch_untouched(
        forge: GitHubForge, demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    clash = demo_github.commit(OWNER, NAME, "master", "Bug 1097020 — Cap room names at 100",
                               {"loop/routes/rooms.js": "// rooms: names capped at 100\n"})
    before = demo_github.commit(OWNER, NAME, "0.11.x", "Bug 1097021 — Cap room names at 64",
                                {"loop/routes/rooms.js": "// rooms: names capped at 64\n"})
    with pytest.raises(Conflict) as raised:
        forge.cherry_pick("0.11.x", [demo_data.commits[FIX_410], clash])
    assert f"commit {clash[:12]} (Bug 1097020 — Cap room names at 100)" in str(raised.value)
    assert forge.branch_head("0.11.x") == before
    assert git(demo_github, "for-each-ref", "refs/heads/loopbot/") == ""


def test_cherry_pick_of_a_merge_commit_is_refused(forge: GitHubForge,
                                                  demo_data: DemoData) -> None:
    merge = demo_data.commits["Merge pull request #238 from mozilla-services/1094662-sp-"
                              "backwards-compatibility"]
    with pytest.raises(Conflict, match="is a merge or root commit"):
        forge.cherry_pick("0.11.x", [merge])
    assert forge.branch_head("0.11.x") == demo_data.branches["0.11.x"]


def test_create_release_is_idempotent(forge: GitHubForge, demo_github: GitHubStandIn) -> None:
    url = forge.create_release("0.12.2", "loop-server 0.12.2", "- [logs] 1091321 — room token")
    assert url == f"{demo_github.url}/{OWNER}/{NAME}/releases/tag/0.12.2"
    assert forge.create_release("0.12.2", "loop-server 0.12.2", "again") == url
    assert demo_github.count("POST", "/releases$") == 1


def test_links_follow_the_github_host(forge: GitHubForge, demo_github: GitHubStandIn) -> None:
    public = GitHubForge("https://api.github.com", GITHUB_TOKEN, f"{OWNER}/{NAME}")
    enterprise = GitHubForge("https://ghe.example.com/api/v3", GITHUB_TOKEN, f"{OWNER}/{NAME}")
    assert public.compare_url("0.12.2", "0.13.0") == (
        "https://github.com/mozilla-services/loop-server/compare/0.12.2...0.13.0")
    assert enterprise.tag_url("0.13.0") == (
        "https://ghe.example.com/mozilla-services/loop-server/releases/tag/0.13.0")
    assert forge.tag_url("0.12.2") == f"{demo_github.url}/{OWNER}/{NAME}/releases/tag/0.12.2"


def test_bad_token_is_a_partner_error_without_the_token(demo_github: GitHubStandIn) -> None:
    secret = "ghp_leakedSecretValue123"
    forge = GitHubForge(demo_github.url, secret, f"{OWNER}/{NAME}",
                        seconds_between_requests=0, seconds_between_writes=0)
    with pytest.raises(PartnerError) as raised:
        forge.tags()
    assert "bad credentials" in str(raised.value)
    assert secret not in str(raised.value)


def test_persistent_server_errors_and_drops_become_partner_errors(
        demo_github: GitHubStandIn) -> None:
    forge = make_forge(demo_github, retries=2)
    demo_github.faults.fail_next(503, count=3)
    with pytest.raises(PartnerError, match="kept answering server errors"):
        forge.tags()
    demo_github.faults.drop_next(3)
    with pytest.raises(PartnerError, match="unreachable"):
        forge.branch_head("master")
    assert forge.branch_exists("master")  # the faults are spent; the forge still works


def test_changelog_over_500_commits_costs_at_most_8_requests(
        github_standin: GitHubStandIn) -> None:
    github_standin.create_repo(OWNER, NAME)
    base = github_standin.commit(OWNER, NAME, "master", "Release 0.12.2",
                                 {"package.json": '{"version": "0.12.2"}\n'})
    forge = make_forge(github_standin)
    forge.create_tag("0.12.2", base, "Release 0.12.2")
    github_standin.commit_many(OWNER, NAME, "master", [
        (f"Bug {1102000 + i} — Handle room event {i}", {"loop/rooms.js": f"// {i}\n"})
        for i in range(500)])
    with github_standin.counting() as seen:
        previous = max(forge.tags(), key=lambda t: t.name)
        ancestry = forge.ancestry(previous.name, "master")
        commits = forge.commits_between(previous.name, "master")
    assert ancestry == Ancestry("ahead", 500, 0)
    assert [c.title for c in commits][::499] == ["Bug 1102000 — Handle room event 0",
                                                "Bug 1102499 — Handle room event 499"]
    assert len(seen) <= 8
    assert [r.path.rsplit("/", 1)[-1] for r in seen].count("0.12.2...master") == 5


def test_a_stale_comparison_is_fetched_again(
                                             demo_github: GitHubStandIn) -> None:
    now = [1000.0]
    forge = make_forge(demo_github, comparison_ttl=30, clock=lambda: now[0])
    forge.ancestry("0.12.2", "master")
    demo_github.commit(OWNER, NAME, "master", "Bug 1097030 — Expire idle rooms",
                       {"loop/rooms-expiry.js": "// idle rooms expire\n"})
    now[0] += 31
    commits = forge.commits_between("0.12.2", "master")
    assert commits[-1].title == "Bug 1097030 — Expire idle rooms"
    assert demo_github.count("GET", "/compare/") == 2
