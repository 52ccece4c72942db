"""Ack latency under a burst: 50 mixed `/loop` commands (`envs`, `tag` preview, `status`,
`calendar`, `history`) sent at once while every partner (GitHub, Bugzilla, the
environments) answers after 2 seconds.

Measures, in the same run and on the same threaded server (bot/server.py), loopbot and a
bare Bolt app whose only listener acks, taking bursts alternately (8 each by default);
prints the ack p50/p99 of each and their ratios (targets: loopbot's p99 <= 1.2x and p50
<= 1.1x the bare app's), and checks that nothing was lost: every loopbot command was
acknowledged and later answered once. Everything runs on 127.0.0.1 and stops by itself.
Run: .venv/bin/python bench/ack_burst.py [--burst 50] [--rounds 8]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.app import create_app
from bot.config import load_settings
from bot.sandbox.signed import SlackRequests
from bot.sandbox.slack import SANDBOX_BOT_TOKEN, SlackStandIn
from bot.sandbox.world import SIGNING_SECRET, Sandbox
from bot.server import Server, serve
from bot.wiring import build_context

USERS = ("U0DEV0001", "U0OPS0001", "U0QA00001", "U0LEAD001")
LINES = ("envs", "tag", "status", "calendar", "history 0.12.2")


def burst(signed: SlackRequests, size: int) -> list[float]:
    """Send `size` commands at once; the seconds each took to be acknowledged."""
    bodies = [signed.command_body(USERS[i % len(USERS)], LINES[i % len(LINES)])
              for i in range(size)]
    timings: list[float] = [0.0] * size
    failures: list[str] = []
    start = threading.Barrier(size)

    def send(index: int) -> None:
        body = bodies[index]
        headers = signed.headers(body)
        start.wait()
        began = time.perf_counter()
        answer = requests.post(signed.request_url, data=body.encode(), headers=headers,
                               timeout=10)
        timings[index] = time.perf_counter() - began
        if answer.status_code != 200:
            failures.append(f"{answer.status_code} {answer.text[:80]}")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} of {size} commands were not acknowledged: "
                         f"{failures[0]}")
    return timings


def answers(slack: SlackStandIn) -> int:
    """Answers the bot sent to response URLs so far (each command gets one)."""
    return sum(1 for r in slack.requests if r.path.startswith("/response/"))


def bare_app(slack_api_url: str) -> App:
    client = WebClient(token=SANDBOX_BOT_TOKEN, base_url=slack_api_url)
    app = App(client=client, signing_secret=SIGNING_SECRET)

    @app.command("/loop")
    def only_ack(ack: Ack) -> None:
        ack()

    return app


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, samples: list[float]) -> float:
    p50, p99 = statistics.median(samples) * 1000, percentile(samples, 0.99) * 1000
    print(f"{name:>8}: ack p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(samples)} commands)")
    return p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=50, help="commands sent at once")
    parser.add_argument("--rounds", type=int, default=8, help="bursts per app")
    parser.add_argument("--latency", type=float, default=2.0, help="partners' answer delay")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="loopbot-bench-"))
    base = load_settings(Path(__file__).resolve().parents[1] / "app.yaml", environ={})
    with Sandbox.start(base, state_dir=root / "sandbox") as sandbox:
        settings = sandbox.settings(base, database_url=f"sqlite:///{root / 'loopbot.db'}")
        ctx = build_context(settings, github_options={"seconds_between_requests": 0,
                                                      "seconds_between_writes": 0})
        loop = create_app(settings, ctx=ctx, slack_api_url=sandbox.slack.api_url)
        loop_server = serve(loop)
        bare_server = Server(_bare_routes(sandbox.slack.api_url)).start()
        for stand_in in (sandbox.github, sandbox.bugzilla, *sandbox.environments.values()):
            stand_in.faults.latency = args.latency
        signed = {name: SlackRequests(server.slack_url, SIGNING_SECRET, sandbox.slack)
                  for name, server in (("loopbot", loop_server), ("bare", bare_server))}
        samples: dict[str, list[float]] = {"loopbot": [], "bare": []}
        per_burst: dict[str, list[float]] = {"loopbot": [], "bare": []}
        lost = 0
        try:
            for name in ("bare", "loopbot"):  # warm both up (connections, auth.test)
                burst(signed[name], 5)
            loop.drain(120)
            gc.collect()
            gc.freeze()  # as `loopbot run` does after start: no collection walks the startup heap
            for round_ in range(args.rounds):  # each burst starts with no work left running
                order = ("bare", "loopbot") if round_ % 2 == 0 else ("loopbot", "bare")
                for name in order:
                    answered = answers(sandbox.slack)
                    timings = burst(signed[name], args.burst)
                    samples[name] += timings
                    per_burst[name].append(percentile(timings, 0.99) * 1000)
                    time.sleep(0.3)
                    loop.drain(120)
                    if name == "loopbot":
                        lost += args.burst - (answers(sandbox.slack) - answered)
            print(f"{args.burst} /loop commands at once, partners answering after "
                  f"{args.latency:g} s, {args.rounds} bursts each (alternating which goes "
                  "first):")
            bare = report("bare", samples["bare"])
            ours = report("loopbot", samples["loopbot"])
            bare_p50 = statistics.median(samples["bare"])
            ours_p50 = statistics.median(samples["loopbot"])
            for name in ("bare", "loopbot"):
                shown = " ".join(f"{p:.0f}" for p in per_burst[name])
                print(f"{name:>8}: p99 of each burst (ms): {shown}")
            typical = statistics.median(per_burst["loopbot"]) / statistics.median(
                per_burst["bare"])
            print(f"   ratio: loopbot p99 / bare p99 = {ours / bare:.2f} over all commands, "
                  f"{typical:.2f} burst by burst (median); target <= 1.2")
            print(f"   ratio: loopbot p50 / bare p50 = {ours_p50 / bare_p50:.2f}; "
                  "target <= 1.1")
            print(f"    lost: {lost} of {args.burst * args.rounds} loopbot commands not "
                  "answered exactly once")
        finally:
            for stand_in in (sandbox.github, sandbox.bugzilla, *sandbox.environments.values()):
                stand_in.faults.latency = 0.0
            loop.drain(120)
            loop_server.stop()
            bare_server.stop()
            loop.close()
            ctx.store.dispose()
    return 0


def _bare_routes(slack_api_url: str) -> SlackRequestHandler:
    """The bare app as a WSGI application, for the same server class as loopbot's."""
    return SlackRequestHandler(bare_app(slack_api_url))


if __name__ == "__main__":
    sys.exit(main())
