"""Which API versions' code a release changes, from the files it changes (PROCESS.md, "API
versions": one server serves `/v1` and `/v2`, so a fix for `/v2` ships to `/v1` users too).

A service configures, per API version, the path patterns of the files serving it
(loop-server: `loop/routes/*.js` for both `/v1` and `/v2`). A pattern matches a path
segment by segment (`*`, `?` and `[...]` within one segment, as `fnmatch`), and `**`
stands for any number of segments. Pure: the changed files come in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase

Impact = tuple[tuple[str, tuple[str, ...]], ...]  # ((api version, files), ...)
HEADING = "API code changed:"


def path_matches(path: str, pattern: str) -> bool:
    return _match(path.strip("/").split("/"), pattern.strip("/").split("/"))


def _match(parts: Sequence[str], pattern: Sequence[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_match(parts[i:], pattern[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], pattern[0]) and _match(parts[1:], pattern[1:])


def api_impact(files: Sequence[str], served_by: Mapping[str, Sequence[str]]) -> Impact:
    """For each configured API version (in order), the changed files that serve it."""
    found = []
    for version, patterns in served_by.items():
        hits = tuple(f for f in files if any(path_matches(f, p) for p in patterns))
        if hits:
            found.append((version, hits))
    return tuple(found)


def describe(impact: Impact) -> str:
    """"API code changed: /v1, /v2 (loop/routes/rooms.js)", or "" when none."""
    if not impact:
        return ""
    versions = ", ".join(v for v, _ in impact)
    files = ", ".join(dict.fromkeys(f for _, fs in impact for f in fs))
    return f"{HEADING} {versions} ({files})"
