"""Rough edges a new user met in a trial, each through signed Slack requests against the
stand-ins: an adopted release's history, the tag message's link, `/loop help` on the
`--emergency` option however a phone types its dashes, and the environments' wording."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.chat.render import render_message
from bot.sandbox.slack.records import Posted
from bot.usecases.adoption import import_releases
from tests.fixtures.app import DEV, LEAD, OPS, QA, LoopWorld


def read(message: Posted) -> str:
    """The message as a person reads it (mentions as ids, links as `label (url)`)."""
    return render_message(message, lambda user_id: user_id)


def test_history_of_an_adopted_release_names_the_importer_once(
        loop_world: LoopWorld) -> None:
    import_releases(loop_world.app.ctx, loop_world.app.ctx.service("loop-server"))
    loop_world.command(DEV, "history 0.12.1")
    shown = read(loop_world.last_ephemeral(DEV))
    assert "loopbot import: imported from tag 0.12.1" in shown
    assert "import import" not in shown


def test_the_tag_message_links_the_release_page_once(loop_world: LoopWorld) -> None:
    tagged = loop_world.tag("0.13.0")
    found = re.findall(r"<(https?://[^|>]+)\|([^>]+)>", str(tagged.blocks))
    release_page = [(url, label) for url, label in found if "/releases/tag/" in url]
    assert len(release_page) == 1, found
    url, label = release_page[0]
    assert url.endswith("/mozilla-services/loop-server/releases/tag/0.13.0")
    assert label == "0.13.0 on GitHub: tag and release notes"


@pytest.mark.parametrize("typed", ["—emergency", "--emergency", "–emergency", "emergency",
                                   "—EMERGENCY"])
def test_help_on_the_emergency_option_however_its_dashes_are_typed(
        loop_world: LoopWorld, typed: str) -> None:
    loop_world.command(OPS, f"help {typed}")
    shown = read(loop_world.last_ephemeral(OPS))
    assert "needs a value" not in shown and "I don't know" not in shown
    assert '--emergency "REASON"' in shown
    assert "Who*: emergency" in shown
    assert "verify" in shown and "greenlight" in shown and "tag," not in shown
    assert "--emergency \"prod is down, the fix is in 0.13.1\"" in shown


def test_help_on_the_service_option(loop_world: LoopWorld) -> None:
    loop_world.command(QA, "help —service")
    shown = read(loop_world.last_ephemeral(QA))
    assert "service:NAME" in shown and "Who*: anyone" in shown and "loop-server" in shown


def test_an_emergency_step_still_reads_a_phones_dash_after_help(loop_world: LoopWorld) -> None:
    loop_world.command(LEAD, "verify stage 0.13.0 —emergency")
    shown = read(loop_world.last_ephemeral(LEAD))
    assert "`--emergency` needs a value" in shown  # a step needs the reason, as before


def test_envs_says_what_a_mocked_partner_means(loop_world: LoopWorld) -> None:
    loop_world.command(OPS, "envs")
    shown = read(loop_world.last_ephemeral(OPS))
    stage = next(line for line in shown.splitlines() if "*stage*" in line)
    assert "TokBox mocked (fakeTokBox)" in stage
    assert "fake partner" not in shown
