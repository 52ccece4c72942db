"""Ack latency under a burst: 50 mixed `/loop` commands (`envs`, `tag` preview, `status`,
`calendar`, `history`) sent at once while every partner (GitHub, Bugzilla, the
environments) answers after 2 seconds.

Measures, in the same run and on the same server (`--server waitress`, the default, is
what `loopbot run` serves on, bot/entrypoints/production.py; `--server wsgiref` the
standard library's threaded server of bot/entrypoints/server.py, which `loopbot run` used
before), loopbot and a bare Bolt app whose only listener acks, taking bursts alternately
(8 each by default).
Three kinds of process, so that one's work never steals the interpreter from another's
measurement: each app in its own; the senders in their own (a plain socket client, as
fast as Slack's, timing each request from connect to the answer's last byte); the
stand-ins in this one. Prints, for each app, the ack p50/p99 seen by the senders and
their ratios (targets: loopbot's p99 <= 1.2x and p50 <= 1.1x the bare app's), the time
each request spent inside the app's own process (what runs on the ack path: a figure the
machine's load barely moves), and checks that nothing was lost: every loopbot command was
acknowledged and later answered once. Everything runs on 127.0.0.1 and stops by itself.
Run: .venv/bin/python bench/ack_burst.py [--burst 50] [--rounds 8] [--server wsgiref]
"""

from __future__ import annotations

import argparse
import gc
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.config.settings import (
    EnvironmentSettings,
    PartnerSettings,
    Secrets,
    Settings,
    load_settings,
)
from bot.entrypoints.app import create_app
from bot.entrypoints.production import ProductionServer
from bot.entrypoints.server import Server, routes
from bot.entrypoints.wiring import build_context
from bot.sandbox.bugzilla.standin import SANDBOX_KEY
from bot.sandbox.server import StandIn
from bot.sandbox.slack.signed import SlackRequests
from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN, SlackStandIn
from bot.sandbox.world import GITHUB_TOKEN, SIGNING_SECRET, Sandbox
from bot.store.schema import upgrade

USERS = ("U0DEV0001", "U0OPS0001", "U0QA00001", "U0LEAD001")
LINES = ("envs", "tag", "status", "calendar", "history 0.12.2")


def burst(sender: subprocess.Popen[str], signed: SlackRequests, size: int) -> list[float]:
    """Have the sender process send `size` commands at once; the seconds each took to be
    acknowledged. The bodies are made here (their response URLs are the stand-in's)."""
    prepared = []
    for i in range(size):
        body = signed.command_body(USERS[i % len(USERS)], LINES[i % len(LINES)])
        prepared.append((body, signed.headers(body)))
    assert sender.stdin is not None and sender.stdout is not None
    sender.stdin.write(json.dumps({"url": signed.request_url, "requests": prepared}) + "\n")
    sender.stdin.flush()
    answer = json.loads(sender.stdout.readline())
    if answer["failures"]:
        raise SystemExit(f"{len(answer['failures'])} of {size} commands were not "
                         f"acknowledged: {answer['failures'][0]}")
    return answer["timings"]


def send_bursts() -> int:
    """The sender process: for each burst asked on stdin (a line of JSON), send its
    requests at once and print their timings (a line of JSON); ends with its input."""
    for line in sys.stdin:
        plan = json.loads(line)
        print(json.dumps(send_at_once(urlsplit(plan["url"]), plan["requests"])), flush=True)
    return 0


def send_at_once(url: SplitResult, prepared: list[tuple[str, dict[str, str]]]
                 ) -> dict[str, list[Any]]:
    """One thread per request, all released together; each timed from its connect to the
    last byte of its answer."""
    timings: list[float] = [0.0] * len(prepared)
    failures: list[str] = []
    start = threading.Barrier(len(prepared))

    def send(index: int) -> None:
        body, headers = prepared[index]
        message = http_request(url, body.encode(), headers)
        start.wait()
        began = time.perf_counter()
        try:
            status = post(url, message)
        except OSError as exc:
            failures.append(type(exc).__name__)
            return
        timings[index] = time.perf_counter() - began
        if status != 200:
            failures.append(f"HTTP {status}")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(prepared))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"timings": timings, "failures": failures}


