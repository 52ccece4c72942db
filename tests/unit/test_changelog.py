from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import overload

import pytest

from bot.domain.changelog import (
    Changelog,
    bug_ids,
    category,
    commits_by_bug,
    commits_for_bug,
    mentioned_routes,
    referenced_bugs,
    render_flagged,
    render_notes,
)
from bot.domain.facts import Bug, Commit


@pytest.mark.parametrize(
    ("message", "bugs"),
    [
        ("Bug 1094662 — Add SP backwards compatibility", (1094662,)),
        ("Bug 1087041 - Handle TokBox timeouts", (1087041,)),
        ("Fix 1069654 — Use the right hawk session for rooms", (1069654,)),
        ("Bug 1071244, 1071248 — Room participants expire", (1071244, 1071248)),
        ("bug 1071244 and 1071248: fix room deletion", (1071244, 1071248)),
        ("Bug 1094662: store the call url", (1094662,)),
        ("Update the rooms TTL.\n\nFixes bug 1094662", (1094662,)),
        ("Bugs 1071244, 1071248 and 1071250 — rooms cleanup", (1071244, 1071248, 1071250)),
        ("Fixes: 1095006", (1095006,)),
        ("1094662 - Add SP backwards compatibility", (1094662,)),
        ("[bug 1087041] Handle TokBox timeouts", (1087041,)),
        ("Bug #1087041 handle TokBox timeouts", (1087041,)),
        ("Bug 51234 - a five-digit bug from an older Bugzilla", (51234,)),
    ],
)
def test_referenced_bugs_in_every_commit_message_form(message: str, bugs: tuple[int, ...]) -> None:
    assert referenced_bugs(message) == bugs


@pytest.mark.parametrize(
    ("message", "bugs"),
    [
        ("Merge pull request #238 from mozilla-services/1094662-sp-backwards-compatibility\n\n"
         "SP backwards compatibility", (1094662,)),
        ("Merge pull request #240 from mozilla-services/bug1071247/fix-fxa-oauth", (1071247,)),
        ("Merge pull request #241 from Natim/bug-1071247-fix", (1071247,)),
        ("Merge pull request #244 from alexis/fix-1083742", (1083742,)),
        ("Merge branch '1087041-tokbox-timeouts'", (1087041,)),
        ("Merge pull request #250 from Natim/update-deps", ()),
        ("Merge pull request #251 from Natim/fix-readme\n\nBug 1095006 — fix the readme",
         (1095006,)),
    ],
)
def test_merge_commits_reference_the_bug_in_the_pr_branch(
    message: str, bugs: tuple[int, ...]
) -> None:
    assert referenced_bugs(message) == bugs


@pytest.mark.parametrize(
    "message",
    [
        "Merge pull request #238 from mozilla-services/rooms-ttl",
        "Release 0.13.1 (2014-11-13)",
        "Revert 1234567 and 7654321",
        "Revert \"Update rooms\"\n\nThis reverts commit 1f3a9c2b0d4e5f60718293a4b5c6d7e8f9012345.",
        "Fix #1094 — rooms tests",
        "Fix the 10:30:15 timestamp in logs",
        "Bump to 0.13.1, see #238",
        "Update the test fixtures for 20141113",
        "Cherry-pick 8812345 onto 0.12.x",
        "Set the rooms limit to 100000",
        "debug 1094662 output",
    ],
)
def test_numbers_outside_a_bug_context_are_not_bugs(message: str) -> None:
    assert referenced_bugs(message) == ()


def test_a_bug_named_twice_in_one_message_is_counted_once() -> None:
    message = "Merge pull request #238 from mozilla-services/1094662-sp\n\nBug 1094662 — SP"
    assert referenced_bugs(message) == (1094662,)


def _bug(bug_id: int, summary: str, status: str = "RESOLVED", resolution: str = "FIXED") -> Bug:
    return Bug(id=bug_id, summary=summary, status=status, resolution=resolution)


COMMITS = (
    Commit("a1" * 20, "Bug 1095006 — Return a 404 for unknown rooms on /v2/rooms/{token}",
           parents=("p1",)),
    Commit("b2" * 20, "Bug 1071244, 1071248 — Expire room participants", parents=("a1" * 20,)),
    Commit("c3" * 20, "Update the Makefile for tests", parents=("b2" * 20,)),
    Commit("d4" * 20, "Fix 1069654 — Use the right hawk session (v1 API)", parents=("c3" * 20,)),
    Commit("e5" * 20, "Merge pull request #245 from Natim/rooms-expiry",
           parents=("d4" * 20, "b2" * 20)),
    Commit("f6" * 20, "Bug 1099999 — Add a new logs format", parents=("e5" * 20,)),
)
BUGS = {
    1095006: _bug(1095006, "Rooms should return a 404 when the token is unknown"),
    1071244: _bug(1071244, "Room participants never expire", status="VERIFIED"),
    1071248: _bug(1071248, "Expire participants of deleted rooms", status="NEW", resolution=""),
    1069654: _bug(1069654, "Add the hawk session to the call url", resolution="WONTFIX"),
}


def test_bug_ids_are_collected_once_in_order_for_one_bugzilla_request() -> None:
    assert bug_ids(COMMITS) == (1095006, 1071244, 1071248, 1069654, 1099999)


