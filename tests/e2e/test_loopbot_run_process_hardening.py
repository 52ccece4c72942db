"""`loopbot run` as OPS runs it (a process, configured by app.yaml and the environment,
against `loopbot sandbox serve`), reached over HTTP as from behind a proxy (issue 17):
without WEB_TOKEN and with no trusted proxy, a request carrying a proxy header never
reads the board or the calendar; with `server.trusted_proxy` in app.yaml and WEB_TOKEN,
the proxy's `X-Forwarded-Proto: https` makes the token's cookie Secure; every answer
carries the security headers."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import yaml

from bot.sandbox.served import config_for, first_json_line, secrets_of
from bot.sandbox.served import loopbot as process
from tests.fixtures.store import migrated_sqlite_url

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "proxy-board-token-8c2f61"
CLIENT = "203.0.113.9"


@contextmanager
def loopbot_run(config: Path, workdir: Path, env: dict[str, str]
                ) -> Iterator[str]:
    with process(["run", "--config", str(config), "--port", "0"], workdir, env) as bot:
        yield first_json_line(bot)["url"]
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=30) == 0


def test_loopbot_run_behind_a_proxy_keeps_the_board_shut_and_secures_the_cookie(
    sandbox_where: dict[str, Any], tmp_path: Path,
) -> None:
    migrated_sqlite_url(tmp_path / "loopbot.db")  # `loopbot db upgrade` is not the point here
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING",
           **secrets_of(sandbox_where, tmp_path / "loopbot.db")}
    config = config_for(sandbox_where, tmp_path / "app.yaml")

    with loopbot_run(config, tmp_path, env) as url:  # no WEB_TOKEN, no proxy trusted
        assert requests.get(url + "/", timeout=10).status_code == 200
        for headers in ({"X-Forwarded-For": CLIENT}, {"X-Real-IP": CLIENT},
                        {"Forwarded": f"for={CLIENT};proto=https"}):
            for path in ("/", "/calendar.ics"):
                answer = requests.get(url + path, headers=headers, timeout=10)
                assert answer.status_code == 403, (path, headers)
        for answer in (requests.get(url + "/nope", timeout=10),
                       requests.post(url + "/", timeout=10),
                       requests.get(url + "/__lbheartbeat__", timeout=10),
                       requests.get(url + "/calendar.ics", timeout=10)):
            assert "Content-Security-Policy" in answer.headers, answer.request.path_url
            assert answer.headers["X-Content-Type-Options"] == "nosniff"

    behind = yaml.safe_load(config.read_text(encoding="utf-8"))
    behind["server"] = {"trusted_proxy": "127.0.0.1",
                        "trusted_proxy_headers": ["x-forwarded-for", "x-forwarded-proto"]}
    config.write_text(yaml.safe_dump(behind, sort_keys=False), encoding="utf-8")
    with loopbot_run(config, tmp_path, {**env, "WEB_TOKEN": TOKEN}) as url:
        assert requests.get(url + "/", timeout=10).status_code == 401
        proxied = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}
        opened = requests.get(f"{url}/?token={TOKEN}", headers=proxied, timeout=10,
                              allow_redirects=False)
        assert opened.status_code == 303 and "; Secure" in opened.headers["Set-Cookie"]
        assert TOKEN not in opened.headers["Set-Cookie"]
