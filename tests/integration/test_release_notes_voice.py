"""The CHANGELOG the categories learn from, configured apart (`notes.learn_from`, no
release commit), read through PyGithub from the git-backed GitHub stand-in: a failed read
is no failure of the preview (the word list decides, a warning is logged, the preview
says what it learned from), and the next preview learns again."""

from __future__ import annotations

import logging

import pytest

from bot.config.settings import Settings
from bot.domain.changelog import LEARNED, WORDS
from bot.usecases.tagging import preview_tag
from tests.fixtures.changelogs import team_changelog
from tests.fixtures.standins import without_opt_ins
from tests.fixtures.world import DEV, World

OWNER, NAME = "mozilla-services", "loop-server"


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    plain = without_opt_ins(shipped_settings)
    server, client = plain.services
    notes = server.notes.model_copy(update={"learn_from": "docs/CHANGES.md"})
    return plain.model_copy(update={"services": (server.model_copy(update={"notes": notes}),
                                                 client)})


def test_a_failed_changelog_read_leaves_the_word_list_and_is_read_again(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    bug = world.sandbox.bugzilla.add_bug("Count the push logins in the statsd metrics", "RESOLVED",
                                         "FIXED")
    github = world.sandbox.github
    github.commit(OWNER, NAME, "master", "Move the changelog",
                  {"docs/CHANGES.md": team_changelog()})
    github.commit(OWNER, NAME, "master", f"Bug {bug} — Count push logins",
                  {"loop/routes/push.js": "// push: logins counted\n"})
    github.faults.fail_next(500, path="/contents/docs/CHANGES.md")
    with caplog.at_level(logging.WARNING):
        preview = preview_tag(world.ctx, world.ctx.service(), DEV)
    fixed = {f.id: f for f in preview.changelog.fixed}[bug]
    assert (fixed.category, fixed.source) == ("logs", WORDS)  # the word list: "metrics"
    assert preview.voice.startswith("docs/CHANGES.md: 0 categorised entries")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("docs/CHANGES.md could not be read" in w for w in warned), warned
    again = {f.id: f for f in preview_tag(world.ctx, world.ctx.service(), DEV).changelog.fixed}[bug]
    assert (again.category, again.source) == ("metrics", LEARNED)
    assert "statsd" in again.because
