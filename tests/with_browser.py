"""Run a command with Debian's Chromium on the machine, for the board's browser tests:
`python -m tests.with_browser CMD...`.

When /usr/bin/chromium is missing it installs Debian's `chromium` package under CI
(CI=true, as root), the way tests/with_postgres.py installs PostgreSQL; elsewhere it runs
the command as it is and the browser tests skip, saying why. Playwright never downloads
a browser: the tests hand it the system's.
"""

from __future__ import annotations

import os
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def _install() -> None:
    print("with_browser: installing Debian's chromium package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
                   check=True, env=env)


def main(command: list[str]) -> int:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") and os.geteuid() == 0:
            _install()
        else:
            print("with_browser: no Chromium at /usr/bin/chromium; browser tests will skip",
                  flush=True)
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