def http_request(url: SplitResult, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {url.path} HTTP/1.1", f"Host: {url.netloc}",
             f"Content-Length: {len(body)}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def post(url: SplitResult, message: bytes) -> int:
    """Send one HTTP request on a new connection; the status of the whole answer."""
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(message)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


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
    parser.add_argument("--server", choices=("waitress", "wsgiref"), default="waitress",
                        help="the WSGI server under both apps (default: loopbot run's)")
    parser.add_argument("--serve", metavar="JSON", help=argparse.SUPPRESS)  # (internal)
    parser.add_argument("--send", action="store_true", help=argparse.SUPPRESS)  # (internal)
    args = parser.parse_args()
    if args.serve:
        return serve_app(json.loads(args.serve))
    if args.send:
        return send_bursts()
    root = Path(tempfile.mkdtemp(prefix="loopbot-bench-"))
    with Sandbox.start(base_settings(), state_dir=root / "sandbox") as sandbox:
        urls = {"slack": sandbox.slack.api_url, "github": sandbox.github.url,
                "bugzilla": f"{sandbox.bugzilla.url}/rest",
                "environments": {f"{s}/{e}": stand_in.url
                                 for (s, e), stand_in in sandbox.environments.items()},
                "database": f"sqlite:///{root / 'loopbot.db'}", "server": args.server}
        apps = {name: own_process(name, urls) for name in ("bare", "loopbot")}
        sender = subprocess.Popen([sys.executable, __file__, "--send"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        slow = (sandbox.github, sandbox.bugzilla, *sandbox.environments.values())
        try:
            inside = measure(args, sandbox, sender, apps, slow)
        finally:
            for stand_in in slow:
                stand_in.faults.latency = 0.0
            for process in (sender, *(process for process, _ in apps.values())):
                assert process.stdin is not None
                process.stdin.close()  # each process stops when its input ends
        for name, (process, _) in apps.items():
            assert process.stdout is not None
            inside[name] = json.loads(process.stdout.readline())
            process.wait(timeout=60)
        sender.wait(timeout=60)
    print("inside each app's process (from the request reaching the app to its answer):")
    report("bare", inside["bare"])
    report("loopbot", inside["loopbot"])
    return 0


def measure(args: argparse.Namespace, sandbox: Sandbox, sender: subprocess.Popen[str],
            apps: dict[str, tuple[subprocess.Popen[str], str]], slow: tuple[StandIn, ...]
            ) -> dict[str, list[float]]:
    signed = {name: SlackRequests(url, SIGNING_SECRET, sandbox.slack)
              for name, (_, url) in apps.items()}
    samples: dict[str, list[float]] = {"loopbot": [], "bare": []}
    per_burst: dict[str, list[float]] = {"loopbot": [], "bare": []}
    lost = 0
    answered = answers(sandbox.slack)
    for name in ("bare", "loopbot"):  # warm both up (connections, auth.test)
        burst(sender, signed[name], 5)
    settle(sandbox.slack, answered + 5)  # loopbot's five answers: none spills into a burst
    for process, _ in apps.values():  # each app times its requests from now on
        assert process.stdin is not None
        process.stdin.write("measure\n")
        process.stdin.flush()
    for stand_in in slow:
        stand_in.faults.latency = args.latency
    for round_ in range(args.rounds):  # each burst starts with no work left running
        order = ("bare", "loopbot") if round_ % 2 == 0 else ("loopbot", "bare")
        for name in order:
            answered = answers(sandbox.slack)
            timings = burst(sender, signed[name], args.burst)
            samples[name] += timings
            per_burst[name].append(percentile(timings, 0.99) * 1000)
            if name == "loopbot":
                lost += args.burst - (settle(sandbox.slack, answered + args.burst) - answered)
            time.sleep(0.3)
    print(f"{args.burst} /loop commands at once, partners answering after "
          f"{args.latency:g} s, {args.rounds} bursts each (alternating which goes first), "
          "each app in its own process:")
    bare = report("bare", samples["bare"])
    ours = report("loopbot", samples["loopbot"])
    for name in ("bare", "loopbot"):
        shown = " ".join(f"{p:.0f}" for p in per_burst[name])
        print(f"{name:>8}: p99 of each burst (ms): {shown}")
    typical = statistics.median(per_burst["loopbot"]) / statistics.median(per_burst["bare"])
    print(f"   ratio: loopbot p99 / bare p99 = {ours / bare:.2f} over all commands, "
          f"{typical:.2f} burst by burst (median); target <= 1.2")
    ratio_p50 = statistics.median(samples["loopbot"]) / statistics.median(samples["bare"])
    print(f"   ratio: loopbot p50 / bare p50 = {ratio_p50:.2f}; target <= 1.1")
    print(f"    lost: {lost} of {args.burst * args.rounds} loopbot commands not answered "
          "exactly once")
    return {}


def settle(slack: SlackStandIn, expected: int, limit: float = 120.0) -> int:
    """Wait until the bot has sent `expected` answers in all (or `limit` passed), then a
    moment more for anything extra; the answers counted."""
    deadline = time.monotonic() + limit
    while answers(slack) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    return answers(slack)


def base_settings() -> Settings:
    return load_settings(Path(__file__).resolve().parents[1] / "app.yaml", environ={})


def own_process(name: str, urls: dict[str, Any]) -> tuple[subprocess.Popen[str], str]:
    """`name`'s app served by another Python process; (the process, its request URL)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", json.dumps({"app": name, **urls})],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def serve_app(plan: dict[str, Any]) -> int:
    """One app on the bot's server class, in this process until stdin ends."""
    if plan["app"] == "bare":
        wsgi, close = _bare_routes(plan["slack"]), (lambda: None)
    else:
        upgrade(plan["database"])  # `loopbot db upgrade`
        loop = create_app(sandbox_settings(plan), ctx=build_context(
            sandbox_settings(plan), github_options={"seconds_between_requests": 0,
                                                    "seconds_between_writes": 0}),
            slack_api_url=plan["slack"])
        wsgi, close = routes(loop), loop.close
    server_class = ProductionServer if plan.get("server") == "waitress" else Server
    clock = AckClock(wsgi)
    with server_class(clock) as server:
        gc.collect()
        gc.freeze()  # as `loopbot run` does after start: no collection walks the startup heap
        print(server.slack_url, flush=True)
        for _ in sys.stdin:  # a line: the warm-up is over, measure from now on
            clock.seconds.clear()
    close()
    print(json.dumps(clock.seconds), flush=True)
    return 0


class AckClock:
    """The seconds each request spends inside the app (its WSGI call), server excluded."""

    def __init__(self, wsgi: Any) -> None:
        self._wsgi = wsgi
        self.seconds: list[float] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        began = time.perf_counter()
        try:
            return self._wsgi(environ, start_response)
        finally:  # both apps answer within the call (a list of bytes)
            self.seconds.append(time.perf_counter() - began)


def sandbox_settings(plan: dict[str, Any]) -> Settings:
    """app.yaml pointed at the parent's stand-ins (what Sandbox.settings makes there)."""
    base = base_settings()
    services = tuple(s.model_copy(update={"environments": {
        env: EnvironmentSettings(url=plan["environments"][f"{s.name}/{env}"])
        for env in s.environments}}) for s in base.services)
    secrets = Secrets(slack_bot_token=SANDBOX_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                      github_token=GITHUB_TOKEN, bugzilla_api_key=SANDBOX_KEY,
                      database_url=plan["database"])
    return base.model_copy(update={
        "github": PartnerSettings(url=plan["github"]),
        "bugzilla": PartnerSettings(url=plan["bugzilla"]), "services": services,
        "secrets": secrets})


def _bare_routes(slack_api_url: str) -> SlackRequestHandler:
    """The bare app as a WSGI application, for the same server class as loopbot's."""
    return SlackRequestHandler(bare_app(slack_api_url))


if __name__ == "__main__":
    sys.exit(main())
