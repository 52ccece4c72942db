"""What piped playback of `loopbot sandbox` prints, read by a newcomer (issue 20): each
input line echoed with its comments, each message in its real channel, `!fix` marking a
bug RESOLVED FIXED so the release notes list it, the watch's word dated when the push
happened, and `--start` on a resumed `--dir` either honoured or said to be ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_sandbox_chat import ROOT, play, texts


def play_text(lines: str, tmp_path: Path, *options: str) -> list[str]:
    """The transcript's lines, as the terminal shows them (no --json)."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", "--config", str(ROOT / "app.yaml"),
         *options],
        input=lines, capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_piped_playback_echoes_each_line_with_its_comments(tmp_path: Path) -> None:
    shown = play_text("# 1. Tuesday: the bot lists its commands\n\n"
                      "/loop help   # anyone may ask\n@ops /loop envs\n!bug Rooms leak\n",
                      tmp_path)
    assert shown[:3] == ["# 1. Tuesday: the bot lists its commands", "",
                         "> /loop help   # anyone may ask"]
    envs, bug = shown.index("> @ops /loop envs"), shown.index("> !bug Rooms leak")
    assert shown[3].startswith("[only @dev]")  # the help follows its line
    assert shown[envs + 1].startswith("[only @ops]")
    assert shown[bug + 1] == "(filed bug 1100001: Rooms leak)"


def test_json_playback_echoes_nothing(tmp_path: Path) -> None:
    out = play("# a comment\n!bug Rooms leak\n", tmp_path)
    assert out == [{"sandbox": "bug", "id": 1100001}]


def test_each_message_shows_its_real_channel(tmp_path: Path) -> None:
    shown = play_text("@client-dev /loop tag service:loop-client\n!click Tag\n"
                      "/loop tag\n!click Tag 0.13.0\n", tmp_path)
    client = [line for line in shown if "loop-client 0.1.0* tagged by" in line]
    server = [line for line in shown if "loop-server 0.13.0* tagged by" in line]
    assert client and all(line.startswith("[#loop-client] ") for line in client), shown
    assert server and all(line.startswith("[#loop] ") for line in server), shown


def test_fix_resolves_the_bug_and_the_release_notes_list_it(tmp_path: Path) -> None:
    out = play("!bug Joining a room twice fails\n!commit Bug 1100001 — Join rooms twice\n"
               "!fix 1100001\n/loop tag\n!fix 11OOOO1\n!fix 1100999\n", tmp_path,
               "--start", "2026-12-08 10:05")
    fixed = [i for i in out if i.get("sandbox") == "fix"]
    assert fixed == [{"sandbox": "fix", "id": 1100001, "status": "RESOLVED",
                      "resolution": "FIXED"},
                     {"sandbox": "fix", "error": "usage: !fix BUG (a bug number, like "
                      "`!fix 1100002`)"},
                     {"sandbox": "fix", "error": "Bug #1100999 does not exist."}]
    preview = texts(out, user="@dev")[-1]
    assert "[bugfix] bug 1100001 Joining a room twice fails" in preview  # a fix, not flagged
    assert "bug 1100001 (NEW)" not in preview
    assert "no Bugzilla bug fixed in this release" not in preview


def test_the_watch_dates_a_push_when_the_clock_saw_it(tmp_path: Path) -> None:
    """Issue 20: prod's change was posted, and dated, at the next `!clock` stop (the
    Monday's 10:00, after "nothing is waiting"), five days after the push."""
    out = play("!deploy prod 0.12.1\n!clock 2026-12-14 10:05\n/loop history 0.12.1\n",
               tmp_path, "--start", "2026-12-09 16:05")
    said = [i.get("sandbox") or i["text"] for i in out]
    # 0.12.1 is the release before 0.12.2: the watch takes it for a back-off and says so
    watch = next(n for n, s in enumerate(said) if s.startswith(
        ":leftwards_arrow_with_hook: prod runs 0.12.1 again (was loop-server 0.12.2"))
    assert said.index("deploy") < watch < said.index("clock"), said
    assert "2026-12-09 16:05 scheduler seen on prod: prod runs 0.12.1" in texts(out)[-1]


def test_start_on_a_resumed_dir_is_honoured_forwards_and_said_ignored_backwards(
        tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    play("!clock 2026-12-10 09:00\n", tmp_path, "--start", "2026-12-09 10:00", "--dir", state)
    back = play("/loop calendar\n", tmp_path, "--start", "2026-12-01 10:00", "--dir", state)
    assert back[0] == {"sandbox": "start", "notice": "--start 2026-12-01 10:00 ignored",
                       "now": "2026-12-10T09:00:00+01:00"}
    on = play("/loop calendar\n", tmp_path, "--start", "2026-12-14 10:05", "--dir", state)
    assert [i for i in on if "sandbox" in i] == [{"sandbox": "clock",
                                                  "now": "2026-12-14T10:05:00+01:00"}]
    assert any(t.startswith("Prod push day for loop-server, Mon 2026-12-14")
               for t in texts(on, channel="C0LOOP0001"))  # the jobs on the way ran


def test_a_clock_jump_shows_when_each_scheduled_message_was_posted(tmp_path: Path) -> None:
    shown = play_text("!clock 2026-12-14 10:30\n", tmp_path, "--start", "2026-12-07 18:00")
    tagging, push = shown.index("(at Tue 2026-12-08 10:00)"), shown.index(
        "(at Mon 2026-12-14 10:00)")
    assert shown[tagging + 1].startswith("[#loop] loopbot: *loop-server: tagging day")
    assert shown[push + 1].startswith("[#loop] loopbot: Prod push day for loop-server")
    assert shown[-1] == "(the clock is now Mon 2026-12-14 10:30 CET)"


def test_a_build_on_stage_before_its_cycle_is_due_when_its_load_test_window_ends(
        tmp_path: Path) -> None:
    """Issue 20: 0.13.1, on stage from Tue 2026-12-01, was "late" by Fri 2026-12-04,
    though loop-server's load test could only run from Tue 2026-12-08 to Fri 2026-12-11."""
    out = play("/loop tag\n!click Tag 0.13.0\n@qa /loop request stage 0.13.0\n"
               "!deploy stage 0.13.0\n@ops /loop deployed stage 0.13.0\n"
               "!clock 2026-12-10 16:05\n!clock 2026-12-11 10:05\n", tmp_path,
               "--start", "2026-12-01 10:00")
    said = [i.get("sandbox") or i["text"] for i in out]
    late = [n for n, s in enumerate(said) if " is late" in s]
    assert len(late) == 1 and said.index("clock") < late[0], said  # on Friday, not before
    assert ("QA was to verify it on stage (stage bug 1100001) by Fri 2026-12-11"
            in said[late[0]])
