"""bot/prompt_shutdown.py: a server's loop ends when asked, not at its next poll; the
stand-ins and the bot's in-process server stop that way."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bot.prompt_shutdown import PromptShutdown
from bot.sandbox.environments import EnvironmentStandIn


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"hi")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(PromptShutdown, ThreadingHTTPServer):
    daemon_threads = True


def stops(server: ThreadingHTTPServer) -> bool:
    """shutdown() returned (within a deadline far beyond any poll)."""
    stopper = threading.Thread(target=server.shutdown, daemon=True)
    stopper.start()
    stopper.join(20)
    return not stopper.is_alive()


def test_a_loop_that_never_polls_answers_then_stops_when_asked() -> None:
    # The standard library's loop would wait for a request to see the shutdown: forever.
    server = _Server(("127.0.0.1", 0), _Hello)
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": None},
                            daemon=True)
    loop.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    assert requests.get(url, timeout=10).text == "hi"
    assert stops(server)
    loop.join(10)
    assert not loop.is_alive()
    server.server_close()


def test_a_stopped_loop_can_serve_again_and_stop_again() -> None:
    server = _Server(("127.0.0.1", 0), _Hello)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    for _ in range(2):
        loop = threading.Thread(target=server.serve_forever, daemon=True)
        loop.start()
        assert requests.get(url, timeout=10).text == "hi"
        assert stops(server)
        loop.join(10)
    server.server_close()


def test_a_server_never_started_stops_at_once() -> None:
    # as the standard library's does: a stop after a failed start must not hang
    server = _Server(("127.0.0.1", 0), _Hello)
    assert stops(server)
    server.server_close()


def test_a_stand_in_stops_with_its_loop_ended() -> None:
    stand_in = EnvironmentStandIn("stage").start()
    assert requests.get(stand_in.url + "/__lbheartbeat__", timeout=10).status_code == 200
    stand_in.stop()
    assert not any(t.name == f"environment:{stand_in.port}" and t.is_alive()
                   for t in threading.enumerate())
