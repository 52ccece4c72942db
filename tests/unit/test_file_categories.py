"""Release-note categories from the files a bug's commits change (bot/domain/
file_categories.py) and their place between Bugzilla's fields and the words."""

from __future__ import annotations

from bot.domain.changelog import Changelog
from bot.domain.facts import Bug, Commit
from bot.domain.file_categories import commits_to_read, files_category

# loop-server's shipped patterns (app.yaml), in the shipped order
RULES = {"config": ("config/**", "loop/config.js"),
         "tooling": ("tools/**", "Makefile", ".travis.yml"),
         "loadtest": ("loadtests/**",)}


def commit(n: int, message: str, parents: int = 1) -> Commit:
    return Commit(f"{n:040x}", message, "Alexis", tuple(f"{p:040x}" for p in range(parents)))


def test_a_bug_whose_commits_only_change_config_files_is_config() -> None:
    fix = commit(1, "Bug 1097563 — Raise the Redis timeout")
    other = commit(2, "Bug 1097563 — Declare the timeout")
    files = {fix.sha: ("config/production.json", "config/stage.json"),
             other.sha: ("loop/config.js",)}
    assert files_category([fix, other], files, RULES) == "config"


def test_patterns_match_folder_by_folder_not_anywhere_in_the_path() -> None:
    fix = commit(3, "Bug 1097564 — Loads for the rooms")
    assert files_category([fix], {fix.sha: ("loadtests/config/megabench.ini",)},
                          RULES) == "loadtest"  # not config: config/** is anchored
    assert files_category([fix], {fix.sha: ("tools/redis/usage.js",)}, RULES) == "tooling"
    assert files_category([fix], {fix.sha: ("loop/tools/x.js",)}, RULES) is None


def test_a_bug_touching_code_as_well_as_config_falls_through_to_words() -> None:
    config_only = commit(4, "Bug 1097565 — Set the timeout")
    code = commit(5, "Bug 1097565 — Use the timeout")
    files = {config_only.sha: ("config/sample.json",), code.sha: ("loop/storage/redis.js",)}
    assert files_category([config_only, code], files, RULES) is None


def test_a_bug_touching_two_categories_falls_through_to_words() -> None:
    fix = commit(6, "Bug 1097566 — Tools and their settings")
    files = {fix.sha: ("tools/remove_old_keys.js", "config/production.json")}
    assert files_category([fix], files, RULES) is None


def test_no_category_by_files_when_a_commit_was_not_read_or_changed_nothing() -> None:
    read, unread = commit(7, "Bug 1097567 — a"), commit(8, "Bug 1097567 — b")
    assert files_category([read, unread], {read.sha: ("config/a.json",)}, RULES) is None
    assert files_category([read], {read.sha: ()}, RULES) is None
    assert files_category([read], {read.sha: ("config/a.json",)}, {}) is None


def test_merge_commits_are_left_out_of_the_files() -> None:
    fix = commit(9, "Bug 1097568 — Sample settings")
    merge = commit(10, "Merge pull request #240 from mozilla-services/1097568-settings", 2)
    files = {fix.sha: ("config/sample.json",)}  # the merge's files are never read
    assert files_category([fix, merge], files, RULES) == "config"


def test_bugzilla_fields_beat_files_which_beat_words() -> None:
    secret = commit(11, "Bug 1097570 — Add a setting for the token secret")
    worded = commit(12, "Bug 1097571 — Add a loads scenario for rooms")
    coded = commit(13, "Bug 1097572 — Add the room owner check")
    bugs = {1097570: Bug(1097570, "Secrets in the sample config", "RESOLVED", "FIXED",
                         keywords=("sec-moderate",)),
            1097571: Bug(1097571, "Loads for rooms", "RESOLVED", "FIXED"),
            1097572: Bug(1097572, "Room owner check", "RESOLVED", "FIXED")}
    files = {secret.sha: ("config/sample.json",), worded.sha: ("loadtests/loadtest/rooms.py",),
             coded.sha: ("loop/routes/rooms.js",)}
    changelog = Changelog.build([secret, worded, coded], bugs, files, RULES)
    assert [f.category for f in changelog.fixed] == ["security", "loadtest", "feature"]
    assert [f.category for f in Changelog.build([worded], bugs).fixed] == ["feature"]


def test_the_reads_take_whole_bugs_first_referenced_first_up_to_the_cap() -> None:
    first = [commit(20, "Bug 1097580 — a"), commit(21, "Bug 1097580 — b")]
    big = [commit(22 + n, f"Bug 1097581 — part {n}") for n in range(3)]
    small = [commit(30, "Bug 1097582 — c")]
    plan = commits_to_read([first, big, small], cap=3)
    assert plan.shas == (first[0].sha, first[1].sha, small[0].sha)  # big left whole
    assert plan.left_out == 3


def test_a_commit_shared_by_two_bugs_is_read_once_and_merges_never() -> None:
    both = commit(40, "Bug 1097590, 1097591 — shared")
    merge = commit(41, "Merge pull request #241 from mozilla-services/1097591-x", 2)
    plan = commits_to_read([[both], [both, merge]], cap=100)
    assert plan.shas == (both.sha,) and plan.left_out == 0
    assert commits_to_read([[both]], cap=0).left_out == 1
