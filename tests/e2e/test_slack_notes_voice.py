"""Release-note categories in the team's own voice, end to end: `/loop tag`'s preview (a
signed Slack request to the running bot, partners on their stand-ins) shows a category
learned from the CHANGELOG on master, with the words that decided it, and the Tag button
publishes it; the CHANGELOG costs no request when the release commit reads it anyway, one
when it is configured apart; a young CHANGELOG leaves the word list to decide."""

from __future__ import annotations

import json
import re

import pytest

from bot.config.settings import Settings
from tests.fixtures.app import DEV, LoopWorld
from tests.fixtures.changelogs import team_changelog
from tests.fixtures.standins import without_opt_ins

OWNER, NAME = "mozilla-services", "loop-server"
CONTENTS = re.compile(r"/contents/")

def _with(shipped: Settings, **update: object) -> Settings:
    """loop-server with only the given opt-ins of the shipped app.yaml."""
    plain = without_opt_ins(shipped)
    server, client = plain.services
    return plain.model_copy(update={"services": (server.model_copy(update=update), client)})


@pytest.fixture
def settings(shipped_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    server = shipped_settings.services[0]
    if getattr(request, "param", "") == "learn_from":
        notes = server.notes.model_copy(update={"file_categories": {},
                                                "learn_from": "CHANGELOG.md"})
        return _with(shipped_settings, notes=notes)
    return _with(shipped_settings, release_commit=server.release_commit)


def _counting_bug(world: LoopWorld) -> int:
    bug = world.sandbox.bugzilla.add_bug("Count the calls per minute with statsd",
                                         "RESOLVED", "FIXED")
    world.sandbox.github.commit(OWNER, NAME, "master", "Write down the team's changelog",
                                {"CHANGELOG.md": team_changelog()})
    world.sandbox.github.commit(OWNER, NAME, "master", f"Bug {bug} — Count calls with statsd",
                                {"loop/routes/calls.js": "// calls: counted per minute\n"})
    return bug


def test_the_preview_shows_a_learned_category_and_why(loop_world: LoopWorld) -> None:
    bug = _counting_bug(loop_world)
    with loop_world.sandbox.github.counting() as github:
        loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    shown = json.dumps(preview.blocks, ensure_ascii=False)
    line = re.search(rf"• \[metrics\] bug {bug} Count the calls per minute with statsd "
                     r"_\(learned from the CHANGELOG: ([a-z0-9, ]+)\)_", shown)
    assert line is not None, shown
    assert {"count", "statsd"} <= set(line.group(1).split(", "))
    assert "categories learned from 21 entries of CHANGELOG.md" in shown
    # the release commit reads CHANGELOG.md and package.json: the model costs nothing more
    assert sorted(r.path.split("/contents/")[1].split("?")[0]
                  for r in github if CONTENTS.search(r.path)) == ["CHANGELOG.md", "package.json"]
    loop_world.click(DEV, preview, "Tag 0.13.0")
    assert f"- [metrics] {bug} — Count the calls per minute with statsd" in \
        loop_world.release("0.13.0").notes


@pytest.mark.parametrize("settings", ["learn_from"], indirect=True)
def test_a_changelog_configured_apart_costs_one_request(loop_world: LoopWorld) -> None:
    bug = _counting_bug(loop_world)
    with loop_world.sandbox.github.counting() as github:
        loop_world.command(DEV, "tag 0.13.0")
    shown = json.dumps(loop_world.last_ephemeral(DEV).blocks, ensure_ascii=False)
    assert f"• [metrics] bug {bug} Count the calls per minute with statsd _(learned" in shown
    assert len([r for r in github if CONTENTS.search(r.path)]) == 1


def test_a_young_changelog_leaves_the_word_list_to_decide(loop_world: LoopWorld) -> None:
    """The demo's CHANGELOG.md has 7 categorised entries on master: too few."""
    loop_world.command(DEV, "tag 0.13.0")
    shown = json.dumps(loop_world.last_ephemeral(DEV).blocks, ensure_ascii=False)
    assert "CHANGELOG.md: 7 categorised entries, 20 needed to learn from; categories " \
           "from the word list" in shown
    assert "• [bugfix] bug 1093488 Catch Redis connection errors at startup _(default)_" \
        in shown
    assert "learned from the CHANGELOG" not in shown
