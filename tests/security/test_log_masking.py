"""Issue 17: secrets in JSON logs, and masking that over-reached. The JSON (mozlog)
formatter rebuilds `error` and `traceback` from the exception and copies every extra
field, so the filter must make all of them safe; and a short or common-word password is
masked where it stands (its URL, its header, its field), never as free text."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.entrypoints.scheduler import _job_store
from bot.logs import formatter_for
from bot.redaction import MASK, Redactor, mask_credentials
from bot.store.engine import parse_url
from tests.fixtures.store import fresh_postgres_database, postgres_server_url

REPO = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-1100-9a8b7c6d5e"  # a made-up Slack bot token
KEY = "bzkey-5F2a9Q7w"  # a made-up Bugzilla API key


@pytest.fixture
def json_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing mozlog JSON through the bot's formatter and Redactor."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(formatter_for("json"))
    handler.addFilter(Redactor([TOKEN, KEY, "loop"]))
    logger = logging.getLogger("loopbot.test.masking")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    yield logger, written
    logger.removeHandler(handler)


def test_json_log_masks_the_exception_and_every_extra_field(
    json_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, written = json_log
    try:
        raise RuntimeError(f"Slack refused token {TOKEN} for bugzilla key {KEY}")
    except RuntimeError:
        logger.exception("posting failed", extra={
            "request_headers": {"Authorization": f"Bearer {TOKEN}"},
            "url": f"https://bugzilla.example/rest/bug?Bugzilla_api_key={KEY}",
            "tried": [f"token={TOKEN}"],
            "database": "postgres://loop:loop@db.internal/loopbot",
        })
    line = written.getvalue()
    assert TOKEN not in line and KEY not in line and ":loop@" not in line
    fields = json.loads(line)["Fields"]
    assert MASK in fields["error"] and MASK in fields["traceback"]
    assert fields["request_headers"] == {"Authorization": f"Bearer {MASK}"}
    assert fields["url"].endswith(f"Bugzilla_api_key={MASK}")
    assert fields["tried"] == [f"token={MASK}"]
    assert fields["database"] == f"postgres://loop:{MASK}@db.internal/loopbot"
    assert fields["msg"] == "posting failed"


def test_a_short_common_word_password_is_masked_only_where_it_stands(
    json_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, written = json_log
    logger.info("loopbot started on postgres://loop:loop@db.internal/loopbot")
    fields = json.loads(written.getvalue())["Fields"]
    assert fields["msg"] == f"loopbot started on postgres://loop:{MASK}@db.internal/loopbot"


@pytest.mark.parametrize(("text", "shown"), [
    ("Can't load plugin: sqlalchemy.dialects:postgres",
     "Can't load plugin: sqlalchemy.dialects:postgres"),
    ("postgres://u:p@127.0.0.1:1/x", f"postgres://u:{MASK}@127.0.0.1:1/x"),
    ("Authorization: Bearer xoxb-1", f"Authorization: Bearer {MASK}"),
    ("{'password': 'loop'}", f"{{'password': '{MASK}'}}"),
    ("the signing secret: missing", "the signing secret: missing"),
    ("https://example.org/a:b@c", "https://example.org/a:b@c"),  # a path, not a login
])
def test_credentials_are_masked_where_they_stand(text: str, shown: str) -> None:
    assert mask_credentials(text) == shown


def _loopbot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.entrypoints.cli", *args,
                           "--config", str(REPO / "app.yaml")],
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO), **env},
                          capture_output=True, text=True, timeout=60)


def test_db_upgrade_with_a_one_letter_password_masks_only_the_password(tmp_path: Path) -> None:
    done = _loopbot("db", "upgrade", cwd=tmp_path,
                    env={"DATABASE_URL": "postgres://u:p@127.0.0.1:1/x"})
    assert done.returncode != 0
    said = done.stderr.strip()
    # postgres:// is read as PostgreSQL with psycopg 3: the failure is the closed port
    assert said.startswith("loopbot: cannot use database postgresql+psycopg://u:***@127.0.0.1:1/x")
    assert "connection" in said.lower() and "\n" not in said
    assert "***lugin" not in said and ":p@" not in said


def test_the_scheduler_reads_postgres_urls_as_the_store_does() -> None:
    store = _job_store("postgres://u:secretpw@db.internal/loopbot")
    assert store.engine.url.drivername == "postgresql+psycopg"
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("sqlite:///x.db").drivername == "sqlite"


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_db_upgrade_accepts_postgres_and_postgresql_urls(scheme: str, tmp_path: Path) -> None:
    for url in fresh_postgres_database(postgres_server_url(), migrated=False):
        plain = f"{scheme}://{url.split('://', 1)[1]}"
        done = _loopbot("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": plain})
        assert done.returncode == 0, done.stderr
        assert "schema at revision" in done.stdout and "(the newest)" in done.stdout
        current = _loopbot("db", "current", cwd=tmp_path, env={"DATABASE_URL": plain})
        assert current.returncode == 0, current.stderr


def _without_write_rights() -> list[str]:
    """Run as root without the capabilities that let root write anywhere (as a container's
    user 10001 on a root-owned bind mount); a non-root user needs nothing."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_a_data_directory_the_bot_cannot_write_is_said_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    url = f"sqlite:///{data / 'loopbot.db'}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DATABASE_URL": url,
           "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "s3cr3t-signing",
           "GITHUB_TOKEN": "ghp_unused4242", "BUGZILLA_API_KEY": KEY}
    for command in (["db", "upgrade"], ["run", "--port", "0"]):
        done = subprocess.run(
            [*_without_write_rights(), sys.executable, "-m", "bot.entrypoints.cli", *command,
             "--config", str(REPO / "app.yaml")],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            f"loopbot: cannot use database {url}: {data} is not writable by the bot's user "
            f"(uid {os.geteuid()}): chown it to that user, or mount a directory it owns"]
    data.chmod(0o755)
