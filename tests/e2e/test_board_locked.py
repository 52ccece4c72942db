"""The board's locked page offers only what works: the token form (found as OPS behind a
proxy: "back to the board" led to the same locked page, a loop)."""

from __future__ import annotations

from tests.e2e.test_board_http import TOKEN, board_server, get
from tests.fixtures.app import LoopWorld


def test_the_locked_page_has_no_link_back_to_itself(loop_world: LoopWorld) -> None:
    with board_server(loop_world, host="0.0.0.0", token=TOKEN) as server:
        asked = get(server)
        shut = get(server, headers={"X-Forwarded-For": "203.0.113.9"})
        missing = get(server, "/releases/loop-server/9.9.9", headers={
            "Authorization": f"Bearer {TOKEN}"})
    assert asked.status_code == 401 and 'name="token"' in asked.text
    assert 'href="/"' not in asked.text.split("<main", 1)[1]
    assert shut.status_code == 401 and 'href="/"' not in shut.text.split("<main", 1)[1]
    assert missing.status_code == 404  # a page that is not there still leads back
    assert "back to the board" in missing.text
