"""A clean stop of `loopbot run` at rest says nothing about busy threads: the pools' idle
threads are not work left behind (QA saw "not waiting for N busy thread(s)" on every
stop). Driven as OPS does: a process of its own, a signed Slack command, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.sandbox.served import config_for, first_json_line, secrets_of
from bot.sandbox.served import loopbot as process
from tests.e2e.test_loopbot_run_process import ROOT, eventually, signed_command
from tests.fixtures.processes import ResponseUrls
from tests.fixtures.store import migrated_sqlite_url


def test_a_stop_at_rest_does_not_count_idle_threads_as_busy(
    sandbox_where: dict[str, Any], response_urls: ResponseUrls, tmp_path: Path,
) -> None:
    migrated_sqlite_url(tmp_path / "loopbot.db")  # `loopbot db upgrade` is not the point here
    secrets = secrets_of(sandbox_where, tmp_path / "loopbot.db")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **secrets, "LOG_FORMAT": "json",
           "LOG_LEVEL": "INFO"}
    config = config_for(sandbox_where, tmp_path / "app.yaml")
    subprocess.run([sys.executable, "-m", "bot.entrypoints.cli", "import", "--config",
                    str(config)], cwd=tmp_path, env=env, check=True, timeout=120,
                   capture_output=True)
    with process(["run", "--config", str(config), "--port", "0"], tmp_path, env) as bot:
        started = first_json_line(bot)
        for text in ("help", "status", "envs"):  # the pools start threads, then idle
            answer = signed_command(started["slack"], secrets["SLACK_SIGNING_SECRET"],
                                    "U0QA00001", text, response_urls.url)
            assert answer.status_code == 200
        eventually(lambda: len(response_urls.answers) >= 3, seconds=30)
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=30) == 0
        assert bot.stderr is not None
        logs = [json.loads(line) for line in bot.stderr.read().splitlines()]
    said = [str(r["Fields"].get("msg", "")) for r in logs]
    assert "stopped" in said, said[-10:]
    assert not [s for s in said if "busy thread" in s], said[-10:]
