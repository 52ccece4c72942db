"""What a fresh database costs: `loopbot db upgrade` on an empty SQLite file, the same on a
database already current (what every `loopbot sandbox` start pays), and the test fixtures'
way (a copy of a migrated template), beside `create_all` of the models as the reference
(what loopbot did before migrations), all measured in the same run.

Prints the median of each in milliseconds. Run: .venv/bin/python bench/schema_setup.py
[--rounds 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.store.engine import build_engine, parse_url
from bot.store.schema import upgrade
from bot.store.tables import metadata


def timed(rounds: int, prepare: Callable[[Path], None], work: Callable[[Path], None]) -> float:
    """Median milliseconds of work(path), each round on a new path made by prepare(path)."""
    times = []
    with tempfile.TemporaryDirectory(prefix="loopbot-bench-") as folder:
        for i in range(rounds):
            path = Path(folder) / f"db-{i}.db"
            prepare(path)
            start = time.perf_counter()
            work(path)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def create_all(path: Path) -> None:
    engine = build_engine(parse_url(f"sqlite:///{path}"))
    metadata.create_all(engine)
    engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args(argv).rounds
    with tempfile.TemporaryDirectory(prefix="loopbot-template-") as folder:
        template = Path(folder) / "template.db"
        upgrade(f"sqlite:///{template}")  # also warms Alembic's script loading up

        def nothing(_: Path) -> None:
            return None

        def migrated(path: Path) -> None:
            shutil.copyfile(template, path)

        figures = {
            "create_all (reference)": timed(rounds, nothing, create_all),
            "db upgrade, empty database": timed(
                rounds, nothing, lambda p: upgrade(f"sqlite:///{p}")),
            "db upgrade, already current": timed(
                rounds, migrated, lambda p: upgrade(f"sqlite:///{p}")),
            "copy of the migrated template": timed(rounds, nothing, migrated),
        }
    for name, ms in figures.items():
        print(f"{name:32} {ms:8.1f} ms (median of {rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
