"""Run a command with a throwaway PostgreSQL server: `python -m tests.with_postgres CMD...`.

Starts a server from the machine's PostgreSQL binaries in a temporary directory on a free
port of 127.0.0.1, exports LOOPBOT_TEST_POSTGRES_URL for the command, and stops the server
afterwards. A server refuses to run as root, so as root it runs as the `postgres` user.
When no binaries are found it installs Debian's server under CI (CI=true) and otherwise
runs the command without PostgreSQL: the store's PostgreSQL tests then skip, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


def _install() -> None:
    print("with_postgres: installing Debian's postgresql package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", "env", "-C", "/", *argv]


def main(command: list[str]) -> int:
    if os.environ.get("LOOPBOT_TEST_POSTGRES_URL"):
        return subprocess.call(command)
    bindir = _binaries()
    if bindir is None and os.environ.get("CI") and os.geteuid() == 0:
        _install()
        bindir = _binaries()
    if bindir is None:
        print("with_postgres: no PostgreSQL server binaries; PostgreSQL tests will skip")
        return subprocess.call(command)

    datadir = tempfile.mkdtemp(prefix="loopbot-pg-")
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    port = _free_port()
    pg = lambda name: os.path.join(bindir, name)  # noqa: E731
    subprocess.run(
        _as_user([pg("initdb"), "-D", datadir, "-U", "loopbot", "-A", "trust", "--no-sync"]),
        check=True, stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_user([pg("pg_ctl"), "-D", datadir, "-o", options, "-w", "-l",
                  os.path.join(datadir, "log"), "start"]),
        check=True, stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if subprocess.call(_as_user([pg("pg_isready"), "-h", "127.0.0.1", "-p", str(port)]),
                               stdout=subprocess.DEVNULL) == 0:
                break
            time.sleep(0.1)
        url = f"postgresql+psycopg://loopbot@127.0.0.1:{port}/postgres"
        print(f"with_postgres: PostgreSQL at 127.0.0.1:{port}", flush=True)
        return subprocess.call(command, env={**os.environ, "LOOPBOT_TEST_POSTGRES_URL": url})
    finally:
        subprocess.run(_as_user([pg("pg_ctl"), "-D", datadir, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(datadir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
