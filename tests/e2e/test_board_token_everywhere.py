"""A set WEB_TOKEN protects the board from every client, this machine's too (the safer
reading; the README said localhost needed no login even then): the README and the
server agree."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_board_http import TOKEN, board_server, get
from tests.fixtures.app import LoopWorld

README = Path(__file__).resolve().parents[2] / "README.md"


def test_on_localhost_a_set_token_is_asked_as_the_readme_says(loop_world: LoopWorld) -> None:
    with board_server(loop_world, host="127.0.0.1", token=TOKEN) as server:
        asked = get(server)
        feed = get(server, "/calendar.ics")
        shown = get(server, headers={"Authorization": f"Bearer {TOKEN}"})
    assert asked.status_code == 401 and feed.status_code == 401
    assert shown.status_code == 200
    said = " ".join(README.read_text(encoding="utf-8").split())
    assert ("Served on 127.0.0.1 (the default) with `WEB_TOKEN` unset it needs no login. "
            "Once `WEB_TOKEN` is set, every client is asked for it, this machine included."
            ) in said


def test_on_localhost_without_a_token_the_board_is_open(loop_world: LoopWorld) -> None:
    with board_server(loop_world, host="127.0.0.1") as server:
        assert get(server).status_code == 200
