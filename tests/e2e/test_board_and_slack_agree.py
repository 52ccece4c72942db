"""The board, the calendar feed and Slack read what people type the same way: one wording
for a service that does not exist (naming those that do; the name echoed inert, except
by the calendar feed, which does not repeat it), and one
reading of a version (`v0.13.0` is 0.13.0 everywhere)."""

from __future__ import annotations

from bot.markup import escape
from tests.e2e.test_board_http import board_server, get, text_of
from tests.fixtures.app import DEV, LoopWorld

WRONG = "<b>loop-srever</b>"
SAID = "no service named '<b>loop-srever</b>'; the services are: loop-server, loop-client"


def test_an_unknown_service_is_worded_once_in_slack_the_board_and_the_feed(
        loop_world: LoopWorld) -> None:
    loop_world.command(DEV, f"status service:{WRONG}")
    slack = loop_world.last_ephemeral(DEV).text
    assert escape(SAID) in slack
    with board_server(loop_world) as server:
        metrics = get(server, f"/metrics?service={WRONG}")
        feed = get(server, f"/calendar.ics?service={WRONG}")
    assert metrics.status_code == 400
    assert "<b>loop-srever" not in metrics.text  # escaped for HTML
    assert SAID in text_of(metrics.text)
    assert feed.status_code == 404  # the feed does not repeat the name it was given
    assert feed.json() == {"error": "no such service; the services are: loop-server, "
                                    "loop-client"}
    with board_server(loop_world) as server:
        page = get(server, "/releases/loop-srever/0.13.0")
    assert page.status_code == 404 and "/loop help" not in page.text  # a hint for Slack
    assert SAID.replace("<b>loop-srever</b>", "loop-srever") in text_of(page.text)


def test_the_release_page_reads_a_version_as_slack_does(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    with board_server(loop_world) as server:
        page = get(server, "/releases/loop-server/v0.13.0")
        wrong = get(server, "/releases/loop-server/v0.13")
    assert page.status_code == 200
    assert "Release notes 0.13.0 (" in text_of(page.text)
    assert wrong.status_code == 404
    assert "couldn't read `v0.13` as a version" in text_of(wrong.text)
