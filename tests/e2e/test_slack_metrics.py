"""`/loop metrics`: the delivery metrics of a release carried from tag to prod through
signed Slack requests, with commit times read from the git-backed GitHub stand-in. The
metrics that end tests/e2e/scripts/whole_process.txt are checked in test_sandbox_chat.py,
on its one playback of the script."""

from __future__ import annotations

import datetime as dt
import subprocess

from bot.clock import ManualClock
from bot.domain.metrics_trend import duration
from bot.sandbox.github.gitrepo import Signature
from tests.fixtures.app import DEV, OPS, QA, LoopWorld

UTC = dt.UTC


def _at(clock: ManualClock, moment: str) -> None:
    clock.set(dt.datetime.fromisoformat(moment).replace(tzinfo=UTC))


def test_metrics_answer_with_the_figures_of_a_release_pushed_to_prod(
    loop_world: LoopWorld,
) -> None:
    clock = loop_world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    landed = dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    loop_world.sandbox.github.commit_many(
        "mozilla-services", "loop-server", "master",
        [("Bug 1096601 — Keep the room's name", {"loop/rooms.js": "// name kept\n"}),
         ("Bug 1096602 — Log the room's size", {"loop/rooms.js": "// size logged\n"})],
        author=Signature("Dev", "dev@example.com", int(landed.timestamp())))
    loop_world.tag("0.13.0")
    loop_world.command(DEV, "request stage 0.13.0")
    loop_world.deploy("stage", "0.13.0")
    _at(clock, "2026-12-01T13:00")
    loop_world.command(OPS, "deployed stage 0.13.0")
    _at(clock, "2026-12-03T09:00")
    loop_world.command(QA, "verify stage 0.13.0")
    loop_world.command(QA, "greenlight prod 0.13.0")
    loop_world.click(QA, loop_world.last_ephemeral(QA), "Greenlight")
    _at(clock, "2026-12-07T09:00")
    loop_world.deploy("prod", "0.13.0")
    loop_world.command(OPS, "deployed prod 0.13.0")

    loop_world.command(QA, "metrics --cycles 3")
    text = loop_world.last_ephemeral(QA).blocks[0]["text"]["text"]
    assert "the last 3 cycle(s), Tue 2026-10-27 to Mon 2026-12-07, against the 3 before" in text
    assert "1 prod push(es): 0.3 per cycle, 0.7 per month (before: 0.0 per cycle)" in text
    # every commit 0.13.0 ships, as git itself dates them, to the push (Mon 09:00 UTC)
    pushed = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    waited = sorted(pushed - dt.datetime.fromtimestamp(int(t), UTC) for t in git_log(
        loop_world, "0.12.2..0.13.0"))
    assert len(waited) == 7  # the demo's 5 since 0.12.2 (from 2014) and the 2 above
    assert (f"median {duration(waited[(len(waited) - 1) // 2])}, 90th percentile "
            f"{duration(waited[6])}") in text
    assert f"{len(waited)} commit(s) shipped" in text
    assert "Change failure rate*: 0% (0 of 1 release(s)); prod only 0%" in text
    assert "tag → stage verified 2 d; stage verified → prod 4 d" in text


def test_metrics_refuse_a_number_of_cycles_out_of_range(loop_world: LoopWorld) -> None:
    loop_world.command(QA, "metrics --cycles 0")
    assert "couldn't use 0 cycles: give 1 to 26" in loop_world.last_ephemeral(QA).text
    loop_world.command(QA, "metrics --cycles=many")
    assert "couldn't read `many` as a number of cycles" in loop_world.last_ephemeral(QA).text
    loop_world.command(QA, "metrics --cycles <!channel>")
    shown = loop_world.last_ephemeral(QA)
    assert "couldn't read `&lt;!channel&gt;` as a number of cycles" in shown.text
    assert "<!channel>" not in shown.text + str(shown.blocks)
    assert loop_world.channel() == []  # refused in one line, only to the caller


def git_log(world: LoopWorld, span: str) -> list[str]:
    path = world.sandbox.github.repo_path("mozilla-services", "loop-server")
    return subprocess.run(["git", "--git-dir", str(path), "log", "--format=%ct", span],
                          check=True, capture_output=True, text=True).stdout.split()
