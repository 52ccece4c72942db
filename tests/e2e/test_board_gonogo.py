"""The board's go/no-go (issue 22) over HTTP: the front page shows each service's
go/no-go for the next push, the release's page its own, the same reasons and links as
`/loop gonogo`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.domain.release import Env
from bot.entrypoints.server import Server
from tests.e2e.test_board_http import board_server, get, links, text_of
from tests.fixtures.app import QA, LoopWorld


@pytest.fixture
def board(loop_world: LoopWorld) -> Iterator[Server]:
    with board_server(loop_world) as server:
        yield server


def section(page: str) -> str:
    start = page.index('<section id="gonogo">')
    return page[start:page.index("</section>", start)]


def test_front_page_says_nothing_in_flight_then_no_go_with_the_linked_reasons(
        loop_world: LoopWorld, board: Server) -> None:
    shown = text_of(section(get(board).text))
    assert "Go/no-go for the next push" in shown
    assert "Go/no-go for loop-server, the push on Mon 2026-12-14: nothing in flight" in shown
    assert "No release of loop-server is waiting for prod: prod keeps 0.12.2." in shown
    assert "Go/no-go for loop-client, the push on Mon 2026-12-14: nothing in flight" in shown

    loop_world.to_stage("0.13.0")
    stage_bug = loop_world.release("0.13.0").ticket(Env.STAGE).bug_id
    part = get(board, "/?part=main").text
    shown = text_of(section(part))
    assert "NO-GO for loop-server 0.13.0, the push on Mon 2026-12-14" in shown
    assert (f"stage bug {stage_bug} is RESOLVED FIXED, not VERIFIED: QA verifies it with "
            "/loop verify stage 0.13.0") in shown
    assert "Before the push: QA stage ticket; green light" in shown
    found = links(section(part))
    assert found[f"bug {stage_bug}"] == (
        f"{loop_world.sandbox.bugzilla.url}/show_bug.cgi?id={stage_bug}")
    assert found["0.12.2...0.13.0"].endswith("/compare/0.12.2...0.13.0")
    assert '<li class="no" data-gate="stage ticket">' in part


def test_release_page_shows_its_go_no_go_and_the_verdict_turns_go(
        loop_world: LoopWorld, board: Server) -> None:
    loop_world.to_prod_requested("0.13.0")
    page = get(board, "/releases/loop-server/0.13.0")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "GO for loop-server 0.13.0, the push on Mon 2026-12-14" in shown
    assert "NO-GO" not in shown
    assert "no green light yet: QA gives it before the push" in shown
    assert "Before the push: QA green light" in shown
    loop_world.command(QA, "greenlight prod 0.13.0")
    loop_world.click(QA, loop_world.last_ephemeral(QA), "Greenlight 0.13.0")
    shown = text_of(get(board, "/releases/loop-server/0.13.0?part=main").text)
    assert "the green light for 0.13.0 is given" in shown
    assert "Before the push" not in shown
