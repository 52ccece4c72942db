"""What one scheduler tick costs at rest: CPU, SQL statements, transactions, partner reads.

A sandbox world (the shipped app.yaml, two services) with loop-server 0.13.0 on stage,
deployed and waiting for QA, the demo's releases adopted; then `--ticks` ticks of
`bot.jobs.run_due`, one a minute from Thu 2026-12-10 11:00 (a quiet day: past
announcements and reminders all claimed by the first tick, nothing new due).
The sandbox clock stays at 11:00 (moving it writes the sandbox's state file: not the
tick's cost); each tick is given its instant, as the scheduler's job is.
Prints CPU per tick (this process: the stand-ins' threads included, so their answers
to the tick's reads count), SQL statements and transactions per tick (SQLAlchemy
events) and partner HTTP requests per tick (the stand-ins' request logs).
Run: .venv/bin/python bench/tick_cost.py [--ticks 200]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.config.settings import load_settings
from bot.jobs import run_due
from bot.partners.slack import Chat as SlackChat
from bot.sandbox.chat.session import close_chat, open_chat

ROOT = Path(__file__).resolve().parents[1]
SETUP = ("/loop tag", "!click Tag 0.13.0", "@qa /loop request stage 0.13.0",
         "!deploy stage 0.13.0", "@ops /loop deployed stage 0.13.0",
         "!clock 2026-12-10 11:00")
START = dt.datetime(2026, 12, 10, 10, 0, tzinfo=dt.UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=200, help="ticks measured")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 30")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        options = argparse.Namespace(dir=state, repo=None, json=False, start="2026-12-08 09:00")
        settings = load_settings(ROOT / "app.yaml", environ={})
        chat = open_chat(settings, options, io.StringIO())
        try:
            for line in SETUP:
                chat.handle(line)
            ctx = chat.app.ctx
            slack = SlackChat.from_settings(chat.settings, base_url=chat.sandbox.slack.api_url)
            stand_ins = [chat.sandbox.github, chat.sandbox.bugzilla,
                         *chat.sandbox.environments.values()]
            counts = {"statements": 0, "transactions": 0}
            engine: Any = ctx.store._engine

            def statement(*_: object) -> None:
                counts["statements"] += 1

            def begin(*_: object) -> None:
                counts["transactions"] += 1

            event.listen(engine, "before_cursor_execute", statement)
            event.listen(engine, "begin", begin)
            run_due(ctx, slack, None, START)  # the first tick claims what is past
            counts.update(statements=0, transactions=0)
            before = sum(len(s.requests) for s in stand_ins)
            profile = cProfile.Profile() if args.profile else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profile:
                profile.enable()
            for n in range(1, args.ticks + 1):
                moment = START + dt.timedelta(minutes=n)
                run_due(ctx, slack, None, moment)
            if profile:
                profile.disable()
                order = os.environ.get("TICK_SORT", "cumulative")  # or tottime
                pstats.Stats(profile).sort_stats(order).print_stats(30)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            reads = sum(len(s.requests) for s in stand_ins) - before
        finally:
            close_chat(chat)
    per = args.ticks
    print(f"one scheduler tick at rest ({per} ticks, {len(settings.services)} services)")
    print(f"  CPU per tick            {1000 * cpu / per:6.2f} ms"
          f"  (wall {1000 * wall / per:.2f} ms)")
    print(f"  SQL statements per tick {counts['statements'] / per:6.1f}")
    print(f"  transactions per tick   {counts['transactions'] / per:6.1f}")
    print(f"  partner reads per tick  {reads / per:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
