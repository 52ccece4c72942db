"""Reply time of every step while GitHub, Bugzilla and the environments answer 2 s late.

Each step of a release (and each read-only command) is sent as a signed Slack request to
the running bot, over HTTP, in the order of the process; its reply time is from sending
the request to the last message the step sent to Slack (the stand-in's request log says
when each arrived; App Home's refresh is not counted). Beside it: the step's chain, the
partner calls that truly depend on each other, one after another, and the limit, chain x
the latency. The bot's own work (database, rendering, Slack itself, which is not made
late) comes on top: a step is within target when it replies within limit + `--allowance`.
Everything runs on 127.0.0.1 and stops by itself.

Run: .venv/bin/python bench/step_latency.py [--latency 2] [--allowance 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.clock import ManualClock
from bot.config.settings import load_settings
from bot.entrypoints.app import LoopApp, create_app
from bot.entrypoints.server import serve
from bot.entrypoints.wiring import build_context
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import SlackRequests, buttons
from bot.sandbox.world import SIGNING_SECRET, Sandbox
from bot.store.schema import upgrade

DEV, OPS, QA = "U0DEV0001", "U0OPS0001", "U0QA00001"
VERSION = "0.13.0"
FIX_BUG = 1100301
REPLIES = ("/api/chat.postMessage", "/api/chat.update", "/api/chat.postEphemeral")
PARIS = dt.timezone(dt.timedelta(hours=1))  # December
# The tagging Tuesday of the week before the first cycle (as whole_process.txt), so that
# the load-test window below is on the cycle's Tuesday-Friday and in the future.
START = dt.datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
WINDOW = "2026-12-09T14:00 16:00 tokbox"
AFTER_WINDOW = dt.datetime(2026, 12, 9, 16, 5, tzinfo=PARIS)


@dataclass(frozen=True)
class Step:
    name: str
    chain: int  # partner calls that depend on each other, one after another
    calls: str  # what they are, in order ("a + b" at once, "a -> b" one after the other)
    send: Callable[[], object]


class Bench:
    def __init__(self, sandbox: Sandbox, app: LoopApp, signed: SlackRequests,
                 clock: ManualClock) -> None:
        self.sandbox, self.app, self.signed, self.clock = sandbox, app, signed, clock

    def at(self, moment: dt.datetime) -> Callable[[], object]:
        return lambda: self.clock.set(moment)

    def command(self, user: str, text: str) -> Callable[[], object]:
        return lambda: self.signed.command(user, text)

    def click(self, user: str, label: str, where: Callable[[], Posted]) -> Callable[[], object]:
        def press() -> object:
            message = where()
            found = [b for b in buttons(message) if b["text"]["text"].startswith(label)]
            assert found, f"no button {label!r} on {message.text!r}"
            return self.signed.click(user, message, found[0])
        return press

    def last_ephemeral(self, user: str) -> Callable[[], Posted]:
        return lambda: self.sandbox.slack.ephemerals(user)[-1]

    def last_in_channel(self) -> Posted:
        return self.sandbox.slack.messages("#loop")[-1]

    def deploy(self, env: str) -> Callable[[], object]:
        def push() -> object:
            tag = self.app.ctx.service().forge.tag(VERSION)
            assert tag is not None
            self.sandbox.environment("loop-server", env).deploy(VERSION, tag.commit_sha,
                                                                VERSION)
            return None
        return push

    def land(self, message: str) -> Callable[[], object]:
        """A DEV lands a fix on master."""
        return lambda: self.sandbox.github.commit("mozilla-services", "loop-server", "master",
                                                  message, {"loop/rooms.js": message + "\n"})

    def reply_time(self, send: Callable[[], object]) -> float:
        slack = self.sandbox.slack
        began = time.monotonic()
        send()
        if not self.app.drain(120):
            raise SystemExit("the bot's work did not finish within 120 s")
        answered = [r.received for r in slack.requests if r.received >= began
                    and (r.path in REPLIES or r.path.startswith("/response/"))]
        if not answered:
            raise SystemExit("a step sent nothing to Slack")
        return max(answered) - began


def steps(b: Bench) -> list[Step | Callable[[], object]]:
    """The process in order; plain callables are the outside world's moves (not timed)."""
    return [
        Step("envs", 2, "every environment's / + /__heartbeat__ -> compare dev's rev with "
             "master", b.command(DEV, "envs")),
        Step("status", 0, "(database only)", b.command(DEV, "status")),
        Step("calendar", 0, "(database only)", b.command(DEV, "calendar")),
        Step("tag preview", 3, "tags + branch heads -> compare -> bugs + commits' files "
             "+ the release commit's files", b.command(DEV, f"tag {VERSION}")),
        Step("tag (button)", 11, "preview (3) -> branch ref -> base commit -> tree (the "
             "files inline) -> release commit -> move the branch -> tag object + release "
             "read -> tag ref -> release",
             b.click(DEV, f"Tag {VERSION}", b.last_ephemeral(DEV))),
        Step("request stage", 1, "file the stage ticket",
             b.command(QA, f"request stage {VERSION}")),
        b.deploy("stage"),
        Step("deployed stage", 2, "stage ticket + stage / + heartbeat -> set RESOLVED",
             b.command(OPS, f"deployed stage {VERSION}")),
        Step("loadtest window", 0, "(database; announced in Slack)",
             b.command(QA, f"loadtest stage {VERSION} window {WINDOW}")),
        b.at(AFTER_WINDOW),
        Step("loadtest pass", 1, "comment on the stage ticket (its number is recorded)",
             b.command(QA, f"loadtest stage {VERSION} pass 3000 rooms, no errors")),
        Step("verify stage", 3, "stage ticket + stage env -> set VERIFIED -> file prod "
             "ticket", b.command(QA, f"verify stage {VERSION}")),
        Step("greenlight (ask)", 2, "stage + prod tickets -> prod's blockers",
             b.command(QA, f"greenlight prod {VERSION}")),
        Step("greenlight (button)", 2, "stage + prod tickets -> prod's blockers",
             b.click(QA, f"Greenlight {VERSION}", b.last_ephemeral(QA))),
        b.deploy("prod"),
        Step("deployed prod", 2, "prod ticket + prod env -> set RESOLVED",
             b.command(OPS, f"deployed prod {VERSION}")),
        Step("verify prod", 2, "prod ticket + prod env -> set VERIFIED",
             b.command(QA, f"verify prod {VERSION}")),
        Step("history", 0, "(database only)", b.command(DEV, f"history {VERSION}")),
        b.land(f"Bug {FIX_BUG} — rooms keep their participants on reconnect"),
        Step("backport", 12, "tags + master head -> compare + 0.12.x head -> make 0.12.x "
             "-> its ref -> its commit -> (pick: commit -> scratch commit -> temp ref -> "
             "merge -> commit) -> fast-forward -> drop temp ref",
             b.command(DEV, f"backport bug {FIX_BUG} to 0.12")),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=2.0, help="partners' answer delay")
    parser.add_argument("--allowance", type=float, default=1.0,
                        help="seconds of the bot's own work allowed on top of the waits")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="loopbot-bench-"))
    base = load_settings(Path(__file__).resolve().parents[1] / "app.yaml", environ={})
    with Sandbox.start(base, state_dir=root / "sandbox") as sandbox:
        settings = sandbox.settings(base, database_url=f"sqlite:///{root / 'loopbot.db'}")
        upgrade(settings.db_url)
        clock = ManualClock(START)
        ctx = build_context(settings, clock=clock, github_options={
            "seconds_between_requests": 0, "seconds_between_writes": 0})
        app = create_app(settings, ctx=ctx, slack_api_url=sandbox.slack.api_url)
        server = serve(app)
        slow = (sandbox.github, sandbox.bugzilla, *sandbox.environments.values())
        bench = Bench(sandbox, app, SlackRequests(server.slack_url, SIGNING_SECRET,
                                                  sandbox.slack), clock)
        over = 0
        try:
            for stand_in in slow:
                stand_in.faults.latency = args.latency
            print(f"partners answering after {args.latency:g} s; within target: reply <= "
                  f"chain x {args.latency:g} s + {args.allowance:g} s")
            print(f"{'step':<20} {'reply':>7} {'chain':>5} {'limit':>6}  calls, in order")
            for step in steps(bench):
                if not isinstance(step, Step):
                    step()
                    continue
                reply = bench.reply_time(step.send)
                limit = step.chain * args.latency
                within = reply <= limit + args.allowance
                over += not within
                print(f"{step.name:<20} {reply:6.2f}s {step.chain:>5} {limit:5.1f}s  "
                      f"{step.calls}{'' if within else '   OVER'}")
        finally:
            for stand_in in slow:
                stand_in.faults.latency = 0.0
            app.drain(120)
            server.stop()
            app.close()
            ctx.store.dispose()
    print("every step within target" if not over else f"{over} step(s) over target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