def test_changelog_separates_fixed_from_flagged_bugs() -> None:
    changelog = Changelog.build(COMMITS, BUGS)
    assert changelog.fixed_ids == (1095006, 1071244)
    assert changelog.flagged_ids == (1071248, 1069654, 1099999)
    assert set(changelog.bug_ids) == set(bug_ids(COMMITS))
    reasons = {f.id: f.reason for f in changelog.flagged}
    assert reasons[1071248] == "bug 1071248 (NEW) is not RESOLVED FIXED"
    assert reasons[1069654] == "bug 1069654 (RESOLVED WONTFIX) is not RESOLVED FIXED"
    assert "unknown to Bugzilla" in reasons[1099999]


def test_changelog_keeps_each_bugs_commits_and_the_commits_without_bug() -> None:
    changelog = Changelog.build(COMMITS, BUGS)
    assert changelog.fixed[1].commits == (COMMITS[1],)
    assert changelog.without_bug == (COMMITS[2],)  # the bugless merge is left out


def test_changelog_lists_the_api_routes_its_commits_mention() -> None:
    changelog = Changelog.build(COMMITS, BUGS)
    assert changelog.routes == ("/v1", "/v2/rooms/{token}")
    assert changelog.api_versions == ("/v1", "/v2")


def test_routes_are_read_from_paths_and_api_words_but_not_urls_or_versions() -> None:
    text = ("Fix GET /v2/rooms/:token. and POST /v1/calls; the v2 API too; see "
            "https://loop.services.mozilla.com/v1/calls and 0.13.1 (v0.13.1)")
    assert mentioned_routes(text) == ("/v2/rooms/:token", "/v1/calls", "/v2")


def test_release_notes_follow_loop_servers_changelog_style() -> None:
    changelog = Changelog.build(COMMITS[:2], BUGS)
    notes = render_notes(changelog, "0.13.1", dt.date(2014, 11, 13))
    assert notes == (
        "0.13.1 (2014-11-13)\n"
        "-------------------\n"
        "\n"
        "- [bugfix] 1095006 — Rooms should return a 404 when the token is unknown\n"
        "- [bugfix] 1071244 — Room participants never expire\n"
        "\n"
        "API routes changed: /v2/rooms/{token}\n"
    )


def test_notes_of_a_release_without_fixed_bugs_say_so() -> None:
    changelog = Changelog.build([Commit("9" * 40, "Update the README")], {})
    assert "- no Bugzilla bug fixed in this release" in render_notes(
        changelog, "0.12.3", dt.date(2014, 11, 20))


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Fix an XSS in the rooms page"], "security"),
        (["Add the FxA OAuth flow"], "feature"),
        (["Make the TokBox timeout a configuration option"], "config"),
        (["Log the hawk id on errors"], "logs"),
        (["Refactor the storage backends"], "refactoring"),
        (["Run the linters on Travis"], "tooling"),
        (["Rooms should return a 404 for unknown tokens"], "bugfix"),
    ],
)
def test_category_is_guessed_from_keywords(texts: list[str], expected: str) -> None:
    assert category(texts) == expected


def test_flagged_bugs_render_with_their_commits() -> None:
    changelog = Changelog.build(COMMITS, BUGS)
    lines = render_flagged(changelog).splitlines()
    assert lines[0] == "- bug 1071248 (NEW) is not RESOLVED FIXED (referenced by b2b2b2b)"
    assert len(lines) == 3


def test_commits_for_a_backport_are_the_non_merge_commits_naming_the_bug() -> None:
    commits = (
        Commit("1a" * 20, "Bug 1083742 — Fix the FxA assertion audience", parents=("0f",)),
        Commit("2b" * 20, "Bug 1087041 - Handle TokBox timeouts", parents=("1a" * 20,)),
        Commit("3c" * 20, "Bug 1083742 — Add a test for the audience", parents=("2b" * 20,)),
        Commit("4d" * 20, "Merge pull request #247 from Natim/1083742-fxa-audience",
               parents=("2b" * 20, "3c" * 20)),
    )
    assert commits_for_bug(commits, 1083742) == (commits[0], commits[2])
    assert commits_for_bug(commits, 1071247) == ()


class CountedCommits(Sequence[Commit]):
    """Commits that count how many times one of them is handed out."""

    def __init__(self, commits: list[Commit]) -> None:
        self._commits = commits
        self.reads = 0

    @overload
    def __getitem__(self, index: int) -> Commit: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Commit]: ...
    def __getitem__(self, index: int | slice) -> Commit | Sequence[Commit]:
        self.reads += 1 if isinstance(index, int) else len(self._commits[index])
        return self._commits[index]

    def __len__(self) -> int:
        return len(self._commits)

    def __iter__(self) -> Iterator[Commit]:
        for commit in self._commits:
            self.reads += 1
            yield commit


def many_commits(count: int, bugs: int) -> list[Commit]:
    return [Commit(f"{n:040x}", f"Bug {1100000 + n % bugs} — change {n} of the rooms API",
                   parents=(f"{n - 1:040x}",)) for n in range(count)]


def test_commits_by_bug_reads_each_commit_once() -> None:
    # Issue 18: it read every commit once per bug (5,000 commits gave no preview in 10 min).
    commits = CountedCommits(many_commits(600, 120))
    by_bug = commits_by_bug(commits)
    assert commits.reads == 600
    assert len(by_bug) == 120 and all(len(listed) == 5 for listed in by_bug.values())
    assert by_bug[1100007] == tuple(commits._commits[n] for n in range(7, 600, 120))


def test_a_changelog_reads_each_commit_once() -> None:
    commits = CountedCommits(many_commits(600, 120))
    bugs = {n: Bug(n, f"Loop bug {n}", "RESOLVED", "FIXED") for n in range(1100000, 1100120)}
    changelog = Changelog.build(commits, bugs)
    assert commits.reads == 600
    assert len(changelog.fixed) == 120 and changelog.without_bug == ()
