"""`loopbot db upgrade|current|check` run as subprocesses, the way OPS and a container's
start script call them, on the database named by DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_YAML = ROOT / "app.yaml"


def loopbot_db(command: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "db", command, "--config", str(APP_YAML)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "DATABASE_URL": url},
    )


def test_check_refuses_then_upgrade_creates_the_schema_and_check_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'loopbot.db'}"
    refused = loopbot_db("check", url)
    assert refused.returncode == 1
    assert "no loopbot schema yet" in refused.stderr
    assert "run `loopbot db upgrade` first" in refused.stderr
    assert loopbot_db("current", url).stdout.startswith("none (newest: ")

    upgraded = loopbot_db("upgrade", url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "schema at revision" in upgraded.stdout and "(the newest)" in upgraded.stdout
    assert loopbot_db("check", url).returncode == 0
    current = loopbot_db("current", url).stdout.split()
    assert current[0] == current[-1].rstrip(")")  # "0002 (newest: 0002)"


def test_an_unreachable_database_is_one_line_without_its_password() -> None:
    url = "postgresql+psycopg://loopbot:s3cret-pw@127.0.0.1:9/loopbot"
    done = loopbot_db("upgrade", url)
    assert done.returncode == 2
    assert done.stderr.startswith("loopbot: cannot use database postgresql+psycopg://loopbot:***@")
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_a_database_loopbot_does_not_support_is_named_as_such() -> None:
    """`DATABASE_URL=mysql://...` answered "ModuleNotFoundError: No module named 'MySQLdb'",
    as if a package were missing."""
    done = loopbot_db("check", "mysql://loopbot:s3cret-pw@db.internal/loopbot")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "loopbot: cannot use database mysql://loopbot:***@db.internal/loopbot: loopbot keeps "
        "its data in SQLite or PostgreSQL (accepted: sqlite:///PATH, "
        "postgresql://USER:PASSWORD@HOST/DB (or postgres://, postgresql+psycopg://))"]
