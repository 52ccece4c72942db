"""Fixtures of the hostile-request suite: a server standing for an attacker's host, which
records every request the bot might be tricked into sending it."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.prompt_shutdown import PromptShutdown
from bot.sandbox.world import SIGNING_SECRET
from tests.fixtures.app import LoopWorld

FORM = "application/x-www-form-urlencoded"


class _Server(PromptShutdown, ThreadingHTTPServer):
    pass


@dataclass
class Attacker:
    url: str
    received: list[str] = field(default_factory=list)


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    seen: list[str] = []

    class Record(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen.append(f"{self.path} {self.rfile.read(length)!r}")
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Attacker(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def signed_post(world: LoopWorld, raw: bytes, content_type: str = FORM,
                **headers: str) -> requests.Response:
    """POST `raw` to the bot's request URL, signed with its secret over the exact bytes
    (so bodies that are not UTF-8 can be sent too)."""
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}", **headers}
    return requests.post(world.server.slack_url, data=raw, headers=sent, timeout=30)


def state(world: LoopWorld) -> dict[str, int]:
    """Everything a request could change, counted: the bot's tables (claims aside: they
    record that a request was seen), the partners' writes, the channel's messages."""
    counts = {}
    engine = create_engine(world.settings.db_url)
    with engine.connect() as conn:
        for table in ("releases", "tickets", "audit", "steps"):
            counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    for name, standin in (("github", world.sandbox.github), ("bugzilla",
                                                               world.sandbox.bugzilla)):
        counts[name] = sum(standin.count(m) for m in ("POST", "PUT", "PATCH", "DELETE"))
    counts["channel"] = len(world.channel())
    return counts


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    return [r.getMessage() for r in records if r.exc_info or r.levelno >= logging.ERROR]
