"""Release-note categories from the files a bug's commits change, and which commits' files
a changelog reads (GitHub answers one commit's files per request, so they are bounded).

Guarantees:
- `files_category` gives a category only when every file every one of the bug's commits
  changes matches that category's patterns (patterns as in bot/domain/api_impact.py);
  categories are tried in the configured order. A bug whose commits also change files of
  another category or files of none (code, tests) gets None, and its category then comes
  from words: a fix that changes `loop/` code and `config/` together is first a code
  change, and calling it `[config]` would hide that; the words still see "config" when
  that is what the fix is about. No file known (not read, or an empty commit): None.
- `commits_to_read` picks, bug by bug in the order of first reference, the non-merge
  commits whose files the changelog reads, at most `cap` of them, and always all of a
  bug's commits or none (a bug with one commit unread falls back to words anyway, so a
  partial read would be wasted). Merge commits are left out: their changes come with
  the commits they merge. The pick depends only on the commits and the cap, so the
  preview and the tag step categorise alike.
Pure: the file lists come in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.api_impact import path_matches
from bot.domain.facts import Commit

FileRules = Mapping[str, Sequence[str]]  # category -> path patterns, in order
FilesBySha = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class ReadPlan:
    shas: tuple[str, ...]  # the commits whose files are read (or found stored)
    left_out: int  # bug-referencing commits beyond the cap: their bugs go by words


def files_category(commits: Sequence[Commit], files: FilesBySha, rules: FileRules
                   ) -> str | None:
    """The category all the files of the bug's (non-merge) commits fall under, if any."""
    own = [c for c in commits if not c.is_merge]
    if not rules or not own or any(c.sha not in files for c in own):
        return None
    paths = {p for c in own for p in files[c.sha]}
    if not paths:
        return None
    return next((name for name, patterns in rules.items()
                 if all(any(path_matches(p, g) for g in patterns) for p in paths)), None)


def commits_to_read(commits_per_bug: Sequence[Sequence[Commit]], cap: int) -> ReadPlan:
    """Whole bugs' commits, first referenced first, while they fit under `cap`."""
    chosen: dict[str, None] = {}
    wanted: dict[str, None] = {}
    for commits in commits_per_bug:
        shas = [c.sha for c in commits if not c.is_merge]
        wanted.update(dict.fromkeys(shas))
        new = [s for s in dict.fromkeys(shas) if s not in chosen]
        if len(chosen) + len(new) <= cap:
            chosen.update(dict.fromkeys(new))
    return ReadPlan(tuple(chosen), len(wanted) - len(chosen))
