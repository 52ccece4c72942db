"""`loopbot sandbox` typed at a terminal (a pseudo-terminal here, as `make run` gives a
person): the prompt edits lines and recalls the previous ones with the arrow keys, as
any shell does (found using it: the up arrow was sent to the bot as `^[[A`)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UP = b"\x1b[A"


def read_until(fd: int, wanted: bytes, times: int, seen: bytearray) -> None:
    """Read what the process prints until `wanted` was printed `times` times (90 s at most)."""
    deadline = time.monotonic() + 90
    while seen.count(wanted) < times and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the process is gone
                return


def test_the_up_arrow_recalls_the_last_line(tmp_path: Path) -> None:
    main, tty = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "LOG_LEVEL": "WARNING"}
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", "--dir", str(tmp_path / "s"),
         "--start", "2026-12-01 10:00"],
        stdin=tty, stdout=tty, stderr=tty, cwd=tmp_path, env=env, close_fds=True)
    os.close(tty)
    seen = bytearray()
    try:
        read_until(main, b"Ctrl-D to leave", 1, seen)
        os.write(main, b"/loop calendar\r")
        read_until(main, b"\n> ", 2, seen)  # the answer, then the prompt
        os.write(main, UP + b"\r")  # the same line again
        read_until(main, b"In flight", 2, seen)
        read_until(main, b"\n> ", 3, seen)  # the prompt is back
        os.write(main, b"\x04")  # Ctrl-D
        assert bot.wait(timeout=60) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
        os.close(main)
    shown = seen.decode(errors="replace")
    assert shown.count("release calendar") == 2, shown
    assert "say `/loop" not in shown and "^[[A" not in shown
