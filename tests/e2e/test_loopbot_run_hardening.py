"""`loopbot run` (bot/entrypoints/production.py, on waitress, in this process) as an attacker
and OPS meet it over HTTP (issue 17): behind a proxy the board and the calendar are never open
without WEB_TOKEN, the token's cookie is Secure behind TLS at the proxy, every answer
carries the security headers, and the event loop waits for its sockets instead of
spinning. tests/e2e/test_loopbot_run_process_hardening.py does the same with a process."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from bot.config.server import ServerSettings
from bot.config.settings import Settings
from bot.entrypoints.production import ProductionServer, run
from bot.sandbox.world import Sandbox
from bot.store.schema import upgrade

TOKEN = "board-token-5d1e9a7c3b"
CLIENT = "203.0.113.9"  # a machine elsewhere, as the proxy reports it
PROXY_HEADERS = [{"X-Forwarded-For": CLIENT}, {"Forwarded": f"for={CLIENT}"},
                 {"X-Real-IP": CLIENT}, {"Forwarded": f"for={CLIENT};proto=https"},
                 {"X-Original-Forwarded-For": CLIENT},  # ingress-nginx passes it on
                 {"Client-IP": CLIENT}, {"Fastly-Client-IP": CLIENT}]
READ = ["/", "/releases/loop-server/0.12.2", "/calendar.ics", "/calendar.json"]


@contextmanager
def running(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], *,
            token: str | None = None, server: ServerSettings | None = None
            ) -> Iterator[str]:
    """`loopbot run` on 127.0.0.1 against a fresh sandbox; yields its base URL."""
    stop = threading.Event()
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        bot = sandbox.settings(settings, database_url=f"sqlite:///{tmp_path / 'bot.db'}")
        secrets = bot.secrets.model_copy(update={"web_token": token and SecretStr(token)})
        bot = bot.model_copy(update={"secrets": secrets,
                                     "server": server or ServerSettings()})
        upgrade(bot.db_url)
        serving = threading.Thread(target=run, args=(bot,), daemon=True, kwargs={
            "port": 0, "stop": stop, "version_dir": tmp_path})
        serving.start()
        try:
            yield _started(capsys)["url"]
        finally:
            stop.set()
            serving.join(timeout=30)
    assert not serving.is_alive()


def _started(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    seen = ""
    for _ in range(400):
        seen += capsys.readouterr().out
        for line in seen.splitlines():
            if line.startswith("{"):
                return dict(json.loads(line))
        time.sleep(0.05)
    raise AssertionError(f"loopbot run did not start: {seen!r}")


def test_without_a_token_what_came_through_a_proxy_is_refused(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with running(settings, tmp_path, capsys) as url:
        for path in READ:  # from this machine, directly: open
            assert requests.get(url + path, timeout=10).status_code == 200, path
        for path in READ:
            for headers in PROXY_HEADERS:
                answer = requests.get(url + path, headers=headers, timeout=10)
                assert answer.status_code == 403, (path, headers, answer.status_code)
                assert "set WEB_TOKEN" in answer.text
        assert requests.get(url + "/health", headers=PROXY_HEADERS[0],
                            timeout=10).status_code == 200  # outside the token check


def test_without_a_token_a_trusted_proxy_keeps_the_board_and_the_calendar_shut(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    proxy = ServerSettings(trusted_proxy="127.0.0.1")
    with running(settings, tmp_path, capsys, server=proxy) as url:
        for path in READ:  # even with no proxy header: the proxy makes them reachable
            answer = requests.get(url + path, timeout=10)
            assert answer.status_code == 403, (path, answer.status_code)
            assert "set WEB_TOKEN" in answer.text


def test_every_answer_carries_the_security_headers_and_no_404_repeats_what_was_asked(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with running(settings, tmp_path, capsys) as url:
        answers = [requests.get(url + p, timeout=15) for p in (
            "/nope", "/calendar.ics", "/calendar.json", "/health", "/__version__",
            "/__heartbeat__", "/__lbheartbeat__", "/static/board.css", "/",
            "/releases/loop-server/0.99.0", "/calendar.ics?service=<script>alert(1)</script>",
            "/slack/events")]
        answers += [requests.post(url + "/", timeout=10),
                    requests.post(url + "/slack/events", data="x=1", timeout=10),
                    requests.get(url + "/", headers=PROXY_HEADERS[0], timeout=10)]
        for answer in answers:
            where = (answer.request.method, answer.request.path_url, answer.status_code)
            assert answer.headers.get("Content-Security-Policy", "").startswith(
                "default-src 'none';"), where
            assert answer.headers.get("X-Content-Type-Options") == "nosniff", where
        assert {a.status_code for a in answers} >= {200, 401, 403, 404, 405}
        unknown = requests.get(url + "/calendar.ics?service=<script>alert(1)</script>",
                               timeout=10)
        assert unknown.status_code == 404
        assert unknown.json() == {"error": "no such service; the services are: "
                                           "loop-server, loop-client"}


def test_behind_tls_at_an_untrusted_proxy_the_token_needed_and_its_cookie_is_secure(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with running(settings, tmp_path, capsys, token=TOKEN) as url:
        proxied = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}
        assert requests.get(url + "/", headers=proxied, timeout=10).status_code == 401
        opened = requests.get(f"{url}/?token={TOKEN}", headers=proxied, timeout=10,
                              allow_redirects=False)
        assert opened.status_code == 303
        assert "; Secure" in opened.headers["Set-Cookie"]
        plain = requests.get(f"{url}/?token={TOKEN}", timeout=10, allow_redirects=False)
        assert "Secure" not in plain.headers["Set-Cookie"]  # plain HTTP, no proxy: no TLS


def test_with_a_trusted_proxy_the_board_needs_the_token_and_the_proxys_https_counts(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    proxy = ServerSettings(trusted_proxy="127.0.0.1")
    with running(settings, tmp_path, capsys, token=TOKEN, server=proxy) as url:
        # the proxy is this machine: whatever it forwards comes from elsewhere
        assert requests.get(url + "/", timeout=10).status_code == 401
        assert requests.get(url + "/calendar.ics", timeout=10).status_code == 401
        proxied = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}
        opened = requests.get(f"{url}/?token={TOKEN}", headers=proxied, timeout=10,
                              allow_redirects=False)
        assert opened.status_code == 303
        assert "; Secure" in opened.headers["Set-Cookie"]
        cookie = opened.headers["Set-Cookie"].split(";")[0]
        board = requests.get(url + "/", headers={**proxied, "Cookie": cookie}, timeout=10)
        assert board.status_code == 200 and 'data-env="prod"' in board.text
        assert requests.get(url + "/health", headers=proxied, timeout=10).json() == {"ok": True}


def test_the_event_loop_waits_for_its_sockets_instead_of_spinning() -> None:
    """issue 17: asyncore_loop_timeout=0.2 became 0 in waitress (an int setting), so the
    loop polled without pause, a core busy at rest (bench/idle_cpu.py measures it)."""

    def hello(environ: object, start_response: object) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "2")])  # type: ignore[operator]
        return [b"ok"]

    with ProductionServer(hello) as server:
        assert requests.get(server.url + "/", timeout=5).text == "ok"
        assert server.loop_timeout >= 1
