"""What several end-to-end modules share: `whole_process`, one `loopbot sandbox` playback
of tests/e2e/scripts/whole_process.txt per test process, for the tests that only read
what it printed and the --dir it left (read-only)."""

from __future__ import annotations

import pytest

from tests.e2e.test_sandbox_chat import SCRIPT, Played, play


@pytest.fixture(scope="session")
def whole_process(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """What the playback printed (--json), and its --dir."""
    played = tmp_path_factory.mktemp("whole_process")
    state = played / "state"
    out = play(SCRIPT.read_text(), played, "--start", "2026-12-01 10:00", "--dir", str(state))
    return out, state
