"""What a `loopbot` command imports before it answers: a refusal (a missing secret or
configuration) is said before the libraries of what was refused are loaded, and `db`
never loads Slack's or the partners' libraries. Each costs CPU on every start (about 1 s
for Bolt with PyGithub and python-bugzilla, 0.4 s for SQLAlchemy with Alembic)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The real command's main(), then the top-level packages it had imported, as stderr's last line.
PROBE = ("import json, sys\n"
         "from bot.entrypoints.cli import main\n"
         "code = main(sys.argv[1:])\n"
         "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
         "sys.exit(code)\n")
SLACK_AND_PARTNERS = {"slack_bolt", "slack_sdk", "github", "bugzilla", "waitress",
                      "apscheduler"}


def loopbot(*args: str, cwd: Path, **env: str) -> tuple[subprocess.CompletedProcess[str],
                                                         set[str]]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LOOPBOT_CONFIG", "DATABASE_URL", "SLACK_BOT_TOKEN",
                          "SLACK_SIGNING_SECRET", "GITHUB_TOKEN", "BUGZILLA_API_KEY")}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env={**clean, "PYTHONPATH": str(ROOT), **env})
    *said, loaded = done.stderr.splitlines()
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout,
                                       "\n".join(said)), set(json.loads(loaded))


def test_run_without_its_secrets_refuses_before_loading_slack_partners_or_the_database(
    tmp_path: Path,
) -> None:
    done, loaded = loopbot("run", "--port", "0", "--config", str(ROOT / "app.yaml"),
                           cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-4242-not-printed")
    assert done.returncode == 2
    assert done.stderr == ("loopbot: cannot start: set the environment variable(s) "
                           "SLACK_SIGNING_SECRET, GITHUB_TOKEN, BUGZILLA_API_KEY")
    assert not loaded & (SLACK_AND_PARTNERS | {"sqlalchemy", "alembic"})


def test_run_on_a_database_without_the_schema_refuses_before_loading_slack(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'loopbot.db'}"
    done, loaded = loopbot("run", "--port", "0", "--config", str(ROOT / "app.yaml"),
                           cwd=tmp_path, DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-4243-x",
                           SLACK_SIGNING_SECRET="s3cr3t-4243", GITHUB_TOKEN="ghp_4243",
                           BUGZILLA_API_KEY="bzkey-4243")
    assert done.returncode == 2
    assert "has no loopbot schema yet" in done.stderr and "loopbot db upgrade" in done.stderr
    assert not loaded & SLACK_AND_PARTNERS


def test_db_commands_load_neither_slack_nor_the_partners_nor_icalendar(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'loopbot.db'}"
    done, loaded = loopbot("db", "check", "--config", str(ROOT / "app.yaml"), cwd=tmp_path,
                           DATABASE_URL=url)
    assert done.returncode == 1 and "no loopbot schema yet" in done.stderr
    assert not loaded & (SLACK_AND_PARTNERS | {"icalendar"})
    missing, loaded = loopbot("db", "current", cwd=tmp_path)
    assert missing.returncode == 2 and "app.yaml: no such configuration file" in missing.stderr
    assert not loaded & {"sqlalchemy", "alembic", "sqlmodel"}


def test_init_loads_no_configuration_models(tmp_path: Path) -> None:
    done, loaded = loopbot("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "app.yaml").read_bytes() == (ROOT / "app.yaml").read_bytes()
    assert not loaded & {"pydantic", "yaml", "sqlalchemy", "icalendar"}
