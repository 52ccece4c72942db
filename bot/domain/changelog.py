"""Changelogs: the bugs a range of commits references, checked against Bugzilla facts.

Guarantees:
- `referenced_bugs` counts a number only where loop-server's commit messages put a bug:
  after the word bug/bugs ("Bug 1094662 — text", "bug1071247", "bugs 1071244 and
  1071248"), after fix/fixes/closes/resolves ("Fix 1069654 — text"), at the start of the
  title ("1094662 - text"), and in the branch name of a merge ("Merge pull request #238
  from mozilla-services/1094662-sp-backwards-compatibility"). Bug-keyword ids have 5-7
  digits; the weaker contexts (fix word, title start, branch name) need 6-7. PR and issue
  numbers (#238, #1094), dates, times, versions and shas are never counted, even a short
  sha made only of digits, because no such context precedes them.
- `Changelog.build` sorts every referenced bug into exactly one of: fixed (RESOLVED or
  VERIFIED FIXED in Bugzilla) or flagged (any other status, or unknown to Bugzilla), in
  the order of first reference, each with its commits; non-merge commits naming no bug
  are kept apart. Nothing here talks to Bugzilla: the facts are passed in.
- A fixed bug's category comes from Bugzilla's fields, else from the files its commits
  change (bot/domain/file_categories.py, when given), else from the words the team's
  CHANGELOG taught (bot/domain/changelog_voice.py, when given and trained), else from
  the fixed word list, else [bugfix]; each `FixedBug` says which (`source`, `because`).
- Rendering is pure text; the date, URLs and version are passed in. A bug summary is one
  line of the notes whatever it holds (`one_line`: line breaks folded, clipped).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.changelog_voice import VoiceModel
from bot.domain.errors import one_line
from bot.domain.facts import Bug, Commit
from bot.domain.file_categories import FileRules, FilesBySha, files_category

_STRONG = r"\d{5,7}(?!\d)"  # after the word "bug"
_WEAK = r"\d{6,7}(?!\d)"  # in contexts that also carry other numbers
_SEP = r"\s*(?:,|&|\+|\band\b)\s*(?:bugs?\s*)?#?"
_BUG_WORD = re.compile(rf"\bbugs?[\s#:_-]*({_STRONG}(?:{_SEP}{_STRONG})*)", re.I)
_FIX_WORD = re.compile(
    rf"\b(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)[\s:]+({_WEAK}(?:{_SEP}{_STRONG})*)", re.I
)
_TITLE_START = re.compile(rf"\A\s*({_WEAK})\s*[-—–:]")
_MERGE_BRANCH = re.compile(
    r"^Merge (?:pull request #\d+ from (\S+)|(?:remote-tracking )?branch '([^']+)')", re.M
)
_BRANCH_TOKEN = re.compile(rf"(?<![^/_-]){_WEAK}(?![^/_-])")
_NUMBER = re.compile(r"\d+")

_ROUTE = re.compile(r"(?<![\w/.:])/v(\d+)((?:/[\w{}:.-]*[\w}])*)")
_API_WORD = re.compile(r"\b(?:v(\d+)\s+API|API\s+v(\d+))\b", re.I)

CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("security", re.compile(r"\b(?:security|xss|csrf|vulnerab\w*|sec-\w+)\b", re.I)),
    ("api-change", re.compile(r"\b(?:api change|breaking|deprecat\w*)\b", re.I)),
    ("config", re.compile(r"\b(?:config\w*|settings?|option)\b", re.I)),
    ("logs", re.compile(r"\b(?:logs?|logging|heka|metrics)\b", re.I)),
    ("tooling", re.compile(r"\b(?:makefile|travis|ci|lint\w*|tooling|deps|npm)\b", re.I)),
    ("refactoring", re.compile(r"\b(?:refactor\w*|clean ?up|rename\w*)\b", re.I)),
    ("feature", re.compile(r"\b(?:add|adds|added|implement\w*|support|introduce\w*)\b", re.I)),
)
DEFAULT_CATEGORY = "bugfix"
# Where a fixed bug's category came from, in the order they are tried.
FIELDS, FILES, LEARNED, WORDS, DEFAULT = "fields", "files", "learned", "words", "default"


def referenced_bugs(message: str) -> tuple[int, ...]:
    """The bug numbers a commit message references, in order of appearance, once each."""
    found: list[tuple[int, int]] = []
    for pattern in (_BUG_WORD, _FIX_WORD, _TITLE_START):
        for match in pattern.finditer(message):
            found += _numbers(_NUMBER, match, 1)
    for match in _MERGE_BRANCH.finditer(message):
        found += _numbers(_BRANCH_TOKEN, match, 1 if match.group(1) else 2)
    return tuple(dict.fromkeys(number for _, number in sorted(found)))


def _numbers(
    number: re.Pattern[str], context: re.Match[str], group: int
) -> list[tuple[int, int]]:
    """(position in the message, value) of each `number` inside a context's group."""
    offset = context.start(group)
    return [(offset + m.start(), int(m.group())) for m in number.finditer(context.group(group))]


