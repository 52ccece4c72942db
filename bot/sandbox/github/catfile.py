"""One `git cat-file --batch-command` per repository, for the GitHub stand-in's reads.

Objects are immutable, so one long-lived git answers every object read of a repository
(its type, its content, a full sha peeled to a commit or tree) instead of one process
per read. It sees objects written after it started: git rescans the object store when it
misses one. Questions are serialised by a lock (the stand-in serves in threads). The
process is kept only between `open()` and `close()` (while the stand-in serves); outside
them each question runs a git of its own, so a reader before the start or after the
stop gets its answer and no process is left behind.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Callable, Mapping
from typing import IO


class CatFileError(Exception):
    """The cat-file process ended unexpectedly."""


class CatFile:
    """Asks one git `cat-file --batch-command` in GIT_DIR about objects by name."""

    def __init__(self, env: Callable[[], Mapping[str, str]]) -> None:
        self._env = env  # read at each start, like every other git the stand-in runs
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._closed = True  # until open()

    def info(self, name: str) -> tuple[str, str, int] | None:
        """(sha, type, size) of the object `name` names, or None when there is none."""
        found = self._ask("info", name)
        return None if found is None else (found[0], found[1], found[2])

    def contents(self, name: str) -> tuple[str, str, bytes] | None:
        """(sha, type, content) of the object `name` names, or None."""
        found = self._ask("contents", name)
        return None if found is None else (found[0], found[1], found[3])

    def open(self) -> None:
        """Keep one process for the questions from now on (started at the first)."""
        with self._lock:
            self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop()

    # -- the process ------------------------------------------------------------------
    def _ask(self, command: str, name: str) -> tuple[str, str, int, bytes] | None:
        if not name or any(c.isspace() or c == "\0" for c in name):
            raise ValueError(f"not an object name for cat-file: {name!r}")
        line = f"{command} {name}\n".encode()
        with self._lock:
            if self._closed:  # not open: one git for this question alone
                with self._start() as once:
                    out, _ = once.communicate(line)
                return _parse(command, _Reader(out))
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            process = self._process
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(line)
                process.stdin.flush()
                return _parse(command, process.stdout)
            except (OSError, CatFileError) as exc:
                self._stop()
                raise CatFileError(f"git cat-file: {exc}") from exc

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["git", "cat-file", "--batch-command"], env=self._env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(OSError):
            process.stdin.close()  # end of input: git exits
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


class _Reader:
    """A finished process's output, read like its pipe."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def readline(self) -> bytes:
        end = self._data.find(b"\n", self._at)
        end = len(self._data) if end < 0 else end + 1
        line, self._at = self._data[self._at:end], end
        return line

    def read(self, size: int) -> bytes:
        chunk, self._at = self._data[self._at:self._at + size], self._at + size
        return chunk


def _parse(command: str, out: IO[bytes] | _Reader) -> tuple[str, str, int, bytes] | None:
    header = out.readline()
    if not header.endswith(b"\n"):
        raise CatFileError("no answer")
    parts = header.decode().split()
    if len(parts) != 3:  # "<name> missing", "<name> ambiguous"
        return None
    sha, kind, size = parts[0], parts[1], int(parts[2])
    if command != "contents":
        return sha, kind, size, b""
    data = out.read(size + 1)  # the content, then a newline
    if len(data) != size + 1:
        raise CatFileError("short answer")
    return sha, kind, size, data[:size]
