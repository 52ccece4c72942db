"""What a user reads (issues 18 and 20), over signed Slack requests: `/loop history` shows
the newest entries, each clipped, with the board's page for the whole trail; every time
shown is in the team's time zone in one format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.domain.release import State
from bot.sandbox.chat.render import render_message
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import buttons
from tests.e2e.test_sandbox_chat import play, texts
from tests.e2e.test_sandbox_robust import _git
from tests.fixtures.app import LEAD, OPS, QA, LoopWorld, start_world, stop_world

BOARD = "https://loopbot.example.com"


def _world(settings: Settings, tmp_path: Path) -> Iterator[LoopWorld]:
    sandbox, world = start_world(settings.model_copy(update={"board_url": BOARD}), tmp_path)
    try:
        yield world
    finally:
        stop_world(sandbox, world)


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[LoopWorld]:
    yield from _world(settings, tmp_path)


@pytest.fixture
def shipped_world(shipped_settings: Settings, tmp_path: Path) -> Iterator[LoopWorld]:
    """With app.yaml's opt-ins: loop-server's release commit among them."""
    yield from _world(shipped_settings, tmp_path)


def test_history_after_a_long_emergency_reason_shows_the_newest_steps(world: LoopWorld
                                                                       ) -> None:
    world.to_stage("0.13.0")
    reason = "prod is down since the TokBox outage; " + "details of the outage " * 160
    assert len(reason) > 3400
    world.command(LEAD, f'greenlight prod 0.13.0 --emergency "{reason}"')
    world.click(LEAD, world.last_ephemeral(LEAD), "Override greenlight")
    world.deploy("prod", "0.13.0")
    world.command(OPS, "deployed prod 0.13.0")
    world.command(QA, "history 0.13.0")
    shown = world.last_ephemeral(QA)
    text = "\n".join(b["text"]["text"] if "text" in b else b["elements"][0]["text"]
                     for b in shown.blocks)
    assert "greenlight" in text and ":rotating_light: prod is down since" in text
    assert "deployed prod (greenlit → prod-deployed)" in text  # the newest step
    assert reason not in text and "…" in text
    assert f"<{BOARD}/releases/loop-server/0.13.0|the whole trail on the board>" in text


def test_history_shows_a_load_test_window_in_the_team_time_zone(world: LoopWorld) -> None:
    world.to_stage("0.13.1")
    world.command(QA, "loadtest stage 0.13.1 window 2026-12-09T14:00 16:00 tokbox")
    world.command(QA, "history 0.13.1")
    text = str(world.last_ephemeral(QA).blocks)
    assert ": Wed 2026-12-09 14:00 to 16:00; with tokbox" in text
    assert "+00:00" not in text and "T13:00" not in text
    assert "(times in Europe/Paris)" in text


def test_the_green_light_confirmation_asks_and_says_what_ops_will_be_told(world: LoopWorld
                                                                         ) -> None:
    world.to_prod_requested("0.13.2")
    world.command(QA, "greenlight prod 0.13.2")
    question = world.last_ephemeral(QA)
    asked = question.blocks[0]["text"]["text"]
    told = "OPS will be told: “Next: OPS: push 0.13.2 to prod, then `/loop deployed prod 0.13.2`”"
    assert asked.startswith("*Give loop-server 0.13.2 the green light for prod?*")
    assert told in asked
    dialog = buttons(question)[0]["confirm"]
    assert dialog["text"]["text"].startswith("Give loop-server 0.13.2 the green light for "
                                             "prod? OPS will be told")
    world.click(QA, question, "Greenlight 0.13.2")
    assert world.release("0.13.2").state is State.GREENLIT


def _lines(posted: Posted) -> list[str]:
    """The message as a person reads it, line by line."""
    return [line.strip() for line in render_message(posted, lambda user: user).splitlines()]


def test_the_tag_message_and_the_calendar_break_their_small_print_into_lines(
    world: LoopWorld,
) -> None:
    tagged = _lines(world.tag("0.13.3"))
    assert any(line.startswith("Next: DEV or QA") for line in tagged), tagged
    assert not any("release notes)" in line and "Next:" in line for line in tagged), tagged
    world.command(QA, "calendar")
    shown = _lines(world.last_ephemeral(QA))
    assert "In flight: 0.13.3 (tagged)" in shown, shown
    assert any(line.startswith("Today, Tue 2026-12-01: between the cycle's steps")
               for line in shown), shown


def test_help_tag_names_the_release_commit_pushed_with_the_tag(shipped_world: LoopWorld
                                                              ) -> None:
    shipped_world.command(QA, "help tag")
    shown = shipped_world.last_ephemeral(QA).text
    assert ("Changes: GitHub, once confirmed: a commit “Release X.Y.Z” pushed to master (or "
            "to LINE's branch for a patch) updating CHANGELOG.md, package.json, an annotated "
            "tag on it, and a release with the notes") in shown, shown


def test_a_repository_with_no_release_shows_no_release_yet_and_compares_nothing(
    tmp_path: Path,
) -> None:
    source = tmp_path / "service"
    source.mkdir()
    _git(source, "init", "--quiet", "--initial-branch=main")
    (source / "server.js").write_text("// v1\n")
    _git(source, "add", "-A")
    _git(source, "commit", "--quiet", "-m", "First commit")
    out = play("/loop envs\n", tmp_path, "--repo", str(source))
    envs = texts(out, user="@dev")[0]
    assert "*dev*: no release yet" in envs and "*prod*: no release yet" in envs, envs
    assert "0000000" not in envs and "comparing" not in envs and "0.1.0" not in envs
