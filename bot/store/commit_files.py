"""The files each commit changes, kept by sha (a mixin of `Store`): a commit's file list
never changes, so what one changelog read from GitHub serves every later one. Keeping a
sha twice keeps the first list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from bot.store.engine import insert_ignoring
from bot.store.tables import commit_files

CHUNK = 500  # shas per query: well under SQLite's and PostgreSQL's parameter limits


class CommitFileRecords:
    """Needs `_connect`, `dialect` and `_clock` from Store."""

    _clock: Callable[[], Any]

    @property
    def dialect(self) -> str: ...  # pragma: no cover
    def _connect(self) -> Connection: ...  # pragma: no cover

    def commit_files(self, shas: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The kept file lists of those of `shas` read before."""
        wanted = list(dict.fromkeys(shas))
        found: dict[str, tuple[str, ...]] = {}
        with self._connect() as conn:
            for start in range(0, len(wanted), CHUNK):
                query = select(commit_files.c.sha, commit_files.c.paths).where(
                    commit_files.c.sha.in_(wanted[start:start + CHUNK]))
                found.update((row.sha, tuple(row.paths)) for row in conn.execute(query))
        return found

    def keep_commit_files(self, files: Mapping[str, Sequence[str]]) -> None:
        """Keep each commit's file list (one transaction)."""
        if not files:
            return
        now = self._clock()
        with self._connect() as conn:
            for sha, paths in files.items():
                values = {"sha": sha, "paths": list(paths), "read_at": now}
                conn.execute(insert_ignoring(self.dialect, commit_files, values, ["sha"]))
            conn.commit()
