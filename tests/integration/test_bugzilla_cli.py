"""python-bugzilla's own command line (`bugzilla new/query/modify`) against the stand-in.

python-bugzilla 3.3's CLI has no `--key` option: it reads the API key from a bugzillarc
section named after the host, so each test points HOME at its own tmp_path with one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.bugzilla.standin import BugzillaStandIn
from tests.fixtures.bugzilla import BUGZILLA_KEY, TICKET_COMPONENT, TICKET_PRODUCT

BUGZILLA_CLI = Path(sys.executable).with_name("bugzilla")
STAGE = "Loop — Please deploy loop-server 0.13.1 to Stage"


def _home(tmp_path: Path, stand_in: BugzillaStandIn, key: str) -> dict[str, str]:
    rc = tmp_path / ".config" / "python-bugzilla" / "bugzillarc"
    rc.parent.mkdir(parents=True)
    rc.write_text(f"[127.0.0.1:{stand_in.port}]\napi_key = {key}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONBUGZILLA")}
    return {**env, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / ".cache")}


def _bugzilla(stand_in: BugzillaStandIn, env: dict[str, str],
              *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BUGZILLA_CLI), "--bugzilla", f"{stand_in.url}/rest", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=30,
                          check=False)


@pytest.fixture
def cli_env(tmp_path: Path, bugzilla_standin: BugzillaStandIn) -> dict[str, str]:
    return _home(tmp_path, bugzilla_standin, BUGZILLA_KEY)


def _file(stand_in: BugzillaStandIn, env: dict[str, str], summary: str) -> int:
    filed = _bugzilla(stand_in, env, "new", "--product", TICKET_PRODUCT,
                      "--component", TICKET_COMPONENT, "--version", "unspecified",
                      "--summary", summary, "--comment", "Changelog: 1094662, 1095006",
                      "--dependson", "1094662", "--ids")
    assert filed.returncode == 0, filed.stdout + filed.stderr
    return int(filed.stdout.strip())


def test_cli_new_files_a_bug(bugzilla_standin: BugzillaStandIn,
                             cli_env: dict[str, str]) -> None:
    bugzilla_standin.add_bug("Bug 1094662 — sp backwards compatibility", id=1094662)
    bug_id = _file(bugzilla_standin, cli_env, STAGE)
    assert bug_id == 1100001
    bug = bugzilla_standin.bug(bug_id)
    assert (bug["summary"], bug["product"], bug["depends_on"]) == (
        STAGE, TICKET_PRODUCT, [1094662])
    assert bugzilla_standin.comments(bug_id)[0]["text"] == "Changelog: 1094662, 1095006"


def test_cli_query_finds_it(bugzilla_standin: BugzillaStandIn,
                            cli_env: dict[str, str]) -> None:
    bugzilla_standin.add_bug("Bug 1094662 — sp backwards compatibility", id=1094662)
    bug_id = bugzilla_standin.add_bug(STAGE, product=TICKET_PRODUCT,
                                      component=TICKET_COMPONENT, depends_on=[1094662])
    bugzilla_standin.add_bug("Loop — Please deploy loop-server 0.13.1 to Production",
                             product=TICKET_PRODUCT, component=TICKET_COMPONENT)
    found = _bugzilla(bugzilla_standin, cli_env, "query", "--product", TICKET_PRODUCT,
                      "--summary", "0.13.1 to Stage", "--status", "NEW",
                      "--outputformat", "%{id}|%{status}|%{summary}")
    assert found.returncode == 0, found.stdout + found.stderr
    assert found.stdout.splitlines() == [f"{bug_id}|NEW|{STAGE}"]
    as_json = _bugzilla(bugzilla_standin, cli_env, "query", "--id", str(bug_id), "--json")
    assert json.loads(as_json.stdout)["bugs"][0]["depends_on"] == [1094662]


def test_cli_modify_changes_status_and_refuses_illegal_ones(
    bugzilla_standin: BugzillaStandIn, cli_env: dict[str, str],
) -> None:
    bug_id = bugzilla_standin.add_bug(STAGE, product=TICKET_PRODUCT,
                                      component=TICKET_COMPONENT)
    resolved = _bugzilla(bugzilla_standin, cli_env, "modify", str(bug_id),
                         "--status", "RESOLVED", "--field", "resolution=FIXED",
                         "--comment", "Deployed to stage.")
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    assert (bugzilla_standin.bug(bug_id)["status"],
            bugzilla_standin.bug(bug_id)["resolution"]) == ("RESOLVED", "FIXED")
    closed = _bugzilla(bugzilla_standin, cli_env, "modify", str(bug_id), "--close", "FIXED")
    assert closed.returncode == 3
    assert "from RESOLVED to CLOSED" in closed.stdout and "code=123" in closed.stdout
    assert bugzilla_standin.bug(bug_id)["status"] == "RESOLVED"


def test_cli_with_a_bad_key_fails_with_306(tmp_path: Path,
                                           bugzilla_standin: BugzillaStandIn) -> None:
    env = _home(tmp_path, bugzilla_standin, "revoked-key-5678")
    refused = _bugzilla(bugzilla_standin, env, "query", "--id", "1094662")
    assert refused.returncode == 3
    assert "code=306" in refused.stdout
    assert bugzilla_standin.count("GET", r"^/rest/version$") == 1
