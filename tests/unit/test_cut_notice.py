"""A stop tells each request still under way whether anything was begun (handlers/cut.py):
held or queued work was not, claimed work may have stopped halfway; App Home's own
refreshes are told nothing; a finished request is no longer under way."""

from __future__ import annotations

from typing import Any

from bot.messages import Rendered
from handlers.cut import UnderWayRequests


class Told:
    """Where a Reply's ephemeral answers would go."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def ephemeral(self, rendered: Rendered) -> None:
        self.said.append(rendered.text)


def test_each_cut_request_is_told_whether_anything_was_begun() -> None:
    told = Told()
    reply: Any = told
    under_way = UnderWayRequests()
    held = under_way.add("/loop tag 0.13.0", True, lambda: reply)
    begun = under_way.add("/loop verify stage <0.12.2>", True, lambda: reply)
    begun.started = True
    under_way.add("(App Home)", False, lambda: reply)
    finished = under_way.add("/loop status", True, lambda: reply)
    under_way.done(finished)

    assert under_way.tell(5.0) == 2
    assert held.reply is None
    assert sorted(told.said) == sorted([
        "I was stopped (a restart of the bot) before I began `/loop tag 0.13.0`: nothing "
        "was done. Send the same command again once I am back.",
        "I was stopped (a restart of the bot) while running `/loop verify stage "
        "&lt;0.12.2&gt;`, so it may have stopped halfway. Once I am back, `/loop status` "
        "shows where things stand, and repeating the same command finishes what was "
        "started without doing anything twice."])
