"""`loopbot sandbox serve` seen from other processes, as "Trying `loopbot run` against the
sandbox" in the README does it by hand: the JSON line it prints (`where`) turned into an
app.yaml and the environment variables that point `loopbot run` at its stand-ins, and
`loopbot` subcommands started as processes. Used by the end-to-end tests and bench/.

    with loopbot(["sandbox", "serve"], cwd, env) as sandbox:
        where = first_json_line(sandbox)
        env |= secrets_of(where, cwd / "loopbot.db")
        config = config_for(where, cwd / "app.yaml")
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml

from bot.config.settings import default_config_text

COMMAND = [sys.executable, "-m", "bot.entrypoints.cli"]


def start(args: list[str], cwd: Path, env: dict[str, str],
          stderr: int | IO[str] = subprocess.PIPE) -> subprocess.Popen[str]:
    """`loopbot ARGS` as a process of its own, its output read as text."""
    return subprocess.Popen([*COMMAND, *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=stderr)


@contextmanager
def loopbot(args: list[str], cwd: Path, env: dict[str, str]
            ) -> Iterator[subprocess.Popen[str]]:
    """`start`, killed on the way out if still running."""
    started = start(args, cwd, env)
    try:
        yield started
    finally:
        if started.poll() is None:
            started.kill()
            started.wait(timeout=10)


def first_json_line(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The JSON line `sandbox serve` and `run` print once they are up."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(proc.stderr.read() if proc.stderr else
                             f"no output (exit {proc.wait()})")
    return dict(json.loads(line))


def config_for(where: dict[str, Any], path: Path) -> Path:
    """The shipped app.yaml pointed at the stand-ins `where` names, written to `path`."""
    config = yaml.safe_load(default_config_text())
    config["github"] = {"url": where["github"]["url"]}
    config["bugzilla"] = {"url": where["bugzilla"]["url"]}
    config["slack"]["api_url"] = where["slack"]["url"]
    for service in config["services"]:
        for env, settings in service["environments"].items():
            settings["url"] = where["environments"][f"{service['name']}/{env}"]
    # unsorted: the environments are the pipeline, in order
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def secrets_of(where: dict[str, Any], database: Path) -> dict[str, str]:
    """The environment variables `loopbot run` needs against the stand-ins (and SQLite)."""
    return {
        "SLACK_BOT_TOKEN": where["slack"]["bot_token"],
        "SLACK_SIGNING_SECRET": where["slack"]["signing_secret"],
        "GITHUB_TOKEN": where["github"]["token"],
        "BUGZILLA_API_KEY": where["bugzilla"]["api_key"],
        "DATABASE_URL": f"sqlite:///{database}",
    }
