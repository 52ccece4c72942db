"""The release notes' categories in the team's voice: the CHANGELOG parsed into entries,
the naive Bayes word model learned from them, and its place in the changelog's order
(fields, files, learned words, word list, default)."""

from __future__ import annotations

import math

from bot.domain.changelog import DEFAULT, FIELDS, FILES, LEARNED, WORDS, Changelog
from bot.domain.changelog_voice import MIN_ENTRIES, VoiceModel, parse_entries, words
from bot.domain.facts import Bug, Commit

# A team that writes [metrics] for what it counts and times, [feature] for the rooms.
METRICS = ["Count the rooms joined per hour", "Time the TokBox session creation",
           "Count the participants leaving a room", "Time the Redis calls with statsd",
           "Count the push notifications sent", "Report the websocket timings to statsd",
           "Count the FxA logins per day"]
FEATURES = ["Give the rooms a subject", "Let the owner rename a room",
            "Accept a channel when a room is made", "Notify the others when a participant leaves",
            "Let a guest read the room before joining", "List removed rooms when asked",
            "Let PATCH /rooms remove several rooms", "Support a context for the rooms",
            "Give each room its creation date", "Add the room URL to GET /rooms",
            "Limit the length of room names", "Return who called in GET /calls",
            "Save the owner a seat in the room"]


def _changelog(sections: dict[str, list[str]]) -> str:
    """A CHANGELOG in loop-server's style, newest section first."""
    text = "Changelog\n=========\n\nThis document describes changes between each past release.\n\n"
    for version, entries in sections.items():
        heading = f"{version} (2015-0{len(version) % 9 + 1}-12)"
        text += f"{heading}\n{'-' * len(heading)}\n\n" + "".join(f"{e}\n" for e in entries)
        text += "\n"
    return text


def _team_changelog() -> str:
    bug = iter(range(1120001, 1129999, 7))
    return _changelog({
        "0.15.0": [f"- [metrics] {t} ({next(bug)})" for t in METRICS[:4]]
                  + [f"- [feature] {t} ({next(bug)})" for t in FEATURES[:7]],
        "0.14.1": ["- [bugfix] Hold a place for whoever owns the room (1130031)",
                   "- [bugfix] Answer 400 when the body is not JSON (1130032)"],
        "0.14.0": [f"- [metrics] {next(bug)} — {t}" for t in METRICS[4:]]
                  + [f"- [feature] Bug {next(bug)} — {t}" for t in FEATURES[7:]],
    })


def test_entries_keep_release_category_bugs_and_continuation_lines() -> None:
    text = _changelog({"0.15.0": [
        "- [config]  Write the logs as JSON lines for the collector, one event",
        "            per line (1130021)",
        "- [API-Change] 1130022, 1130023 — GET /rooms answers the room's context",
        "- [feature]       #141 — Show the build on the home page.",
        "- Bumped the test runner;",
    ]}) + "0.14.3 (2014-12-22)\n-------------------\n\n- [bugfix] Bug 1130024 - One owner\n"
    entries = parse_entries(text)
    assert [(e.release, e.category, e.bugs) for e in entries] == [
        ("0.15.0", "config", (1130021,)), ("0.15.0", "api-change", (1130022, 1130023)),
        ("0.15.0", "feature", ()), ("0.14.3", "bugfix", (1130024,))]
    assert entries[0].text.endswith("for the collector, one event per line (1130021)")


def test_markdown_headings_are_sections_too() -> None:
    entries = parse_entries("# CHANGELOG\n\n## 0.13.1 (2014-11-13)\n\n- [logs] Log the calleeId\n")
    assert [(e.release, e.category) for e in entries] == [("0.13.1", "logs")]


def test_words_drop_stop_words_numbers_bug_references_and_plural_s() -> None:
    assert words("Bug 1094662 — Add the rooms to logs (1094838) on /v2/rooms") == [
        "add", "room", "log", "v2", "room"]
    assert words("redis status access tools") == ["redis", "status", "access", "tool"]
    assert words("Fix 1069654 — Fix the heartbeat") == ["fix", "heartbeat"]


