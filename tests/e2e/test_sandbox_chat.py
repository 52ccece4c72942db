"""`loopbot sandbox` plays the whole of PROCESS.md from a script on standard input, as a
newcomer would (README), through signed Slack requests to the real bot."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.config.settings import load_settings
from bot.sandbox.chat.session import banner, close_chat, open_chat

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "e2e" / "scripts" / "whole_process.txt"


def play(lines: str, tmp_path: Path, *options: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", "--json", "--config",
         str(ROOT / "app.yaml"), *options],
        input=lines, capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def texts(items: list[dict[str, Any]], **where: str) -> list[str]:
    """Each posted message's fallback text and Block Kit text, as one string."""
    return [i["text"] + "\n" + json.dumps(i["blocks"], ensure_ascii=False)
            for i in items if "sandbox" not in i
            and all(i.get(k) == v for k, v in where.items())]


Played = tuple[list[dict[str, Any]], Path]  # the `whole_process` fixture (tests/e2e/conftest.py)


def test_the_whole_process_plays_from_a_script(whole_process: Played) -> None:
    out, state = whole_process
    assert [i["id"] for i in out if i.get("sandbox") == "bug"] == [1100002, 1100005, 1100006]
    channel = "\n".join(texts(out, channel="C0LOOP0001"))
    for expected in ("loop-server 0.13.0", "rejected on stage", "0.13.0 superseded",
                     "closed stage bug 1100001 of 0.13.0 INVALID", "blocked for prod",
                     "Load test of loop-server 0.13.1 on stage with tokbox: Thu 2026-12-10 "
                     "14:00 to 16:00", "window of loop-server 0.13.1 with tokbox starts now",
                     "window of loop-server 0.13.1 with tokbox is over",
                     "Load test passed for loop-server 0.13.1",
                     "created 0.13.x from 0.13.1", "Emergency override",
                     "every user is logged out hourly"):
        assert expected in channel, expected
    qa_heard = "\n".join(texts(out, user="@qa"))
    assert "Mon 2026-12-14 is not a load-test day" in qa_heard
    assert "loop-server requires a passed load test and none is recorded for 0.13.1" in qa_heard
    released = [t for t in texts(out) if "verified on prod: released" in t]
    assert len(released) == 2  # 0.13.1, then the emergency patch 0.13.2
    refusals = texts(out, user="@ops")
    assert any("stage reports 0.12.2, not 0.13.0" in t for t in refusals)
    assert any("prod is blocked for 0.13.1 by bug 1100005" in t for t in texts(out, user="@qa"))
    friday = [t for t in texts(out, channel="C0LOOP0001") if t.startswith("GO for ")]
    assert len(friday) == 1 and friday[0].startswith(  # Friday 15:00, before the push
        "GO for loop-server 0.13.1, the push on Mon 2026-12-14."), friday
    asked = [t for t in texts(out, user="@dev")  # the script's `/loop gonogo`
             if t.startswith(("GO for", "NO-GO for"))][-1]
    assert asked.startswith("NO-GO for loop-server 0.13.2, the push on Mon 2026-12-28.")
    assert "Before the push:\nDEV: release" in asked
    history = next(t for t in texts(out, user="@dev") if "History of" in t)
    assert "override greenlight" in history and "every user is logged out hourly" in history
    # Each tag sits on its "Release X.Y.Z" commit (0.13.2's on the maintenance branch).
    repo = state / "github" / "mozilla-services" / "loop-server.git"
    for version in ("0.13.0", "0.13.1", "0.13.2"):
        shown = subprocess.run(["git", "--git-dir", str(repo), "show", "--format=%s",
                                "--name-only", f"{version}^{{commit}}"], capture_output=True,
                               text=True, check=True).stdout.split()
        assert shown == ["Release", version, "CHANGELOG.md", "package.json"], shown
    # Issue 20: each patch's notes list the bug it fixes (`!fix`), not "no bug fixed".
    for version, bug in (("0.13.1", "1100002"), ("0.13.2", "1100006")):
        notes = subprocess.run(["git", "--git-dir", str(repo), "show",
                                f"{version}:CHANGELOG.md"], capture_output=True, text=True,
                               check=True).stdout.split(f"\n{version} (")[1].split("\n\n0.")[0]
        assert f"- [bugfix] {bug} — " in notes and "no Bugzilla bug" not in notes, notes
    assert "Release commit" in "\n".join(texts(out, user="@dev"))  # the preview's diff


def test_sandbox_lines_report_what_they_did_and_refuse_bad_input(tmp_path: Path) -> None:
    out = play("!bug Rooms leak memory\n!commit Bug 1100001 — Free rooms\n"
               "!deploy nowhere 0.13.0\n!frobnicate\n!click Nothing\n@nobody /loop help\n",
               tmp_path)
    assert out[0] == {"sandbox": "bug", "id": 1100001}
    assert out[1]["sandbox"] == "commit" and len(out[1]["sha"]) == 40
    assert out[2] == {"sandbox": "deploy",
                      "error": "loop-server has no environment 'nowhere': it has dev, stage, prod"}
    assert "unknown sandbox line !frobnicate" in out[3]["message"]
    assert out[4] == {"sandbox": "click", "notice": "no button labelled 'Nothing'"}
    assert "unknown user @nobody" in out[5]["message"]


def test_with_dir_a_later_run_continues_where_the_last_stopped(tmp_path: Path) -> None:
    state = tmp_path / "state"
    play("/loop tag\n!click Tag 0.13.0\n", tmp_path, "--dir", str(state))
    out = play("/loop status 0.13.0\n", tmp_path, "--dir", str(state))
    assert len(out) == 1 and "loop-server 0.13.0: tagged" in texts(out)[0]


