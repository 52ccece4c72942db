"""`loopbot import` as a user runs it, and the first start of `loopbot run`, against the
sandbox's stand-ins: the releases made before the bot are learned once (issue 9)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.entrypoints.production import run
from bot.sandbox.world import Sandbox
from bot.store import Store
from tests.fixtures.processes import ImportWorld
from tests.fixtures.store import migrated_sqlite_url


def test_import_from_the_command_line_then_again(import_world: ImportWorld,
                                                tmp_path: Path) -> None:
    loopbot, sandbox = import_world.run_import, import_world.sandbox
    not_upgraded = loopbot(database=f"sqlite:///{tmp_path / 'never-upgraded.db'}")
    assert not_upgraded.returncode == 2 and not_upgraded.stdout == ""
    assert "run `loopbot db upgrade` first" in not_upgraded.stderr
    first = loopbot("--service", "loop-server")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "loop-server: dev runs 0.12.2, stage runs 0.12.2, prod runs 0.12.2",
        "  imported 0.11.0 (done)", "  imported 0.11.1 (done)", "  imported 0.12.0 (done)",
        "  imported 0.12.1 (done): stage bug 1097101, prod bug 1097102",
        "  imported 0.12.2 (done): stage bug 1098201, prod bug 1098202"]
    again = loopbot("--service", "loop-server")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[1:] == [
        "  already known, left as they are: 0.11.0, 0.11.1, 0.12.0, 0.12.1, 0.12.2",
        "  nothing new to import"]
    sandbox.bugzilla.faults.fail_next(500, count=20)
    down = loopbot()
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert down.stderr.startswith("loopbot: Bugzilla: could not search for "
                                  "'Please deploy loop-server '")
    unknown = loopbot("--service", "loop-srever")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "no service named 'loop-srever'; the services are: loop-server" in (
        unknown.stderr)


def test_the_first_start_of_loopbot_run_imports(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    database = migrated_sqlite_url(tmp_path / "loopbot.db")  # `loopbot db upgrade` done
    stop = threading.Event()
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        serving = threading.Thread(target=run, args=(sandbox.settings(settings, database),),
                                   kwargs={"port": 0, "stop": stop}, daemon=True)
        serving.start()
        try:
            for _ in range(300):
                if '"url"' in capsys.readouterr().out:
                    break
                time.sleep(0.1)
        finally:
            stop.set()
            serving.join(timeout=30)
    store = Store(database)
    try:
        with store.unit_of_work() as uow:
            audit = uow.audit.find("loop-server", "0.12.2")
    finally:
        store.dispose()
    imported = [(e.actor, e.action, e.to_state) for e in audit if e.actor != "scheduler"]
    assert imported == [("loopbot import", "import", "done")]
    assert not [e for e in audit if "alarm" in e.detail]  # prod runs a known release
