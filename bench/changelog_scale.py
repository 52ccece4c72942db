"""How `/loop tag`'s preview grows with the commits since the last tag (issue 18): for
each size, N commits on master, each naming one of N/5 bugs (all RESOLVED FIXED), the
partners on time (no injected latency); the preview's wall time, the GitHub requests it
made and, as the reference measured in the same run, the time to list the same commits
with `git log` in the stand-in's repository.

    .venv/bin/python bench/changelog_scale.py [--sizes 500 2000 5000] [--profile N]

Goal: linear growth (x4 the commits, about x4 the time) and 5,000 commits under 5 s.
`--profile N` prints cProfile's top functions for the size N instead of timing it alone.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import itertools
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.clock import ManualClock
from bot.config.settings import load_settings
from bot.domain.actions import Actor, Role
from bot.entrypoints.wiring import build_context
from bot.sandbox.world import Sandbox
from bot.store.schema import upgrade
from bot.usecases.tagging import preview_tag

DEV = Actor("U0DEV0001", frozenset({Role.DEV}), "dev")
FAST = {"seconds_between_requests": 0, "seconds_between_writes": 0}
GOAL_SECONDS = 5.0


def measure(size: int, profile: bool) -> tuple[float, int, float, int]:
    """(preview seconds, GitHub requests, git log seconds, commits in the preview)."""
    root = Path(__file__).resolve().parents[1]
    settings = load_settings(root / "app.yaml", environ={})
    bugs = max(1, size // 5)
    with tempfile.TemporaryDirectory() as tmp, \
            Sandbox.start(settings, state_dir=Path(tmp) / "sandbox") as sandbox:
        ids = [sandbox.bugzilla.add_bug(f"Loop bug number {n}", "RESOLVED", "FIXED")
               for n in range(bugs)]
        commits = [(f"Bug {ids[n % bugs]} — change {n} of the rooms API",
                    {f"loop/change_{n}.js": f"// {n}\n"}) for n in range(size)]
        shas = sandbox.github.commit_many("mozilla-services", "loop-server", "master", commits)
        repo = sandbox.github.repo_path("mozilla-services", "loop-server")
        began = time.perf_counter()
        subprocess.run(["git", "-C", str(repo), "log", "--format=%H %P %s", f"{shas[0]}~1.."
                        f"{shas[-1]}"], check=True, capture_output=True)
        git_log = time.perf_counter() - began
        upgrade(f"sqlite:///{tmp}/loopbot.db")
        ctx = build_context(
            sandbox.settings(settings, database_url=f"sqlite:///{tmp}/loopbot.db"),
            clock=ManualClock(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)), github_options=FAST)
        profiler = cProfile.Profile() if profile else None
        began = time.perf_counter()
        with sandbox.github.counting() as github:
            if profiler is not None:
                profiler.enable()
            preview = preview_tag(ctx, ctx.service(), DEV)
            if profiler is not None:
                profiler.disable()
        seconds = time.perf_counter() - began
        ctx.store.dispose()
        ctx.close()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return seconds, len(github), git_log, len(preview.commits)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000],
                        help="commits since the last tag, one run each")
    parser.add_argument("--profile", type=int, default=None, help="profile this size")
    args = parser.parse_args()
    if args.profile:
        measure(args.profile, profile=True)
        return 0
    print(f"{'commits':>8} {'preview':>9} {'per 1,000':>10} {'GitHub req':>10} "
          f"{'git log (ref)':>14}")
    results = []
    for size in args.sizes:
        seconds, requests, git_log, listed = measure(size, profile=False)
        results.append((size, seconds))
        print(f"{size:8d} {seconds:8.2f}s {seconds / size * 1000:9.2f}s {requests:10d} "
              f"{git_log * 1000:12.0f}ms  ({listed} commits in the preview)", flush=True)
    for (small, t_small), (big, t_big) in itertools.pairwise(results):
        print(f"x{big / small:.1f} the commits ({small} -> {big}): x{t_big / t_small:.1f} "
              "the time")
    largest, slowest = results[-1]
    print(f"goal: {largest} commits under {GOAL_SECONDS:.0f} s: "
          f"{'met' if slowest < GOAL_SECONDS else 'NOT met'} ({slowest:.2f} s)")
    return 0 if slowest < GOAL_SECONDS or largest < 5000 else 1


if __name__ == "__main__":
    sys.exit(main())
