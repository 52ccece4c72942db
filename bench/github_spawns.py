"""How many git processes the GitHub stand-in starts for one playback of the whole
release process (issue 20), counted with git's own trace (GIT_TRACE2_EVENT: every git
process writes a "start" event), and the playback's CPU (the sandbox process and every
git it waited for). Counts do not depend on the machine's load.

    .venv/bin/python bench/github_spawns.py [SCRIPT]

SCRIPT defaults to tests/e2e/scripts/whole_process.txt, played by `loopbot sandbox
--start "2026-12-01 10:00"` in a temporary folder. Prints the total, then the count
per git command, most first.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "e2e" / "scripts" / "whole_process.txt"


def main() -> None:
    script = Path(sys.argv[1]) if len(sys.argv) > 1 else SCRIPT
    loopbot = Path(sys.executable).parent / "loopbot"
    with tempfile.TemporaryDirectory(prefix="github-spawns-") as scratch:
        trace = Path(scratch) / "trace.json"
        env = {**os.environ, "GIT_TRACE2_EVENT": str(trace)}
        started = time.perf_counter()
        done = subprocess.run([str(loopbot), "sandbox", "--config", str(ROOT / "app.yaml"),
                               "--start", "2026-12-01 10:00"], input=script.read_text(),
                              cwd=scratch, env=env, capture_output=True, text=True,
                              check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"loopbot sandbox failed ({done.returncode}): {done.stderr[-500:]}")
        events = [json.loads(line) for line in trace.read_text().splitlines()]
    commands = collections.Counter(e["argv"][1] if len(e["argv"]) > 1 else "git"
                                   for e in events if e.get("event") == "start")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{script.name}: {sum(commands.values())} git processes; "
          f"{cpu.ru_utime + cpu.ru_stime:.2f} s CPU (sandbox and git), {wall:.1f} s wall")
    for command, count in commands.most_common():
        print(f"  {count:4d} {command}")


if __name__ == "__main__":
    main()
