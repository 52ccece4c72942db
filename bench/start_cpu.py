"""What each `loopbot` command costs to start, as the suite starts about a hundred of them:
CPU (user + system, every thread, from /proc) best of `--runs`, and which of the heavy
libraries it had imported by then (read from `python -X importtime` in a separate run).

- `sandbox serve`, `run`: until the JSON line each prints once it is up (`run` against
  the stand-ins of a `sandbox serve`, on a SQLite database `db upgrade` made);
- `sandbox` (the chat), `db upgrade` (a fresh database), `db check`, `import`: the whole
  process, with the git processes it waited for (the sandbox's GitHub stand-in).

Then, less noisy than a whole start on a shared machine: the CPU of what a start no longer
does, each in a fresh process after the store's imports (best of `--runs`): the newest
revision read by Alembic's ScriptDirectory (as before) or from the files (now), and
Jinja2's import with the board's Environment (now at the first page).

    .venv/bin/python bench/start_cpu.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.sandbox.served import COMMAND, config_for, first_json_line, secrets_of
from bot.sandbox.served import loopbot as process

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
HEAVY = ("sqlalchemy", "alembic", "mako", "jinja2", "icalendar", "github", "bugzilla",
         "slack_bolt", "waitress", "apscheduler")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def imported(stderr: str) -> list[str]:
    found = {line.rsplit("|", 1)[1].strip().split(".")[0]
             for line in stderr.splitlines() if line.startswith("import time:")}
    return [name for name in HEAVY if name in found]


def until_up(args: list[str], cwd: Path, env: dict[str, str], importtime: bool
             ) -> tuple[float, str]:
    """CPU of a serving command when it prints its JSON line; then stopped (SIGTERM)."""
    command = [*COMMAND[:1], *(["-X", "importtime"] if importtime else []), *COMMAND[1:]]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen([*command, *args], cwd=cwd, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=err)
        try:
            first_json_line(proc)
            used = cpu_seconds(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        err.seek(0)
        return used, err.read()


def whole(args: list[str], cwd: Path, env: dict[str, str], importtime: bool,
          stdin: str = "") -> tuple[float, str]:
    """CPU of a command run to its end (its waited children, git's, included)."""
    command = [*COMMAND[:1], *(["-X", "importtime"] if importtime else []), *COMMAND[1:]]
    before = _children_cpu()
    done = subprocess.run([*command, *args], cwd=cwd, env=env, text=True, input=stdin,
                          capture_output=True, timeout=120)
    return _children_cpu() - before, done.stderr


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


PARTS = {
    "newest revision, Alembic's ScriptDirectory": (
        "from alembic.script import ScriptDirectory\n"
        "ScriptDirectory.from_config(schema.alembic_config()).get_current_head()"),
    "newest revision, read from the files": "schema.head_revision()",
    "Jinja2 and the board's Environment": "renderer._env",
}
PART = """import time
from zoneinfo import ZoneInfo
from bot.board.render import Renderer
from bot.store import schema, tables
renderer = Renderer(ZoneInfo("UTC"))
started = time.process_time()
{}
print(time.process_time() - started)
"""


def part_cpu(code: str) -> float:
    done = subprocess.run([COMMAND[0], "-c", PART.format(code)], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ,
                                                               "PYTHONPATH": str(ROOT)})
    return float(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="best of this many runs each")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
        config = ["--config", str(ROOT / "app.yaml")]
        with process(["sandbox", "serve", *config], work, env) as sandbox:
            where = first_json_line(sandbox)
            run_env = {**env, **secrets_of(where, work / "loopbot.db")}
            run_config = ["--config", str(config_for(where, work / "app.yaml"))]
            subprocess.run([*COMMAND, "db", "upgrade", *run_config], cwd=work, env=run_env,
                           check=True, capture_output=True)
            fresh = {**env, "DATABASE_URL": f"sqlite:///{work / 'fresh.db'}"}

            def upgrade_fresh(importtime: bool) -> tuple[float, str]:
                (work / "fresh.db").unlink(missing_ok=True)
                return whole(["db", "upgrade", *config], work, fresh, importtime)

            commands: dict[str, Callable[[bool], tuple[float, str]]] = {
                "sandbox serve": lambda t: until_up(["sandbox", "serve", *config], work, env, t),
                "run": lambda t: until_up(["run", "--port", "0", *run_config], work, run_env, t),
                "sandbox (/loop help)": lambda t: whole(["sandbox", *config], work, env, t,
                                                        stdin="/loop help\n"),
                "db upgrade (fresh)": upgrade_fresh,
                "db check": lambda t: whole(["db", "check", *run_config], work, run_env, t),
                "import": lambda t: whole(["import", *run_config], work, run_env, t),
            }
            for name, measure in commands.items():
                best = min(measure(False)[0] for _ in range(runs))
                heavy = imported(measure(True)[1])
                print(f"{name:22} {best:5.2f} s CPU (best of {runs})  imports: "
                      f"{', '.join(heavy) or '-'}", flush=True)
    for name, code in PARTS.items():
        best = min(part_cpu(code) for _ in range(runs))
        print(f"{name:44} {best * 1000:6.1f} ms CPU (best of {runs})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