def test_the_interactive_banner_says_where_everything_runs(tmp_path: Path) -> None:
    args = argparse.Namespace(dir=str(tmp_path / "state"), repo=None, json=False)
    chat = open_chat(load_settings(ROOT / "app.yaml", environ={}), args, io.StringIO())
    try:
        shown = banner(chat)
        assert f"bot (Slack request URL)  {chat.server.slack_url}" in shown
        assert f"web board                {chat.server.url}/" in shown
        assert chat.sandbox.github.url in shown and chat.sandbox.bugzilla.url in shown
        prod = chat.sandbox.environment("loop-server", "prod").url
        assert f"loop-server/prod         {prod}" in shown
        assert str(tmp_path / "state") in shown
    finally:
        close_chat(chat)


def test_with_dir_the_environments_and_the_clock_resume(tmp_path: Path) -> None:
    """Issue 9: a second run reported `0.1.0 (0000000)` everywhere and the watch raised a
    false prod alarm; the clock went back to today."""
    state = tmp_path / "state"
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    first = play(f"!clock {tomorrow} 09:00\n/loop history 0.12.2\n", tmp_path,
                 "--dir", str(state))
    assert "imported from tag 0.12.2" in texts(first)[-1]  # the demo's releases, learned
    out = play(f"!clock {tomorrow} 08:00\n!clock {tomorrow} 09:30\n/loop envs\n",
               tmp_path, "--dir", str(state))
    assert out[0]["sandbox"] == "clock"
    assert out[0]["error"].startswith(f"the clock only moves forwards, now {tomorrow} 09:00")
    assert out[1]["sandbox"] == "clock"
    shown = "\n".join(texts(out))
    assert ":rotating_light:" not in shown and "0.1.0" not in shown
    assert "0000000" not in shown
    envs = texts(out)[-1]
    assert envs.count("0.12.2") >= 2, envs  # stage and prod, as the demo left them


def test_the_whole_process_is_a_true_fortnight(whole_process: Played) -> None:
    """Issue 20: each section on its day (tagging Tuesday to the next, skipped, one), no
    step called late that was not, and a push off the calendar's prod-push day said so."""
    out = whole_process[0]
    assert [i for i in out if "error" in i] == []
    days = [i["now"][:16] for i in out if i.get("sandbox") == "clock"]
    assert days == ["2026-12-08T10:05", "2026-12-08T13:30", "2026-12-09T10:30",
                    "2026-12-09T15:00", "2026-12-10T16:05", "2026-12-11T11:00",
                    "2026-12-14T10:30", "2026-12-14T11:45", "2026-12-15T09:30",
                    "2026-12-15T11:00", "2026-12-15T12:15", "2026-12-16T09:00",
                    "2026-12-22T10:05"]
    channel = texts(out, channel="C0LOOP0001")
    assert not any(" is late" in t for t in channel), [t for t in channel if " is late" in t]
    friday = "Fri 2026-12-11 is not a prod-push day: OPS pushes on Mon 2026-12-14"
    assert any(friday in t for t in texts(out, user="@qa"))  # the green light's question
    def said(what: str, version: str) -> str:  # the step's channel message, as it ended
        return [t for t in channel if t.startswith(f"loop-server {version}: {what}")][-1]

    assert friday in said("green light for prod", "0.13.1")
    emergency = said("green light for prod", "0.13.2")
    assert "Emergency override" in emergency and ("Off the calendar: Tue 2026-12-15 is not "
                                                  "a prod-push day (the next is Mon 2026-12-28)"
                                                  ) in emergency
    assert "off the calendar" not in said("deployed on prod", "0.13.1").lower()  # Monday
    seen = [t for t in channel if t.startswith("prod now runs loop-server 0.13.1 (was 0.12.2)")]
    assert len(seen) == 1 and "confirm the push with `/loop deployed prod 0.13.1`" in seen[0]
    assert ("Pushed off the calendar, as an emergency: Tue 2026-12-15"
            in said("deployed on prod", "0.13.2"))
    # Wednesday: prod back on 0.13.1, offered as a back-off, then recorded by OPS
    assert any(t.startswith(":leftwards_arrow_with_hook: prod runs 0.13.1 again (was "
                            "loop-server 0.13.2, done)") for t in channel)
    backed_off = said("backed off from prod", "0.13.2")
    assert "Prod backed off* from 0.13.2 to 0.13.1" in backed_off
    assert "the error rate doubled since the push" in backed_off


def test_the_whole_process_ends_with_its_metrics(whole_process: Played) -> None:
    """whole_process.txt's last line: 0.13.0 rejected on stage, 0.13.1 pushed on Monday
    and patched by 0.13.2 for a prod bug, 0.13.2 pushed on Tuesday past stage, then
    backed off on Wednesday."""
    out = whole_process[0]
    shown = texts(out, user="@dev")[-1]
    assert "Delivery metrics of loop-server" in shown
    assert "2 prod push(es)" in shown
    assert "100% (3 of 3 release(s)); prod only 100%" in shown
    assert "0.13.0 rejected on stage; 0.13.1 patched by 0.13.2; 0.13.2 backed off" in shown
    assert "Time to restore*: median " in shown and "(2 prod failure(s), 1 restored)" in shown
    # 0.13.1 ships 0.13.0's commits too (rejected, never pushed): counted from 0.12.2
    assert "10 commit(s) shipped" in shown
