"""What `loopbot run` and `loopbot sandbox serve` cost at rest: the CPU each process uses
(every thread, user + system, from /proc) over `--seconds` right after start-up, with no
request and no partner call from outside, as a percentage of one core.

Started together and measured over the same window: `loopbot sandbox serve` (the stand-ins),
`loopbot run` against them (its first scheduler tick included), and two references: a bare
waitress serving a one-line WSGI app with waitress's default settings, and a Python process
that only sleeps. Run: .venv/bin/python bench/idle_cpu.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.sandbox.served import COMMAND, config_for, first_json_line, secrets_of
from bot.sandbox.served import start as loopbot

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
BARE_WAITRESS = """
import waitress
def app(environ, start_response):
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]
waitress.serve(app, host="127.0.0.1", port=0, _quiet=True)
"""


def cpu_seconds(pid: int) -> float:
    """User + system time of the whole process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def start(args: list[str], cwd: Path, env: dict[str, str], log: TextIO
          ) -> subprocess.Popen[str]:
    """A reference process (not `loopbot`)."""
    return subprocess.Popen(args, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=log)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
        log = (work / "processes.log").open("w", encoding="utf-8")
        started: dict[str, subprocess.Popen[str]] = {}
        try:
            started["loopbot sandbox serve"] = sandbox = loopbot(
                ["sandbox", "serve", "--config", str(ROOT / "app.yaml")], work, env, log)
            where = first_json_line(sandbox)
            env.update(secrets_of(where, work / "loopbot.db"))
            config = str(config_for(where, work / "app.yaml"))
            subprocess.run([*COMMAND, "db", "upgrade", "--config", config], cwd=work, env=env,
                           check=True, capture_output=True, timeout=120)
            started["loopbot run"] = run = loopbot(
                ["run", "--config", config, "--port", "0"], work, env, log)
            first_json_line(run)
            started["reference: bare waitress"] = start(
                [sys.executable, "-c", BARE_WAITRESS], work, env, log)
            started["reference: python sleeping"] = start(
                [sys.executable, "-c", "import time; time.sleep(3600)"], work, env, log)
            time.sleep(0.5)  # the references' start-up is not what is measured
            before = {name: cpu_seconds(p.pid) for name, p in started.items()}
            began = time.monotonic()
            time.sleep(args.seconds)
            elapsed = time.monotonic() - began
            after = {name: cpu_seconds(p.pid) for name, p in started.items()}
        finally:
            for process in started.values():
                process.terminate()
            for process in started.values():
                process.wait(timeout=30)
            log.close()
    print(f"CPU at rest over {elapsed:.1f} s after start-up (% of one core, all threads):")
    for name in started:
        used = after[name] - before[name]
        print(f"  {name:28} {100 * used / elapsed:6.2f} %  ({used:.2f} s of CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
