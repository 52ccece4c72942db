"""A server started and then used as a context manager (`with Server(...).start() as s`,
as the board tests' helper does) runs one serve loop, and stop() ends it. Before, the
second start ran a second loop that outlived stop() and spun on the closed socket: each
e2e board test left one behind, burning CPU for the rest of the run."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import requests

from bot.entrypoints.server import Server
from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN, SlackStandIn


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_a_started_server_entered_again_leaves_no_serve_loop_after_stop() -> None:
    before = set(threading.enumerate())
    with Server(hello).start() as server:
        assert requests.get(server.url, timeout=10).text == "hello"
    left = [t for t in threading.enumerate() if t not in before and t.name == "loop-http"]
    assert left == []


def test_a_started_stand_in_entered_again_leaves_no_serve_loop_after_stop() -> None:
    before = set(threading.enumerate())
    with SlackStandIn(tokens=(SANDBOX_BOT_TOKEN,)).start() as stand_in:
        name = f"{stand_in.name}:{stand_in.port}"
        assert requests.post(f"{stand_in.api_url}auth.test", timeout=10,
                             headers={"Authorization": f"Bearer {SANDBOX_BOT_TOKEN}"}).ok
    left = [t for t in threading.enumerate() if t not in before and t.name == name]
    assert left == []
