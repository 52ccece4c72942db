"""What a serving `loopbot` process has imported once it is up: the libraries it needs
only later are left for later. Alembic with Mako only where a schema is made (the check
at `run`'s start reads the newest revision from bot/store/migrations' files), Jinja2 at
the board's first page, icalendar at the first ICS. Read from `python -X importtime`,
which lists on stderr every module the real process imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from bot.sandbox.served import config_for, first_json_line, secrets_of

ROOT = Path(__file__).resolve().parents[2]
LOOPBOT = [sys.executable, "-X", "importtime", "-m", "bot.entrypoints.cli"]
LATER = {"alembic", "mako", "jinja2", "icalendar"}


def imported(stderr: str) -> set[str]:
    """The top-level packages named by -X importtime's lines."""
    return {line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in stderr.splitlines() if line.startswith("import time:")}


def test_run_and_db_upgrade_on_a_current_schema_start_without_alembic_or_jinja2(
    sandbox_where: dict[str, Any], tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **secrets_of(sandbox_where,
                                                               tmp_path / "loopbot.db")}
    config = ["--config", str(config_for(sandbox_where, tmp_path / "app.yaml"))]

    made = subprocess.run([*LOOPBOT, "db", "upgrade", *config], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr[-2000:]
    assert {"alembic", "mako"} <= imported(made.stderr)  # an empty database: every revision
    again = subprocess.run([*LOOPBOT, "db", "upgrade", *config], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not imported(again.stderr) & LATER

    log = tmp_path / "run.stderr"
    with log.open("w", encoding="utf-8") as stderr:
        bot = subprocess.Popen([*LOOPBOT, "run", "--port", "0", *config], cwd=tmp_path,
                               env=env, text=True, stdout=subprocess.PIPE, stderr=stderr)
        try:
            base = first_json_line(bot)["url"]
            at_start = imported(log.read_text(encoding="utf-8"))  # -X importtime: unbuffered
            page = requests.get(f"{base}/", timeout=15)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
    assert {"sqlalchemy", "slack_bolt", "github", "bugzilla"} <= at_start
    assert not at_start & LATER
    assert page.status_code == 200 and "<main" in page.text
    assert "jinja2" in imported(log.read_text(encoding="utf-8"))  # with the first page
