"""The "Release X.Y.Z" commit the tag sits on, as loop-server's team made it: the
version's section prepended to the CHANGELOG, the version field bumped (package.json's
`"version"`, or a `key = "value"` line such as setup.cfg's or pyproject's).

Pure: the files' current texts come in, their new texts and a unified diff go out.
Applying a bump to a text it was already applied to changes nothing, so a retried release
commit plans the same files. A file that cannot be bumped (no version field, not JSON)
raises `CannotBump` naming the file; a version file missing from the branch is left out
and listed (`missing`), so the preview says so (a CHANGELOG missing is created).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.errors import Refusal

CHANGELOG, JSON, KEY_VALUE = "changelog", "json", "key_value"
_TITLE = re.compile(r"\A([^\n]+\n=+\n)(\n*)")


class CannotBump(Refusal):
    pass


@dataclass(frozen=True)
class FileBump:
    """How one file changes: `kind` is changelog, json or key_value; `key` the field."""

    path: str
    kind: str
    key: str = "version"


@dataclass(frozen=True)
class ReleaseCommitPlan:
    message: str
    files: tuple[tuple[str, str], ...]  # (path, new text), only the files that change
    diff: str
    missing: tuple[str, ...] = ()  # configured version files the branch does not have

    @property
    def changes(self) -> bool:
        return bool(self.files)


def plan_release_commit(
    message: str, bumps: Sequence[FileBump], current: Mapping[str, str | None], version: str,
    section: str,
) -> ReleaseCommitPlan:
    """The release commit's files given their `current` texts (None: the file is missing,
    which only a CHANGELOG may be: it is then created)."""
    changed: list[tuple[str, str]] = []
    diffs: list[str] = []
    missing = [b.path for b in bumps if b.kind != CHANGELOG and current.get(b.path) is None]
    for bump in bumps:
        before = current.get(bump.path)
        if bump.path in missing:
            continue
        after = bump_file(bump, before, version, section)
        if after != before:
            changed.append((bump.path, after))
            diffs.append(unified_diff(bump.path, before or "", after))
    return ReleaseCommitPlan(message, tuple(changed), "".join(diffs), tuple(missing))


def bump_file(bump: FileBump, text: str | None, version: str, section: str) -> str:
    if bump.kind == CHANGELOG:
        return prepend_section(text or "", section)
    if text is None:
        raise CannotBump(f"{bump.path} does not exist on the branch",
                         hint="fix `release_commit.files` in app.yaml")
    if bump.kind == JSON:
        return bump_json(bump.path, text, bump.key, version)
    return bump_key_value(bump.path, text, bump.key, version)


def prepend_section(text: str, section: str) -> str:
    """The section first (after a `TITLE` / `=====` heading, if the file has one); a
    changelog already starting with the section's heading is left as it is."""
    body = section.rstrip("\n") + "\n\n"
    heading = section.split("\n", 1)[0]
    title = _TITLE.match(text)
    rest = text[title.end():] if title else text
    if rest.startswith(heading + "\n"):
        return text
    if title:
        return title.group(1) + "\n" + body + rest
    return body + text


def bump_json(path: str, text: str, key: str, version: str) -> str:
    """The top-level `key` set to `version`, keeping the file's formatting."""
    try:
        data = json.loads(text)
    except ValueError:
        raise CannotBump(f"{path} is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), str):
        raise CannotBump(f"{path} has no top-level string field {key!r}")
    if data[key] == version:
        return text
    field = re.compile(r'^(\s{0,8}"' + re.escape(key) + r'"\s*:\s*")[^"\n]*(")', re.M)
    bumped, count = field.subn(lambda m: m.group(1) + version + m.group(2), text, count=1)
    if count == 0 or json.loads(bumped).get(key) != version:
        raise CannotBump(f"couldn't set {key!r} in {path} without rewriting the file")
    return bumped


def bump_key_value(path: str, text: str, key: str, version: str) -> str:
    """The first `key = "..."` line set to `version` (quotes kept, spacing kept)."""
    line = re.compile(r'^(\s*' + re.escape(key) + r'\s*=\s*)(["\']?)[^"\'\n]*\2', re.M)
    if not line.search(text):
        raise CannotBump(f"{path} has no `{key} = \"...\"` line")
    return line.sub(lambda m: m.group(1) + m.group(2) + version + m.group(2), text, count=1)


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 after.splitlines(keepends=True),
                                 f"a/{path}", f"b/{path}", n=1)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
