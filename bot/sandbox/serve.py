"""`loopbot sandbox serve`: start every stand-in, print one JSON line saying where they
are and what they accept, and serve until interrupted (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import threading

from bot.config import load_settings
from bot.sandbox.world import Sandbox


def serve(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Sandbox.start(settings, state_dir=args.dir, repo=args.repo) as sandbox:
        print(json.dumps(sandbox.describe()), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0
