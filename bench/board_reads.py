"""What the web board costs when the partners are slow: every stand-in (GitHub, Bugzilla,
each environment) answers after `--latency` seconds.

In one run, on the bot's own server, with one release in flight (two tickets, stage and
prod on different versions, so the drift is computed): `/health` as the reference, the
board's first load (nothing kept yet), a board poll with the reads kept (the default
times to live), a poll with nothing kept (every read done again), and a burst of
`--burst` polls at once just after the reads expired (served what was kept while one
read per partner refreshes it behind), with how many requests then reached the partners.
Then the release page, whose audit trail names people (Slack's users.info, Slack late
too, the bot's own directory keeping nothing): its first load and its polls, with how
many users.info requests each made.
Run: .venv/bin/python bench/board_reads.py [--latency 0.5] [--burst 20]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bot.board.app import BoardOptions
from bot.config.settings import load_settings
from bot.entrypoints.server import Server, routes
from bot.sandbox.chat.local import Chat
from bot.sandbox.chat.session import close_chat, open_chat
from bot.sandbox.server import LoggedRequest
from bot.usecases.identity import Directory

ROOT = Path(__file__).resolve().parents[1]
SETUP = ("/loop tag", "!click Tag 0.13.0", "@qa /loop request stage 0.13.0",
         "!deploy stage 0.13.0", "@ops /loop deployed stage 0.13.0",
         "@qa /loop verify stage 0.13.0")


def timed(url: str) -> float:
    began = time.perf_counter()
    answer = requests.get(url, timeout=60)
    assert answer.status_code == 200, answer.status_code
    return time.perf_counter() - began


def ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="partner delay, seconds")
    parser.add_argument("--burst", type=int, default=20, help="polls sent at once")
    parser.add_argument("--polls", type=int, default=20, help="sequential polls measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        options = argparse.Namespace(dir=state, repo=None, json=False)
        chat = open_chat(load_settings(ROOT / "app.yaml", environ={}), options, io.StringIO())
        try:
            for line in SETUP:
                chat.handle(line)
            stand_ins = [chat.sandbox.github, chat.sandbox.bugzilla,
                         *chat.sandbox.environments.values()]
            for stand_in in stand_ins:
                stand_in.faults.latency = args.latency
            kept = BoardOptions(environment_ttl=5.0, ticket_ttl=10.0)
            fresh = BoardOptions(environment_ttl=0.0, ticket_ttl=0.0)
            with Server(routes(chat.app, board=kept)) as warm, \
                    Server(routes(chat.app, board=fresh)) as cold:
                part = "/?part=main"
                health = [timed(warm.url + "/health") for _ in range(args.polls)]
                first = timed(warm.url + part)
                polls = [timed(warm.url + part) for _ in range(args.polls)]
                uncached = [timed(cold.url + part) for _ in range(5)]
                time.sleep(10.5)  # every kept read is over
                before = sum(len(s.requests) for s in stand_ins)
                burst: list[float] = []
                go = threading.Barrier(args.burst)

                def poll() -> None:
                    go.wait()
                    burst.append(timed(warm.url + part))

                threads = [threading.Thread(target=poll) for _ in range(args.burst)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                time.sleep(3 * args.latency + 1)  # the refreshes behind the burst finish
                reached = sum(len(s.requests) for s in stand_ins) - before
            names = release_page(chat, args.latency, args.polls)
        finally:
            close_chat(chat)
    print(f"board reads with every partner {args.latency:g} s late "
          f"({len(stand_ins)} stand-ins; 5 environments)")
    print(f"  /health (reference)             {ms(health)}")
    print(f"  first board load                {first * 1000:7.1f} ms")
    print(f"  poll, reads kept                {ms(polls)}")
    print(f"  poll, nothing kept              {ms(uncached)}")
    print(f"  {args.burst} polls at once, reads over  {ms(burst)}")
    print(f"  partner requests for that burst {reached} (environments: / and /__heartbeat__ "
          f"each; Bugzilla once; GitHub history kept 5 min)")
    first_page, page_polls, asked_first, asked_polls = names
    print(f"  release page, first load        {first_page * 1000:7.1f} ms  "
          f"({asked_first} users.info)")
    print(f"  release page poll, names kept   {ms(page_polls)}  "
          f"({asked_polls} users.info in {len(page_polls)} polls)")
    return 0


def release_page(chat: Chat, latency: float, polls: int
                 ) -> tuple[float, list[float], int, int]:
    """The release page's first load and polls with Slack `latency` s late; with the
    users.info requests each made."""
    runtime, slack = chat.app.runtime, chat.sandbox.slack
    runtime.directory = Directory(chat.settings.roles, runtime.client, ttl=0.0)
    slack.faults.latency = latency
    with Server(routes(chat.app, board=BoardOptions())) as server:
        page = server.url + "/releases/loop-server/0.13.0?part=main"
        with slack.counting() as first_asked:
            first = timed(page)
        with slack.counting() as polls_asked:
            timings = [timed(page) for _ in range(polls)]
    slack.faults.latency = 0.0
    return first, timings, users_info(first_asked), users_info(polls_asked)


def users_info(seen: list[LoggedRequest]) -> int:
    return sum(1 for request in seen if request.path.endswith("/users.info"))


if __name__ == "__main__":
    sys.exit(main())
