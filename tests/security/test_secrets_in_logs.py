"""Issue 8 item 7: no secret in any log line, at DEBUG too. The Bugzilla key travels in a
header (never in a URL, which urllib3 logs at DEBUG), and a filter on the log handlers
redacts every configured secret from every record, whatever its level or source."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from bot.partners.bugzilla import BugzillaTracker
from bot.redaction import MASK, Redactor
from bot.sandbox.bugzilla.standin import SANDBOX_KEY, BugzillaStandIn
from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN
from bot.sandbox.world import GITHUB_TOKEN, SIGNING_SECRET
from tests.fixtures.store import migrated_sqlite_url

REPO = Path(__file__).resolve().parents[2]
SECRETS = (SANDBOX_KEY, GITHUB_TOKEN, SANDBOX_BOT_TOKEN, SIGNING_SECRET)


def test_the_bugzilla_key_travels_in_a_header_never_in_a_url(
    bugzilla_standin: BugzillaStandIn, tracker: BugzillaTracker,
) -> None:
    bug = tracker.file_ticket("Loop — Please deploy loop-server 0.13.0 to Stage", "notes", [])
    tracker.set_status(bug, "RESOLVED", "FIXED")
    assert tracker.bug(bug).status == "RESOLVED"
    sent = [r for r in bugzilla_standin.requests if r.path.startswith("/rest")]
    assert sent and all("Bugzilla_api_key" not in r.query and "api_key" not in r.query
                        for r in sent)


def test_the_filter_redacts_messages_arguments_and_tracebacks() -> None:
    redactor = Redactor(["s3cr3t-key/+="])
    record = logging.LogRecord("urllib3", logging.DEBUG, __file__, 1,
                               "GET /rest/bug?Bugzilla_api_key=%s %s", (
                                   quote("s3cr3t-key/+=", safe=""), "s3cr3t-key/+="), None)
    try:
        raise ValueError("bad key s3cr3t-key/+=")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert redactor.filter(record)
    shown = logging.Formatter().format(record)
    assert "s3cr3t" not in shown and shown.count(MASK) >= 3


SCRIPT = """
import io, json, logging, sys, threading, time
from pathlib import Path
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                    format="%(levelname)s %(name)s %(message)s")
from bot.config.settings import load_settings
from bot.sandbox.slack.signed import SlackRequests, buttons
from bot.sandbox.world import SIGNING_SECRET, Sandbox
from bot.entrypoints.production import run

root = Path(sys.argv[1])
base = load_settings(Path(sys.argv[2]), environ={})
printed = io.StringIO()
real_stdout, sys.stdout = sys.stdout, printed
with Sandbox.start(base, state_dir=root / "sandbox") as sandbox:
    settings = sandbox.settings(base, database_url=f"sqlite:///{root / 'bot.db'}")
    stop = threading.Event()
    serving = threading.Thread(target=run, args=(settings,), kwargs={
        "port": 0, "stop": stop})
    serving.start()
    while "{" not in printed.getvalue():
        time.sleep(0.05)
    started = json.loads(printed.getvalue().splitlines()[-1])
    signed = SlackRequests(started["slack"], SIGNING_SECRET, sandbox.slack)

    def wait(found):
        deadline = time.monotonic() + 30
        while not found() and time.monotonic() < deadline:
            time.sleep(0.05)
        return found()

    signed.command("U0DEV0001", "tag 0.13.0")
    preview = wait(lambda: sandbox.slack.ephemerals("U0DEV0001"))[-1]
    signed.click("U0DEV0001", preview, buttons(preview)[0])
    wait(lambda: [m for m in sandbox.slack.messages("#loop") if "tagged by" in m.text])
    signed.command("U0DEV0001", "request stage 0.13.0")
    wait(lambda: [m for m in sandbox.slack.messages("#loop") if "ticket filed" in m.text])
    sandbox.environment("loop-server", "stage").deploy("0.13.0", "f" * 40, "0.13.0")
    signed.command("U0OPS0001", "deployed stage 0.13.0")
    wait(lambda: [m for m in sandbox.slack.messages("#loop") if "deployed on" in m.text])
    stop.set()
    serving.join(30)
sys.stdout = real_stdout
print("done")
"""


def test_the_whole_process_at_debug_logs_no_secret(tmp_path: Path) -> None:
    migrated_sqlite_url(tmp_path / "bot.db")  # what `loopbot db upgrade` makes
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), str(REPO / "app.yaml")],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.stdout.strip() == "done", done.stderr[-3000:]
    logged = done.stderr
    assert "DEBUG urllib3.connectionpool" in logged  # DEBUG really was on
    assert "POST /rest/bug " in logged and "PUT /rest/bug/" in logged
    assert "/git/refs" in logged  # GitHub was called too
    for secret in SECRETS:
        for form in (secret, quote(secret, safe="")):
            assert form not in logged, f"{secret[:4]}… is in the log"
