"""Hostile /loop lines (issue 8 item 3): what reading them costs, beside a reference.

Prints, for the longest line the bot reads (grammar.MAX_TEXT characters) in its worst
shapes, the time loopbot's splitter takes and the time `shlex.split` (what it used before)
takes on the same line; then the time a signed 1 MB command takes to be answered over
HTTP, beside a signed `/loop help`. Everything runs on 127.0.0.1 and stops by itself.
Run: .venv/bin/python bench/hostile_lines.py
"""

from __future__ import annotations

import shlex
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.config.settings import load_settings
from bot.entrypoints.app import create_app
from bot.entrypoints.server import serve
from bot.entrypoints.wiring import build_context
from bot.sandbox.slack.signed import SlackRequests
from bot.sandbox.world import SIGNING_SECRET, Sandbox
from bot.store.schema import upgrade
from handlers.grammar.parser import MAX_TEXT
from handlers.grammar.words import split

SHAPES = {
    "one long word": "x" * MAX_TEXT,
    "many words": "ab " * (MAX_TEXT // 3),
    "one long quoted text": '"' + "y" * (MAX_TEXT - 2) + '"',
    "glued quotes": '"a"' * (MAX_TEXT // 3),
}


def best_of(runs: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return min(timings)


def reading() -> None:
    print(f"splitting a {MAX_TEXT}-character line (best of 20, ms): loopbot vs shlex")
    for name, line in SHAPES.items():
        ours = best_of(20, lambda line=line: split(line)) * 1000
        theirs = best_of(20, lambda line=line: shlex.split(line)) * 1000
        print(f"  {name:22} {ours:8.3f}  {theirs:8.3f}  ({theirs / ours:.0f}x)")
    for size in (1_000, 10_000, 100_000):
        line = "x" * size
        ours = best_of(5, lambda line=line: split(line)) * 1000
        print(f"  one word of {size:>7,} chars: {ours:8.3f} ms (linear: x10 per row)")


def answering() -> None:
    root = Path(tempfile.mkdtemp(prefix="loopbot-bench-"))
    base = load_settings(Path(__file__).resolve().parents[1] / "app.yaml", environ={})
    with Sandbox.start(base, state_dir=root / "sandbox") as sandbox:
        settings = sandbox.settings(base, database_url=f"sqlite:///{root / 'bot.db'}")
        upgrade(settings.db_url)
        ctx = build_context(settings)
        app = create_app(settings, ctx=ctx, slack_api_url=sandbox.slack.api_url)
        server = serve(app)
        signed = SlackRequests(server.slack_url, SIGNING_SECRET, sandbox.slack, timeout=60)
        try:
            for label, text in (("/loop help", "help"), ("1 MB line", "1" * 1_000_000)):
                timings = []
                for _ in range(5):
                    began = time.perf_counter()
                    answer = signed.command("U0DEV0001", text)
                    timings.append(time.perf_counter() - began)
                    assert answer.status_code == 200, answer.status_code
                    assert app.drain(60)
                print(f"  answered {label:12} median {statistics.median(timings) * 1000:8.1f} ms")
        finally:
            server.stop()
            app.close()
            ctx.store.dispose()


def main() -> int:
    reading()
    print("signed commands over HTTP (median of 5, ms): the ack, a normal line vs 1 MB")
    answering()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
