"""The files each commit changes, kept by sha (`store.commit_files`): a commit's file list
never changes, so what one changelog read from GitHub serves every later one. Keeping a
sha twice keeps the first list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from bot.store.engine import insert_ignoring
from bot.store.tables import commit_files

CHUNK = 500  # shas per query: well under SQLite's and PostgreSQL's parameter limits


class CommitFiles:
    """Each call is its own transaction."""

    def __init__(self, connect: Callable[[], Connection], clock: Callable[[], Any]) -> None:
        self._connect = connect
        self._clock = clock

    def get(self, shas: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The kept file lists of those of `shas` read before."""
        wanted = list(dict.fromkeys(shas))
        found: dict[str, tuple[str, ...]] = {}
        with self._connect() as conn:
            for start in range(0, len(wanted), CHUNK):
                query = select(commit_files.c.sha, commit_files.c.paths).where(
                    commit_files.c.sha.in_(wanted[start:start + CHUNK]))
                found.update((row.sha, tuple(row.paths)) for row in conn.execute(query))
        return found

    def keep(self, files: Mapping[str, Sequence[str]]) -> None:
        """Keep each commit's file list (one transaction)."""
        if not files:
            return
        now = self._clock()
        with self._connect() as conn:
            for sha, paths in files.items():
                values = {"sha": sha, "paths": list(paths), "read_at": now}
                conn.execute(insert_ignoring(conn.dialect.name, commit_files, values, ["sha"]))
            conn.commit()