def bug_ids(commits: Iterable[Commit]) -> tuple[int, ...]:
    """Every bug the commits reference, in order of first reference: ask Bugzilla once."""
    return tuple(dict.fromkeys(n for c in commits for n in referenced_bugs(c.message)))


def commits_by_bug(commits: Sequence[Commit]) -> dict[int, tuple[Commit, ...]]:
    """Each referenced bug's commits (merges included), bugs in order of first reference.
    Each message is read once (issue 18: once per bug made 5,000 commits take minutes)."""
    return _by_bug(_references(commits))


def _references(commits: Iterable[Commit]) -> list[tuple[Commit, tuple[int, ...]]]:
    return [(c, referenced_bugs(c.message)) for c in commits]


def _by_bug(refs: Iterable[tuple[Commit, tuple[int, ...]]]) -> dict[int, tuple[Commit, ...]]:
    found: dict[int, list[Commit]] = {}
    for commit, numbers in refs:
        for number in numbers:
            found.setdefault(number, []).append(commit)
    return {number: tuple(listed) for number, listed in found.items()}


def commits_for_bug(commits: Iterable[Commit], bug_id: int) -> tuple[Commit, ...]:
    """The non-merge commits that reference `bug_id`, in the given order (oldest first
    for a backport). Merge commits are left out: their changes come with the commits
    they merge."""
    return tuple(
        c for c in commits if not _is_merge(c) and bug_id in referenced_bugs(c.message)
    )


def mentioned_routes(text: str) -> tuple[str, ...]:
    """API routes a text mentions: `/v2/rooms`, `/v1/calls/{token}`, or `/v1` for "v1 API"."""
    routes = [f"/v{m.group(1)}{m.group(2)}" for m in _ROUTE.finditer(text)]
    routes += [f"/v{m.group(1) or m.group(2)}" for m in _API_WORD.finditer(text)]
    return tuple(dict.fromkeys(routes))


def field_category(bug: Bug) -> str | None:
    """The category Bugzilla's own fields give: a `sec-*` keyword or a security group
    means security, the type enhancement a feature; None when they say nothing."""
    if any(k.lower().startswith("sec-") for k in bug.keywords) or any(
            "security" in g.lower() for g in bug.groups):
        return "security"
    if bug.type.lower() == "enhancement":
        return "feature"
    return None


def category(texts: Iterable[str]) -> str:
    """loop-server's CHANGELOG category for a bug, guessed from its summary and commits."""
    return listed_category(texts) or DEFAULT_CATEGORY


def listed_category(texts: Iterable[str]) -> str | None:
    """The fixed word list's category for the texts, None when no word of it is there."""
    joined = "\n".join(texts)
    return next((name for name, rx in CATEGORIES if rx.search(joined)), None)


@dataclass(frozen=True)
class FixedBug:
    bug: Bug
    commits: tuple[Commit, ...]
    category: str
    source: str = DEFAULT  # FIELDS, FILES, LEARNED, WORDS or DEFAULT
    because: tuple[str, ...] = ()  # the learned words that decided

    @property
    def id(self) -> int:
        return self.bug.id

    @property
    def source_note(self) -> str:
        """Where the category came from, in a few words for the preview."""
        if self.source == LEARNED:
            return f"learned from the CHANGELOG: {', '.join(self.because) or 'its words'}"
        return {FIELDS: "Bugzilla's fields", FILES: "the files changed",
                WORDS: "the word list"}.get(self.source, "default")


@dataclass(frozen=True)
class FlaggedBug:
    """A referenced bug that is not RESOLVED FIXED (bug set) or unknown (bug None)."""

    id: int
    reason: str
    commits: tuple[Commit, ...]
    bug: Bug | None = None


