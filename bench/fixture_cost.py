"""What the tests' shared set-up costs each test: `loop_world`'s start and stop (the
sandbox, the bot's app and its HTTP server: tests/fixtures/app.py), with the sandbox
seeded on the spot (`Sandbox.start`, as before the template) and copied from the seeded
template (tests/fixtures/sandbox.py, what the fixtures do); one stand-in's start and stop,
beside the standard library's loop polling every 0.05 s (the stand-ins' stop before).
Wall time and CPU (this process and the git processes it waited for), mean of `--runs`.

    .venv/bin/python bench/fixture_cost.py [--runs 10]

On a busy machine read the CPU column: wall time there mostly measures the others.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fixtures live in tests/

from bot.config.settings import Settings  # noqa: E402
from bot.sandbox.environments import EnvironmentStandIn  # noqa: E402
from bot.sandbox.world import Sandbox  # noqa: E402
from tests.fixtures import app, sandbox  # noqa: E402
from tests.fixtures.standins import _shipped, without_opt_ins  # noqa: E402


def cpu() -> float:
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(runs: int, step: Callable[[Path], Callable[[], None]]) -> tuple[str, str]:
    """`step(folder)` starts and returns the stop; mean (start, stop) as text."""
    totals = [0.0, 0.0, 0.0, 0.0]
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="loopbot-bench-"))
        wall, used = time.perf_counter(), cpu()
        stop = step(folder)
        wall2, used2 = time.perf_counter(), cpu()
        stop()
        wall3, used3 = time.perf_counter(), cpu()
        for i, value in enumerate((wall2 - wall, used2 - used, wall3 - wall2, used3 - used2)):
            totals[i] += value / runs
        shutil.rmtree(folder, ignore_errors=True)
    return (f"{totals[0] * 1000:6.0f} ms wall {totals[1] * 1000:5.0f} ms CPU",
            f"{totals[2] * 1000:5.0f} ms wall {totals[3] * 1000:4.0f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    settings = without_opt_ins(_shipped())
    sandbox.start_sandbox(settings, Path(tempfile.mkdtemp()) / "warm").stop()  # the template

    def world(folder: Path) -> Callable[[], None]:
        started, loop = app.start_world(settings, folder)
        return lambda: app.stop_world(started, loop)

    def seeded(base: Settings, state_dir: Path) -> Sandbox:
        return Sandbox.start(base, state_dir=state_dir)

    def stand_in(folder: Path) -> Callable[[], None]:
        return EnvironmentStandIn("stage").start().stop

    def polling(folder: Path) -> Callable[[], None]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
        return stop

    print(f"mean of {runs} runs          start                       stop")
    with mock.patch.object(app, "start_sandbox", seeded):
        print("loop_world, seeded  ", *measure(runs, world))
    print("loop_world, template", *measure(runs, world))
    print("one stand-in        ", *measure(runs, stand_in))
    print("stdlib, 0.05 s poll ", *measure(runs, polling))


if __name__ == "__main__":
    main()