def test_the_model_learns_the_teams_category_and_names_the_deciding_words() -> None:
    model = VoiceModel.learn(parse_entries(_team_changelog()))
    guess = model.guess(["Count the calls per minute with statsd"], "0.16.0")
    assert guess is not None and guess.category == "metrics"
    assert "count" in guess.because and "statsd" in guess.because
    assert len(guess.because) <= 3
    rooms = model.guess(["Let the owner choose the room's name"], "0.16.0")
    assert rooms is not None and rooms.category == "feature"


def test_weights_are_laplace_smoothed_counts() -> None:
    model = VoiceModel.learn(parse_entries(_team_changelog()))
    metric_words = sum(len(words(t)) for t in METRICS)
    vocabulary = len(model.weights)
    assert math.isclose(model.weights["statsd"]["metrics"],
                        math.log((2 + 1) / (metric_words + vocabulary)))
    assert math.isclose(model.weights["statsd"]["feature"],
                        math.log(1 / (sum(len(words(t)) for t in FEATURES) + vocabulary)))


def test_a_patch_release_leans_on_what_the_team_files_in_patches() -> None:
    """In 0.14.1 the team filed two [bugfix]: the same words weigh toward it in a patch."""
    model = VoiceModel.learn(parse_entries(_team_changelog()))
    text = ["Hold the room for its owner"]
    minor, patch = model.guess(text, "0.16.0"), model.guess(text, "0.15.1")
    assert minor is not None and minor.category == "feature"
    assert patch is not None and patch.category == "bugfix"


def test_too_few_entries_or_unknown_words_say_nothing() -> None:
    entries = parse_entries(_team_changelog())
    assert len(entries) > MIN_ENTRIES
    young = VoiceModel.learn(entries[:MIN_ENTRIES - 1])
    assert not young.trained and young.guess(["Count the rooms"], "0.16.0") is None
    one_voice = VoiceModel.learn([e for e in entries if e.category == "feature"], 1)
    assert not one_voice.trained
    model = VoiceModel.learn(entries)
    assert model.trained and model.guess(["Upgrade mocha"], "0.16.0") is None


BUG_METRICS = Bug(1131001, "Count the calls per minute with statsd", "RESOLVED", "FIXED")
BUG_SECURE = Bug(1131002, "Count the calls per minute", "RESOLVED", "FIXED",
                 keywords=("sec-low",))
BUG_CONFIG = Bug(1131003, "Count the rooms", "RESOLVED", "FIXED")
BUG_WORDS = Bug(1131004, "Upgrade mocha and lint the tests", "RESOLVED", "FIXED")
BUG_PLAIN = Bug(1131005, "Upgrade mocha", "RESOLVED", "FIXED")
COMMITS = [Commit(f"{n:040x}", f"Bug {b.id} — {b.summary}") for n, b in enumerate(
    (BUG_METRICS, BUG_SECURE, BUG_CONFIG, BUG_WORDS, BUG_PLAIN), start=1)]


def test_the_changelog_tries_fields_files_learned_words_then_the_default() -> None:
    bugs = {b.id: b for b in (BUG_METRICS, BUG_SECURE, BUG_CONFIG, BUG_WORDS, BUG_PLAIN)}
    files = {COMMITS[2].sha: ("config/prod.json",)}
    model = VoiceModel.learn(parse_entries(_team_changelog()))
    changelog = Changelog.build(COMMITS, bugs, files, {"config": ["config/**"]}, model,
                                "0.16.0")
    assert [(f.category, f.source) for f in changelog.fixed] == [
        ("metrics", LEARNED), ("security", FIELDS), ("config", FILES), ("tooling", WORDS),
        ("bugfix", DEFAULT)]
    assert changelog.fixed[0].source_note.startswith("learned from the CHANGELOG: ")
    assert "statsd" in changelog.fixed[0].source_note
    without = Changelog.build(COMMITS, bugs, files, {"config": ["config/**"]})
    assert (without.fixed[0].category, without.fixed[0].source) == ("bugfix", DEFAULT)
