"""One `loopbot run` replica for tests/e2e/test_two_replicas.py, as its own process:
`python -m tests.e2e.replica SETTINGS.json LEASE_SECONDS RENEW_SECONDS`.

The settings file is the configuration (app.yaml's content, pointed at the stand-ins, the
Slack API address included); the secrets come from the environment, as for `loopbot run`.
Only the lease's timing is passed as arguments.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from bot.config.settings import settings_from_dict
from bot.entrypoints.production import run


def main(argv: list[str]) -> int:
    settings_file, lease, renew = argv
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    settings = settings_from_dict(json.loads(Path(settings_file).read_text()),
                                  environ=os.environ)
    return run(settings, port=0, lease_seconds=float(lease), renew_seconds=float(renew))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
