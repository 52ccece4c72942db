"""The sandbox's `!bug` echoes a summary as the bot writes partner text (one line, clipped
by bot/domain/errors.one_line) and refuses a summary longer than Bugzilla takes, in one
line, filing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.domain.errors import LINE_LIMIT
from tests.e2e.test_sandbox_chat import ROOT, play


def test_a_long_summary_is_clipped_and_an_absurd_one_refused(tmp_path: Path) -> None:
    long, absurd = "Rooms leak " + "m" * 200, "x" * 20_000
    lines = f"!bug {long}\n!bug {absurd}\n!bug Short one\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", "--config",
         str(ROOT / "app.yaml")],
        input=lines, capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout.splitlines()
    filed = next(line for line in out if line.startswith("(filed bug 1100001: Rooms leak"))
    assert filed.endswith("…)") and len(filed) == len("(filed bug 1100001: )") + LINE_LIMIT
    refused = [line for line in out if line.startswith("!bug: ")]
    assert refused == ["!bug: a bug summary is 20,000 characters long; Bugzilla takes 255 "
                       "at most; usage: !bug SUMMARY"]
    assert "(filed bug 1100002: Short one)" in out  # the refused one filed nothing
    assert max(len(line) for line in out if not line.startswith("> ")) < 1000  # "> ": typed
    assert play(f"!bug {absurd}\n", tmp_path)[0]["error"].startswith("a bug summary is 20,000")
