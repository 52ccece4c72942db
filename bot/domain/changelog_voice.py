"""Release-note categories in the team's own voice: a word model learned from the
entries the service's CHANGELOG already holds.

Guarantees:
- `parse_entries` reads loop-server's CHANGELOG style (a `0.13.1 (2014-11-13)` heading
  over a dashed underline, or a markdown `## 0.13.1` heading; entries `- [category] text`
  with continuation lines indented): every categorised entry, with its release, its
  category as the team wrote it (lowercased), its bug numbers (5-7 digits, not `#130`)
  and its words. Entries without a `[category]` teach nothing and are skipped.
- `VoiceModel.learn` is a multinomial naive Bayes over those words with Laplace
  smoothing (add one): explainable, each word has one weight per category. A
  category's prior is counted among the releases of the same kind (patch, X.Y.Z with
  Z > 0, or not; smoothed too): loop-server's team files mostly fixes in patches. With fewer
  than `min_entries` entries (default `MIN_ENTRIES`), or a single category, it is not
  trained and `guess` says nothing, so the fixed word list decides.
- `guess` answers only when at least one word of the text weighs for the winning
  category against the runner-up; it returns the category and the (up to three) words
  that weighed most. Otherwise None: the prior alone would only repeat the team's most
  frequent category.
Pure: the CHANGELOG's text comes in.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_ENTRIES = 20  # on loop-server it trails the word list below ~15 (bench/notes_voice.py)
DECIDING_WORDS = 3

_HEADING = re.compile(r"^(?:#+\s*)?v?(\d+\.\d+(?:\.\d+)?)\b.*$")
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_ENTRY = re.compile(r"^\s*[-*]\s*\[([A-Za-z][\w -]{0,30})\]\s*(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s")
_BUG = re.compile(r"(?<![#\w.])\d{5,7}(?![\w.])")
_WORD = re.compile(r"[a-z][a-z0-9]+")
_BUG_REF = re.compile(r"\b(?:bugs?|fix(?:es|ed)?)[\s#:_-]*(?=\d{5,7}\b)", re.I)
_STOP = """a an the to of for and or in on with by be is are was it its this that when from
    as at if into not no so all any can do does use using now than then"""
STOPWORDS = frozenset(_STOP.split())


@dataclass(frozen=True)
class Entry:
    release: str
    category: str
    bugs: tuple[int, ...]
    text: str


def parse_entries(changelog: str) -> tuple[Entry, ...]:
    """The categorised entries of a CHANGELOG, newest release first (as written)."""
    entries: list[Entry] = []
    release = ""
    current: list[str] | None = None
    lines = changelog.splitlines()
    for i, line in enumerate(lines):
        heading = _HEADING.match(line.strip())
        underlined = i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1])
        if heading and (underlined or line.lstrip().startswith("#")):
            release, current = heading.group(1), None
            continue
        entry = _ENTRY.match(line)
        if entry and release:
            current = [entry.group(1).strip().lower(), entry.group(2)]
            entries.append(_entry(release, current))
        elif current is not None and line[:1].isspace() and line.strip() \
                and not _BULLET.match(line):
            current.append(line.strip())
            entries[-1] = _entry(release, current)
        else:
            current = None
    return tuple(entries)


def _entry(release: str, parts: Sequence[str]) -> Entry:
    text = " ".join(parts[1:])
    bugs = tuple(dict.fromkeys(int(n) for n in _BUG.findall(text)))
    return Entry(release, parts[0], bugs, text)


def words(text: str) -> list[str]:
    """The words a text weighs with: lowercased, digits, stop words and the way a bug is
    referenced ("Bug 1094662 —", "Fix 1069654 —") left out, a plural `s` dropped (`logs`
    and `log` are one word)."""
    text = _BUG_REF.sub(" ", text)
    found = (w for w in _WORD.findall(text.lower()) if w not in STOPWORDS)
    return [w[:-1] if len(w) > 3 and w.endswith("s") and w[-2] not in "isu" else w
            for w in found]


@dataclass(frozen=True)
class Guess:
    category: str
    because: tuple[str, ...]  # the words that weighed most for it


@dataclass(frozen=True)
class VoiceModel:
    """Word counts per category; `trained` says whether it may decide."""

    entries: int = 0
    priors: dict[bool, dict[str, float]] = field(default_factory=dict)  # patch? -> log P(c)
    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # word -> cat -> log P
    unseen: dict[str, float] = field(default_factory=dict)  # cat -> log P of a new word

    @property
    def trained(self) -> bool:
        return bool(self.priors)

    @classmethod
    def learn(cls, entries: Iterable[Entry], min_entries: int = MIN_ENTRIES) -> VoiceModel:
        entries = [e for e in entries if words(e.text)]
        per_category = Counter(e.category for e in entries)
        if len(entries) < max(min_entries, 1) or len(per_category) < 2:
            return cls(entries=len(entries))
        counts: dict[str, Counter[str]] = {c: Counter() for c in per_category}
        for e in entries:
            counts[e.category].update(words(e.text))
        vocabulary = {w for c in counts.values() for w in c}
        totals = {c: sum(n.values()) + len(vocabulary) for c, n in counts.items()}
        priors = {patch: _priors([e.category for e in entries if is_patch(e.release) == patch],
                                 per_category) for patch in (False, True)}
        weights = {w: {c: math.log((counts[c][w] + 1) / totals[c]) for c in counts}
                   for w in vocabulary}
        unseen = {c: math.log(1 / totals[c]) for c in counts}
        return cls(len(entries), priors, weights, unseen)

    def guess(self, texts: Iterable[str], release: str = "") -> Guess | None:
        """The category the team's words point to for `texts` in `release`, or None (see
        the module)."""
        known = [w for t in texts for w in words(t) if w in self.weights]
        if not self.trained or not known:
            return None
        priors = self.priors[is_patch(release)]
        scores = {c: p + sum(self.weights[w][c] for w in known) for c, p in priors.items()}
        best, second = sorted(scores, key=lambda c: (-scores[c], c))[:2]
        lift = {w: self.weights[w][best] - self.weights[w][second] for w in set(known)}
        because = sorted((w for w in lift if lift[w] > 0), key=lambda w: (-lift[w], w))
        if not because:  # no word points there: only the team's habit would decide
            return None
        return Guess(best, tuple(because[:DECIDING_WORDS]))



def is_patch(release: str) -> bool:
    """0.13.1 is a patch release (mostly fixes), 0.13.0 not (mostly features)."""
    parts = release.split(".")
    return len(parts) == 3 and parts[2].isdigit() and int(parts[2]) > 0


def _priors(seen: Sequence[str], categories: Iterable[str]) -> dict[str, float]:
    """log P(category) among the entries of one kind of release, smoothed (add one)."""
    names = list(categories)
    counts = Counter(seen)
    return {c: math.log((counts[c] + 1) / (len(seen) + len(names))) for c in names}