@dataclass(frozen=True)
class Changelog:
    fixed: tuple[FixedBug, ...]
    flagged: tuple[FlaggedBug, ...]
    without_bug: tuple[Commit, ...]
    routes: tuple[str, ...]

    @classmethod
    def build(cls, commits: Sequence[Commit], bugs: Mapping[int, Bug],
              files: FilesBySha | None = None, rules: FileRules | None = None,
              voice: VoiceModel | None = None, release: str = "") -> Changelog:
        """Sort the commits' bugs with the Bugzilla facts `bugs` (unknown ids absent);
        `files` (sha -> paths, for the commits read) and `rules` (category -> patterns)
        categorise by files the bugs Bugzilla's fields do not; `voice` (learned from the
        CHANGELOG) the ones left, for the version `release`."""
        refs = _references(commits)
        by_bug = _by_bug(refs)
        learned = _Learned(voice or VoiceModel(), release)
        fixed = tuple(_fixed(bugs[n], by_bug[n], files or {}, rules or {}, learned)
                      for n in by_bug if n in bugs and bugs[n].is_fixed)
        flagged = tuple(_flagged(n, bugs.get(n), by_bug[n]) for n in by_bug
                        if n not in bugs or not bugs[n].is_fixed)
        texts = [c.message for c, _ in refs] + [f.bug.summary for f in fixed]
        routes = tuple(sorted({r for t in texts for r in mentioned_routes(t)}))
        loose = tuple(c for c, numbers in refs if not _is_merge(c) and not numbers)
        return cls(fixed=fixed, flagged=flagged, without_bug=loose, routes=routes)

    @property
    def bug_ids(self) -> tuple[int, ...]:
        """Every referenced bug: the fixed ones, then the flagged ones."""
        return self.fixed_ids + tuple(f.id for f in self.flagged)

    @property
    def fixed_ids(self) -> tuple[int, ...]:
        return tuple(f.id for f in self.fixed)

    @property
    def flagged_ids(self) -> tuple[int, ...]:
        return tuple(f.id for f in self.flagged)

    @property
    def api_versions(self) -> tuple[str, ...]:
        """The API versions whose routes changed: ("/v1", "/v2")."""
        return tuple(sorted({"/" + r.split("/")[1] for r in self.routes}))


def render_notes(changelog: Changelog, version: str, day: dt.date, api_code: str = "",
                 replaces: str = "") -> str:
    """The release's section in loop-server's CHANGELOG style (plain text and markdown);
    `api_code` says which API versions' code changed (bot/domain/api_impact.py),
    `replaces` which release a patch replaces and why (bot/domain/tagging.py)."""
    header = f"{version} ({day.isoformat()})"
    lines = [header, "-" * len(header), ""]
    lines += [f"- [{f.category}] {f.id} — {one_line(f.bug.summary)}" for f in changelog.fixed]
    if not changelog.fixed:
        lines.append("- no Bugzilla bug fixed in this release")
    if changelog.routes:
        lines += ["", f"API routes changed: {', '.join(changelog.routes)}"]
    if api_code:
        lines += [api_code] if changelog.routes else ["", api_code]
    if replaces:
        lines += ["", replaces]
    return "\n".join(lines) + "\n"


def render_flagged(changelog: Changelog) -> str:
    """One line per flagged bug, for the warning given before anything is filed."""
    return "\n".join(
        f"- {f.reason} (referenced by {_shas(f.commits)})" for f in changelog.flagged
    )


@dataclass(frozen=True)
class _Learned:
    voice: VoiceModel
    release: str


def _fixed(bug: Bug, commits: tuple[Commit, ...], files: FilesBySha,
           rules: FileRules, learned: _Learned) -> FixedBug:
    """Bugzilla's fields first (they are what the team decided), then the files the
    commits change (what the fix touched), then the words the team's CHANGELOG uses,
    then the fixed word list."""
    texts = [bug.summary, *(c.title for c in commits)]
    if found := field_category(bug):
        return FixedBug(bug, commits, found, FIELDS)
    if found := files_category(commits, files, rules):
        return FixedBug(bug, commits, found, FILES)
    if guess := learned.voice.guess(texts, learned.release):
        return FixedBug(bug, commits, guess.category, LEARNED, guess.because)
    if found := listed_category(texts):
        return FixedBug(bug, commits, found, WORDS)
    return FixedBug(bug, commits, DEFAULT_CATEGORY, DEFAULT)


def _flagged(bug_id: int, bug: Bug | None, commits: tuple[Commit, ...]) -> FlaggedBug:
    if bug is None:
        reason = f"bug {bug_id} is unknown to Bugzilla (a typo, or a private bug)"
    else:
        reason = f"{bug.describe()} is not RESOLVED FIXED"
    return FlaggedBug(id=bug_id, reason=reason, commits=commits, bug=bug)


def _is_merge(commit: Commit) -> bool:
    return len(commit.parents) > 1


def _shas(commits: Sequence[Commit]) -> str:
    return ", ".join(c.sha[:7] for c in commits)
