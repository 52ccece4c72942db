"""Release-note categories from the files each commit changed, end to end: `/loop tag`'s
preview (a signed Slack request to the running bot) shows each fixed bug's category, the
one a config-only fix gets from its files; the tag button publishes the same notes without
reading the files again; a cap too small for the commits says so in the preview."""

from __future__ import annotations

import json
import re

import pytest

from bot.config.settings import Settings
from tests.fixtures.app import DEV, LoopWorld
from tests.fixtures.standins import without_opt_ins

OWNER, NAME = "mozilla-services", "loop-server"
COMMIT_READ = re.compile(r"/commits/[0-9a-f]{40}$")


@pytest.fixture
def settings(shipped_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """loop-server's shipped categories by files (its cap replaced by a test's param)."""
    plain = without_opt_ins(shipped_settings)
    server, client = plain.services
    notes = shipped_settings.services[0].notes
    if hasattr(request, "param"):
        notes = notes.model_copy(update={"max_commit_file_reads": request.param})
    return plain.model_copy(update={"services": (server.model_copy(update={"notes": notes}),
                                                 client)})


def test_the_preview_and_the_notes_show_the_category_the_files_give(
        loop_world: LoopWorld) -> None:
    bug = loop_world.sandbox.bugzilla.add_bug("Redis times out on stage", "RESOLVED", "FIXED")
    loop_world.sandbox.github.commit(OWNER, NAME, "master", f"Bug {bug} — Raise the timeout",
                                     {"config/stage.json": '{"redis": {"timeout": 5000}}\n'})
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    shown = json.dumps(preview.blocks, ensure_ascii=False)
    assert f"• [config] bug {bug} Redis times out on stage" in shown
    assert "• [bugfix] bug 1093488 Catch Redis connection errors at startup" in shown
    assert "files not read" not in shown
    with loop_world.sandbox.github.counting() as github:
        loop_world.click(DEV, preview, "Tag 0.13.0")
    assert [r.path for r in github if COMMIT_READ.search(r.path)] == []
    assert f"- [config] {bug} — Redis times out on stage" in loop_world.release("0.13.0").notes


@pytest.mark.parametrize("settings", [1], indirect=True)
def test_a_cap_too_small_is_said_in_the_preview(loop_world: LoopWorld) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    shown = json.dumps(loop_world.last_ephemeral(DEV).blocks, ensure_ascii=False)
    # the demo's three bug commits since 0.12.2: one read, two left to words
    assert "files not read for 2 commit(s); categories from words" in shown
