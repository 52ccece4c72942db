"""The GitHub stand-in driven by PyGithub over real HTTP: git objects, paging, merges,
errors and injected faults look to PyGithub the way GitHub's do."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    InputGitAuthor,
    UnknownObjectException,
)
from github.Repository import Repository

from bot.sandbox.demo import DemoData
from bot.sandbox.github.standin import GitHubStandIn
from tests.fixtures.github import DEMO_REPO, GITHUB_TOKEN, git_started, trace_git


def client(stand_in: GitHubStandIn, token: str | None = GITHUB_TOKEN, **options: Any) -> Github:
    auth = Auth.Token(token) if token else None
    return Github(base_url=stand_in.url, auth=auth, seconds_between_requests=0,
                  seconds_between_writes=0, lazy=True, **options)


def demo_repo(stand_in: GitHubStandIn, **options: Any) -> Repository:
    return client(stand_in, **options).get_repo(DEMO_REPO)


def git(path: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True,
                          env={"GIT_DIR": str(path), "PATH": "/usr/bin:/bin",
                               "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(path)})
    return done.stdout.strip()


def test_annotated_tag_and_ref_made_through_pygithub_are_real_git_objects(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    repo = demo_repo(demo_github)
    tagger = InputGitAuthor("Loop Release", "release@example.com", "2014-11-18T10:00:00Z")
    obj = repo.create_git_tag("0.13.0", "Release 0.13.0", demo_data.master_head, "commit",
                              tagger)
    ref = repo.create_git_ref("refs/tags/0.13.0", obj.sha)

    bare = demo_github.repo_path("mozilla-services", "loop-server")
    assert ref.object.type == "tag"
    assert git(bare, "for-each-ref", "--format=%(objecttype) %(objectname)",
               "refs/tags/0.13.0") == f"tag {obj.sha}"
    assert git(bare, "cat-file", "-t", "0.13.0") == "tag"
    assert git(bare, "rev-parse", "0.13.0^{commit}") == demo_data.master_head
    assert "tagger Loop Release <release@example.com> 1416304800 +0000" in git(
        bare, "cat-file", "tag", "0.13.0")
    assert repo.get_git_tag(obj.sha).object.sha == demo_data.master_head


def test_tags_list_is_peeled_newest_version_first_and_paged(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    repo = demo_repo(demo_github, per_page=2)
    with demo_github.counting() as seen:
        tags = [(t.name, t.commit.sha) for t in repo.get_tags()]
    assert [name for name, _ in tags] == ["0.12.2", "0.12.1", "0.12.0", "0.11.1", "0.11.0"]
    assert dict(tags) == dict(demo_data.tags)
    assert [r.query.get("page") for r in seen] == [None, ["2"], ["3"]]


def test_compare_over_600_commits_pages_in_order(github_standin: GitHubStandIn) -> None:
    github_standin.create_repo("mozilla-services", "loop-client")
    shas = github_standin.commit_many("mozilla-services", "loop-client", "master", [
        (f"Bug {1100000 + i} — Tune the room view, step {i}", {"js/room.js": f"// {i}\n"})
        for i in range(601)])
    repo = client(github_standin).get_repo("mozilla-services/loop-client")
    with github_standin.counting() as seen:
        comparison = repo.compare(shas[0], "master", comparison_commits_per_page=100)
        listed = [c.sha for c in comparison.commits]
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 600, 0)
    assert comparison.commits.totalCount == 600
    assert listed == shas[1:]
    assert comparison.merge_base_commit.sha == shas[0]
    assert [r.query.get("page") for r in seen] == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]]


def test_a_comparisons_pages_read_the_history_once(
        github_standin: GitHubStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 18: each page ran `git log` over the whole range (5,000 commits: 51 pages).
    github_standin.create_repo("mozilla-services", "loop-client")
    shas = github_standin.commit_many("mozilla-services", "loop-client", "master", [
        (f"Bug {1102000 + i} — Rework the contacts list, step {i}", {"js/c.js": f"// {i}\n"})
        for i in range(451)])
    repo = client(github_standin).get_repo("mozilla-services/loop-client")
    trace = tmp_path / "git-trace.json"
    trace_git(github_standin, "mozilla-services/loop-client", trace, monkeypatch)
    comparison = repo.compare(shas[0], "master", comparison_commits_per_page=100)
    assert [c.sha for c in comparison.commits] == shas[1:]
    runs = git_started(trace)
    assert len([r for r in runs if r[0] == "log" and "--reverse" in r]) == 1
    assert [r[0] for r in runs].count("diff") == 1
    # ahead: the log's length; behind: none, base being the merge base
    assert [r[0] for r in runs].count("rev-list") == 0
    # each page names base and head: resolved against the refs (the branch's loose ref
    # file read, no listing by git) and read by the one long-lived cat-file
    assert [r[0] for r in runs].count("rev-parse") == 0
    assert sorted(r[0] for r in runs) == ["cat-file", "diff", "log", "merge-base"]


def test_compare_without_paging_lists_250_commits_and_paged_has_links(
        github_standin: GitHubStandIn) -> None:
    github_standin.create_repo("mozilla-services", "loop-client")
    shas = github_standin.commit_many("mozilla-services", "loop-client", "master", [
        (f"Bug {1101000 + i} - Adjust the call view {i}", {"js/call.js": f"// {i}\n"})
        for i in range(301)])
    url = f"{github_standin.url}/repos/mozilla-services/loop-client/compare/{shas[0]}...master"
    headers = {"Authorization": f"token {GITHUB_TOKEN}"}
    whole = requests.get(url, headers=headers, timeout=5)
    paged = requests.get(url, params={"per_page": 500, "page": 2}, headers=headers, timeout=5)
    assert whole.json()["total_commits"] == 300
    assert [c["sha"] for c in whole.json()["commits"]] == shas[1:251]
    assert "Link" not in whole.headers
    assert [c["sha"] for c in paged.json()["commits"]] == shas[101:201]  # per_page capped at 100
    assert set(paged.links) == {"next", "last", "first", "prev"}
    assert "page=3" in paged.links["last"]["url"]


def test_repos_commit_nests_the_git_commit_and_lists_history_newest_first(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    repo = demo_repo(demo_github)
    sha = demo_data.commits["Bug 1087041 - Return a 410 for expired call URLs"]
    repos_commit = repo.get_commit(sha)
    git_commit = repo.get_git_commit(sha)
    assert repos_commit.commit.message == git_commit.message == (
        "Bug 1087041 - Return a 410 for expired call URLs")
    assert [f.filename for f in repos_commit.files] == ["loop/routes/call-url.js"]
    assert git_commit.author.name == "Loop Developer"
    history = [c.sha for c in repo.get_commits(sha="0.11.x")]
    assert history[0] == demo_data.branches["0.11.x"]
    assert len(history) == 6
    tree = repo.get_git_tree(git_commit.tree.sha, recursive=True)
    assert "loop/routes/call-url.js" in [e.path for e in tree.tree]


def test_merges_api_cherry_pick_equals_a_local_git_cherry_pick(
        demo_github: GitHubStandIn, demo_data: DemoData, tmp_path: Path) -> None:
    repo = demo_repo(demo_github)
    pick = repo.get_git_commit(demo_data.commits["Bug 1087041 - Return a 410 for expired call "
                                                 "URLs"])
    head = repo.get_git_commit(demo_data.branches["0.11.x"])
    scratch = repo.create_git_commit("scratch", head.tree, [pick.parents[0]])
    repo.create_git_ref("refs/heads/pick-1087041", scratch.sha)
    merged = repo.merge("pick-1087041", pick.sha, "apply 1087041")
    assert merged is not None

    work = tmp_path / "work"
    bare = demo_github.repo_path("mozilla-services", "loop-server")
    subprocess.run(["git", "clone", "-q", "-b", "0.11.x", str(bare), str(work)], check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "cherry-pick", pick.sha], cwd=work, check=True, capture_output=True)
    local_tree = subprocess.run(["git", "rev-parse", "HEAD^{tree}"], cwd=work, check=True,
                                capture_output=True, text=True).stdout.strip()
    assert merged.commit.tree.sha == local_tree
    assert [p.sha for p in merged.parents] == [scratch.sha, pick.sha]


def test_conflicting_merge_is_409_and_leaves_the_branch_untouched(
        demo_github: GitHubStandIn) -> None:
    owner, name = DEMO_REPO.split("/")
    demo_github.commit(owner, name, "master", "Bug 1097012 — Cap room names at 100 characters",
                       {"loop/routes/rooms.js": "// rooms: names capped at 100\n"})
    before = demo_github.commit(owner, name, "0.11.x", "Bug 1097013 — Cap room names at 64",
                                {"loop/routes/rooms.js": "// rooms: names capped at 64\n"})
    repo = demo_repo(demo_github)
    with pytest.raises(GithubException) as raised:
        repo.merge("0.11.x", "master", "Merge master into 0.11.x")
    assert raised.value.status == 409
    assert raised.value.data["message"] == "Merge conflict"
    assert repo.get_branch("0.11.x").commit.sha == before


def test_merge_of_contained_head_is_204_and_missing_base_is_404(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    repo = demo_repo(demo_github)
    assert repo.merge("master", demo_data.tags["0.12.2"]) is None
    with pytest.raises(GithubException) as raised:
        repo.merge("0.14.x", "master")
    assert (raised.value.status, raised.value.data["message"]) == (404, "Base does not exist")
    assert repo.get_branch("master").commit.sha == demo_data.master_head


def test_bad_or_missing_token_is_401(demo_github: GitHubStandIn) -> None:
    for token in ("ghp_wrong", None):
        with pytest.raises(BadCredentialsException) as raised:
            client(demo_github, token).get_repo(DEMO_REPO).get_branch("master")
        assert raised.value.status == 401
        assert raised.value.data["message"] == "Bad credentials"
        assert "documentation_url" in raised.value.data


def test_missing_repo_ref_branch_and_release_are_404(demo_github: GitHubStandIn) -> None:
    repo = demo_repo(demo_github)
    lookups = [lambda: client(demo_github).get_repo("mozilla-services/loop-desktop").default_branch,
               lambda: repo.get_git_ref("tags/0.9.9").object,
               lambda: repo.get_branch("0.10.x"),
               lambda: repo.get_release("0.12.2")]
    for lookup in lookups:
        with pytest.raises(UnknownObjectException):
            lookup()


def test_existing_ref_and_non_fast_forward_are_422_and_force_moves(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    repo = demo_repo(demo_github)
    with pytest.raises(GithubException) as exists:
        repo.create_git_ref("refs/heads/0.11.x", demo_data.tags["0.11.0"])
    branch = repo.get_git_ref("heads/0.11.x")
    assert branch.object.sha == demo_data.branches["0.11.x"]  # completes it: edits use its url
    with pytest.raises(GithubException) as backwards:
        branch.edit(demo_data.tags["0.11.0"])
    assert (exists.value.status, exists.value.data["message"]) == (422, "Reference already "
                                                                         "exists")
    assert (backwards.value.status, backwards.value.data["message"]) == (
        422, "Update is not a fast forward")
    branch.edit(demo_data.tags["0.11.0"], force=True)
    assert repo.get_git_ref("heads/0.11.x").object.sha == demo_data.tags["0.11.0"]
    branch.delete()
    assert [r.ref for r in repo.get_git_matching_refs("heads/")] == ["refs/heads/master"]


def test_concurrent_creates_of_one_ref_let_exactly_one_win(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    statuses: list[int] = []

    def create() -> None:
        try:
            demo_repo(demo_github).create_git_ref("refs/heads/0.12.x", demo_data.tags["0.12.2"])
            statuses.append(201)
        except GithubException as exc:
            statuses.append(exc.status)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [422] * 7


def test_releases_are_created_once_and_read_by_tag_and_id(
        demo_github: GitHubStandIn) -> None:
    repo = demo_repo(demo_github)
    release = repo.create_git_release("0.12.2", "loop-server 0.12.2", "- [logs] 1091321")
    with pytest.raises(GithubException) as again:
        repo.create_git_release("0.12.2", "loop-server 0.12.2", "again")
    assert again.value.status == 422
    assert again.value.data["errors"][0]["code"] == "already_exists"
    assert repo.get_release("0.12.2").id == release.id
    assert repo.get_release(release.id).body == "- [logs] 1091321"
    assert [r.tag_name for r in repo.get_releases()] == ["0.12.2"]
    assert release.html_url.endswith("/mozilla-services/loop-server/releases/tag/0.12.2")


def test_state_persists_for_a_new_stand_in_on_the_same_root(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    demo_repo(demo_github).create_git_release("0.12.1", "loop-server 0.12.1", "notes")
    with GitHubStandIn(demo_github.root, tokens={GITHUB_TOKEN}) as again:
        assert isinstance(again, GitHubStandIn)
        repo = demo_repo(again)
        assert repo.get_branch("master").commit.sha == demo_data.master_head
        assert repo.get_release("0.12.1").body == "notes"


def test_import_repo_copies_branches_and_tags_of_a_clone(
        demo_github: GitHubStandIn, demo_data: DemoData, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    bare = demo_github.repo_path("mozilla-services", "loop-server")
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    demo_github.import_repo("mozilla-services", "loop-server-copy", clone)
    repo = client(demo_github).get_repo("mozilla-services/loop-server-copy")
    assert repo.default_branch == "master"
    assert {b.name: b.commit.sha for b in repo.get_branches()} == dict(demo_data.branches)
    assert {t.name: t.commit.sha for t in repo.get_tags()} == dict(demo_data.tags)


# -- faults ------------------------------------------------------------------------------------
def test_one_server_error_is_retried_by_pygithub(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    demo_github.faults.fail_next(500, count=1, path="/branches/master")
    with demo_github.counting() as seen:
        sha = demo_repo(demo_github).get_branch("master").commit.sha
    assert sha == demo_data.master_head
    assert len(seen) == 2


def test_persistent_server_errors_end_in_retry_error(demo_github: GitHubStandIn) -> None:
    demo_github.faults.fail_next(503, count=50)
    with pytest.raises(requests.exceptions.RetryError):
        demo_repo(demo_github).get_branch("master")
    assert demo_github.count("GET", "/branches/master") == 11  # first try + 10 retries


def test_a_server_error_on_patch_is_a_github_exception_with_its_status(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    demo_github.faults.fail_next(502, count=1, path="/git/refs/heads/master")
    ref = demo_repo(demo_github).get_git_ref("heads/master")
    assert ref.object.sha == demo_data.master_head
    with pytest.raises(GithubException) as raised:
        ref.edit(demo_data.master_head)
    assert raised.value.status == 502


def test_dropped_connections_are_retried_then_surface_as_connection_errors(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    demo_github.faults.drop_next(1)
    assert demo_repo(demo_github).get_branch("master").commit.sha == demo_data.master_head
    demo_github.faults.drop_next(50)
    with pytest.raises(requests.exceptions.ConnectionError):
        demo_repo(demo_github, retry=2).get_branch("master")


def test_a_slow_answer_surfaces_as_a_timeout(demo_github: GitHubStandIn) -> None:
    demo_github.faults.latency = 1.3
    with pytest.raises(requests.exceptions.ReadTimeout):
        demo_repo(demo_github, retry=None, timeout=1).get_branch("master")


def test_a_lost_answer_to_a_post_makes_the_retry_meet_reference_already_exists(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    demo_github.lose_next_response("POST", r"/git/refs$")
    with pytest.raises(GithubException) as raised:
        demo_repo(demo_github).create_git_ref("refs/heads/0.12.x", demo_data.tags["0.12.2"])
    assert (raised.value.status, raised.value.data["message"]) == (422, "Reference already "
                                                                         "exists")
    assert demo_github.count("POST", r"/git/refs$") == 2
    bare = demo_github.repo_path("mozilla-services", "loop-server")
    assert git(bare, "rev-parse", "refs/heads/0.12.x") == demo_data.tags["0.12.2"]


def test_a_branchs_history_pages_like_git_log_and_its_count_costs_one_request(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    """Issue 17: the pages are cut from the history read once per head commit (each page
    read all of it again), and they stay what git says, also after the branch moves."""
    demo_github.commit_many("mozilla-services", "loop-server", "master", [
        (f"Bug {1109000 + i} — Shorten room tokens {i}", {"loop/tokens.js": f"// {i}\n"})
        for i in range(230)])
    bare = demo_github.repo_path("mozilla-services", "loop-server")
    repo = demo_repo(demo_github, per_page=100)
    for _ in range(2):
        expected = git(bare, "rev-list", "--topo-order", "master").split()
        listed = repo.get_commits(sha="master")
        assert listed.totalCount == len(expected) > 200
        assert [c.sha for c in listed] == expected
        assert [c.sha for c in listed.get_page(1)] == expected[100:200]
        assert listed.get_page(len(expected) // 100 + 1) == []
        demo_github.commit("mozilla-services", "loop-server", "master",
                           "Bug 1109300 — Log token expiry", {"loop/tokens.js": "// log\n"})
    assert [c.sha for c in repo.get_commits(sha="0.11.x")] == git(
        bare, "rev-list", "--topo-order", "0.11.x").split()


def test_the_tags_list_follows_every_change_of_a_tag(
        demo_github: GitHubStandIn, demo_data: DemoData) -> None:
    """Issue 17: the list is kept between pages; any tag change, through the API or by
    git itself, loose or packed, is seen by the next read."""
    bare = demo_github.repo_path("mozilla-services", "loop-server")
    repo = demo_repo(demo_github)

    def listed() -> dict[str, str]:
        return {t.name: t.commit.sha for t in repo.get_tags()}

    assert listed() == dict(demo_data.tags)
    git(bare, "update-ref", "refs/tags/0.13.0", demo_data.tags["0.12.2"])
    assert listed()["0.13.0"] == demo_data.tags["0.12.2"]
    git(bare, "update-ref", "refs/tags/0.13.0", demo_data.tags["0.12.1"])
    assert listed()["0.13.0"] == demo_data.tags["0.12.1"]
    git(bare, "pack-refs", "--all")
    git(bare, "update-ref", "-d", "refs/tags/0.13.0")
    assert listed() == dict(demo_data.tags)
    repo.create_git_ref("refs/tags/0.13.1", demo_data.tags["0.12.2"])
    assert next(iter(listed())) == "0.13.1"
