"""What a go/no-go costs when the partners are slow: every stand-in (GitHub, Bugzilla,
each environment) answers after `--latency` seconds.

In one run, with a release verified on stage (two tickets, stage and prod on different
versions, so the drift and the API versions are read): the go/no-go as `/loop gonogo`
and the Friday post read it (two rounds of calls at once), beside the reference of the
same partner calls made one after the other, and how many requests reached the partners.
Run: .venv/bin/python bench/gonogo_reads.py [--latency 0.5] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.config.settings import load_settings
from bot.domain.release import Env
from bot.sandbox.chat.session import close_chat, open_chat
from bot.usecases.gonogo import gonogo
from bot.usecases.release_commit import api_impact_of

ROOT = Path(__file__).resolve().parents[1]
SETUP = ("/loop tag", "!click Tag 0.13.0", "@qa /loop request stage 0.13.0",
         "!deploy stage 0.13.0", "@ops /loop deployed stage 0.13.0",
         "@qa /loop loadtest stage 0.13.0 window 2026-12-09T14:00 16:00",
         "!clock 2026-12-09 16:05", "@qa /loop loadtest stage 0.13.0 pass",
         "@qa /loop verify stage 0.13.0")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="partner delay, seconds")
    parser.add_argument("--runs", type=int, default=5, help="go/no-go reads measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        options = argparse.Namespace(dir=state, repo=None, json=False, start="2026-12-08 09:00")
        chat = open_chat(load_settings(ROOT / "app.yaml", environ={}), options, io.StringIO())
        try:
            for line in SETUP:
                chat.handle(line)
            ctx = chat.app.ctx
            stand_ins = [chat.sandbox.github, chat.sandbox.bugzilla,
                         *chat.sandbox.environments.values()]
            ctx.service().tracker.connect()
            for stand_in in stand_ins:
                stand_in.faults.latency = args.latency
            verdict = gonogo(ctx, ctx.service()).verdict.value
            before = sum(len(s.requests) for s in stand_ins)
            at_once = [timed(lambda: gonogo(ctx, ctx.service())) for _ in range(args.runs)]
            reached = (sum(len(s.requests) for s in stand_ins) - before) // args.runs
            one_by_one = [timed(lambda: sequential(ctx)) for _ in range(args.runs)]
        finally:
            close_chat(chat)
    print(f"go/no-go reads with every partner {args.latency:g} s late ({verdict}; "
          f"{reached} partner requests per go/no-go)")
    print(f"  the same calls one after the other (reference)  {ms(one_by_one)}")
    print(f"  the go/no-go (two rounds at once)               {ms(at_once)}")
    return 0


def sequential(ctx: object) -> None:
    """The go/no-go's partner calls, one after the other."""
    from bot.usecases.context import Context

    assert isinstance(ctx, Context)
    ports = ctx.service()
    with ctx.store.unit_of_work() as uow:
        release = uow.releases.get(ports.config.name, "0.13.0")
    assert release is not None
    ids = [t.bug_id for env in Env if (t := release.ticket(env)) is not None]
    ports.tracker.bugs(ids)
    for env in ports.config.environments:
        ctx.read_environment(ports.config, env)
    ports.forge.commits_between("0.12.2", "0.13.0")
    api_impact_of(ports, "0.12.2", "0.13.0")


def timed(work: object) -> float:
    assert callable(work)
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def ms(seconds: list[float]) -> str:
    return (f"p50 {statistics.median(seconds) * 1000:7.1f} ms  "
            f"max {max(seconds) * 1000:7.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
