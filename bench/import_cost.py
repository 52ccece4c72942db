"""What `loopbot import` costs as a repository's tags grow (issue 17): a repository built
with git here (1,000 or 10,000 commits on master, each with a release tag, one in ten a
patch), served by the GitHub stand-in as `loopbot sandbox --repo` serves one, imported
into a fresh SQLite database. Prints the seconds for each size and their ratio (a linear
import takes about 10 times as long for 10 times the tags: the patch tags are placed
from one read of master's history, no longer one comparison each, issue 17), and the CPU
seconds: loopbot's and the stand-in's (one process) and git's (the stand-in's
subprocesses), less noisy than the wall clock on a shared machine.

    .venv/bin/python bench/import_cost.py [--profile]

`--profile` prints cProfile's top functions of the 10,000-tag import: by own time, and
loopbot's own by cumulative time.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.clock import ManualClock
from bot.config.settings import load_settings
from bot.entrypoints.wiring import build_context
from bot.sandbox.world import Sandbox
from bot.store.schema import upgrade
from bot.usecases.adoption import import_releases

SIZES = (1_000, 10_000)
FAST = {"seconds_between_requests": 0, "seconds_between_writes": 0}


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, check=True,
                          capture_output=True, text=True).stdout.strip()


def build_repo(root: Path, tags: int) -> Path:
    """A repository whose master has one commit per tag, each tagged 1.N.0, or 1.N.1 (a
    patch, whose branch the import asks GitHub about) for one in ten."""
    repo = root / "repo"
    subprocess.run(["git", "init", "-q", "-b", "master", str(repo)], check=True)
    stream = []
    for n in range(tags):
        message = f"Change {n}\n"
        content = f"change {n}\n"
        stream += ["commit refs/heads/master", f"mark :{n + 1}",
                   f"committer bench <bench@example.org> {1_700_000_000 + n} +0000",
                   f"data {len(message)}", message.rstrip("\n"),
                   *([f"from :{n}"] if n else []),
                   "M 100644 inline README.md", f"data {len(content)}", content.rstrip("\n"),
                   "", f"reset refs/tags/1.{n}.{1 if n % 10 == 9 else 0}", f"from :{n + 1}", ""]
    git(repo, "fast-import", "--quiet", stdin="\n".join(stream) + "\n")
    git(repo, "checkout", "-q", "master")
    return repo


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(tags: int, profile: bool) -> tuple[float, float]:
    settings = load_settings(Path(__file__).resolve().parents[1] / "app.yaml", environ={})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = build_repo(root, tags)
        with Sandbox.start(settings, state_dir=root / "sandbox", repo=repo) as sandbox:
            url = f"sqlite:///{root / 'loopbot.db'}"
            upgrade(url)
            ctx = build_context(sandbox.settings(settings, database_url=url),
                                clock=ManualClock(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)),
                                github_options=FAST, environment_timeout=2.0)
            profiler = cProfile.Profile() if profile else None
            started, cpu, git_cpu = time.perf_counter(), time.process_time(), _children_cpu()
            if profiler:
                profiler.enable()
            result = import_releases(ctx, ctx.service())
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            cpu, git_cpu = time.process_time() - cpu, _children_cpu() - git_cpu
            ctx.store.dispose()
            ctx.close()
    print(f"{tags:>6,} tags: {seconds:7.2f} s, CPU {cpu + git_cpu:7.2f} s (Python "
          f"{cpu:.2f} s, git {git_cpu:.2f} s) ({len(result.imported):,} releases imported)")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(12)
        stats.sort_stats("cumtime").print_stats(r"/bot/", 15)
        print(out.getvalue())
    return seconds, cpu + git_cpu


def main() -> int:
    profile = "--profile" in sys.argv[1:]
    (small, small_cpu), (large, large_cpu) = (measure(n, profile and n == SIZES[-1])
                                              for n in SIZES)
    print(f"ratio {SIZES[1] // SIZES[0]}x the tags: {large / small:.1f}x the time, "
          f"{large_cpu / small_cpu:.1f}x the CPU (linear: about 10x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
