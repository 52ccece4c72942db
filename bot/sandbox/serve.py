"""`loopbot sandbox serve`: start every stand-in, print one JSON line saying where they
are and what they accept, and serve until interrupted (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading

import yaml

from bot.config.settings import (
    Settings,
    config_path,
    default_config_text,
    load_settings,
    settings_from_dict,
)
from bot.sandbox.world import Sandbox

SHIPPED = "the shipped default app.yaml"


def sandbox_settings(path: str | None) -> Settings:
    """The configuration asked for; with none asked for and no ./app.yaml, the one shipped
    in the package (every key has a sandbox default), said on standard error: the sandbox
    needs no setup, unlike `loopbot run`."""
    if path is not None or config_path(None).exists() or "LOOPBOT_CONFIG" in os.environ:
        return load_settings(path)
    print(f"loopbot sandbox: no {config_path(None)} here: using {SHIPPED} (`loopbot init` "
          "writes it to edit)", file=sys.stderr, flush=True)
    return settings_from_dict(yaml.safe_load(default_config_text()), source=SHIPPED,
                              environ=os.environ)


def serve(args: argparse.Namespace) -> int:
    settings = sandbox_settings(args.config)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Sandbox.start(settings, state_dir=args.dir, repo=args.repo) as sandbox:
        print(json.dumps(sandbox.describe()), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0
