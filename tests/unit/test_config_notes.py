"""`notes:` per service: the categories by files and the cap on the commits read for them,
validated with the key named."""

from __future__ import annotations

import pytest

from bot.config.settings import ConfigError, settings_from_dict


def service(notes: object) -> dict[str, object]:
    return {"services": [{"name": "loop-server", "repo": "mozilla-services/loop-server",
                          "notes": notes}]}


def test_categories_by_files_are_read_in_order_with_the_cap() -> None:
    settings = settings_from_dict(service({
        "file_categories": {"loadtest": ["loadtests/**"], "config": ["config/**"]},
        "max_commit_file_reads": 40}))
    notes = settings.service().notes
    assert list(notes.file_categories) == ["loadtest", "config"]
    assert notes.file_categories["config"] == ("config/**",)
    assert notes.max_commit_file_reads == 40


def test_without_notes_a_service_categorises_by_words_only() -> None:
    notes = settings_from_dict({"services": [{"name": "loop-client",
                                              "repo": "mozilla/loop-client"}]}).service().notes
    assert notes.file_categories == {} and notes.max_commit_file_reads == 100
    assert notes.learn_from is None and notes.learn_min_entries == 20


def test_the_changelog_to_learn_from_and_its_threshold_are_read() -> None:
    notes = settings_from_dict(service({"learn_from": "docs/CHANGES.rst",
                                        "learn_min_entries": 40})).service().notes
    assert (notes.learn_from, notes.learn_min_entries) == ("docs/CHANGES.rst", 40)


@pytest.mark.parametrize(("notes", "message"), [
    ({"file_categories": {"Config": ["config/**"]}}, r"notes\.file_categories.*'Config'"),
    ({"file_categories": {"config": []}}, r"'config': give at least one non-empty pattern"),
    ({"file_categories": {"config": ["/"]}}, r"'config': give at least one non-empty"),
    ({"max_commit_file_reads": -1}, r"notes\.max_commit_file_reads"),
    ({"max_commit_file_reads": 5000}, r"notes\.max_commit_file_reads"),
    ({"file_category": {}}, r"notes\.file_category': unknown key"),
    ({"learn_from": ""}, r"notes\.learn_from"),
    ({"learn_min_entries": 0}, r"notes\.learn_min_entries"),
])
def test_bad_notes_settings_are_refused_naming_the_key(notes: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_dict(service(notes), source="app.yaml")
