"""How often the release notes' word categories agree with the team's own, release by
release of loop-server's public history: the model learned from the CHANGELOG as it was
at the previous tag (bot/domain/changelog_voice.py), against the fixed word list
(bot/domain/changelog.py's CATEGORIES) and the old default of [bugfix].

    .venv/bin/python bench/notes_voice.py /path/to/loop-server.git [--min-entries N]

The repository is any clone of github.com/mozilla-services/loop-server (a bare one
works: `git clone --bare https://github.com/mozilla-services/loop-server`). Each
release's entries are guessed from their own words (bug numbers left out): Bugzilla's
summaries are not public offline, and the entry is the team's wording of the bug, which
is what the summary usually is; a second figure guesses them from the titles of the
release's commits that reference their bugs. Nothing is learned from a release's own
section, and the threshold's evidence ends the report. When
the learned model says nothing (too few entries, or no word it knows) the word list
decides, as in the bot; the `learned` column counts the entries it decided.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
from pathlib import Path

from bot.domain.changelog import category, referenced_bugs
from bot.domain.changelog_voice import MIN_ENTRIES, Entry, VoiceModel, parse_entries
from bot.domain.errors import Refusal
from bot.domain.version import Version

NAMES = ("CHANGELOG", "CHANGELOG.md", "CHANGELOG.rst")


def changelog_at(repo: Path, tag: str) -> str:
    for name in NAMES:
        shown = subprocess.run(["git", "--git-dir", str(repo), "show", f"{tag}:{name}"],
                               capture_output=True, text=True)
        if shown.returncode == 0:
            return shown.stdout
    return ""


def release_tags(repo: Path) -> list[str]:
    listed = subprocess.run(["git", "--git-dir", str(repo), "tag"], capture_output=True,
                            text=True, check=True).stdout.split()
    parsed = []
    for tag in listed:
        try:
            parsed.append((Version.parse(tag), tag))
        except Refusal:  # 0.2, 0.6: not X.Y.Z
            continue
    return [tag for _, tag in sorted(parsed)]


def new_entries(before: tuple[Entry, ...], after: tuple[Entry, ...]) -> list[Entry]:
    """The entries of the sections the release added (sections named before excluded)."""
    old = {e.release for e in before}
    return [e for e in after if e.release not in old]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, nargs="?",
                        help="a clone of mozilla-services/loop-server (a bare one works)")
    parser.add_argument("--min-entries", type=int, default=MIN_ENTRIES,
                        help=f"entries the model needs to decide (default {MIN_ENTRIES})")
    args = parser.parse_args()
    if args.repo is None or not ((args.repo / "HEAD").exists()
                                 or (args.repo / ".git").exists()):
        where = f"{args.repo} is not a git repository" if args.repo else "no repository given"
        print(f"{where}; get one with `git clone --bare https://github.com/mozilla-services/"
              "loop-server` and pass its path", file=sys.stderr)
        return 2
    tags = release_tags(args.repo)
    print(f"{'release':9} {'base':8} {'known':>5} {'new':>4} {'learned':>7} "
          f"{'voice':>6} {'words':>6} {'bugfix':>6}")
    totals, trained = [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]
    for base, tag in itertools.pairwise(tags):
        before = parse_entries(changelog_at(args.repo, base))
        todo = new_entries(before, parse_entries(changelog_at(args.repo, tag)))
        if not todo:
            continue
        model = VoiceModel.learn(before, args.min_entries)
        row = [len(todo), 0, 0, 0, 0]
        for entry in todo:
            guess = model.guess([entry.text], tag)
            listed = category([entry.text])
            row[1] += guess is not None
            row[2] += (guess.category if guess else listed) == entry.category
            row[3] += listed == entry.category
            row[4] += entry.category == "bugfix"
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        if model.trained:
            trained = [t + r for t, r in zip(trained, row, strict=True)]
        print(f"{tag:9} {base:8} {len(before):5d} {row[0]:4d} {row[1]:7d} "
              f"{_pct(row[2], row[0])} {_pct(row[3], row[0])} {_pct(row[4], row[0])}")
    for name, row in (("all", totals), ("trained", trained)):
        print(f"{name:9} {'':8} {'':5} {row[0]:4d} {row[1]:7d} {_pct(row[2], row[0])} "
              f"{_pct(row[3], row[0])} {_pct(row[4], row[0])}")
    print()
    from_commits(args.repo, tags, args.min_entries)
    print()
    curve(args.repo, tags)
    return 0


def commit_titles(repo: Path, base: str, tag: str) -> dict[int, list[str]]:
    """The titles of the commits base..tag, by the bugs they reference (as the bot reads)."""
    log = subprocess.run(["git", "--git-dir", str(repo), "log", "--format=%B%x1e",
                          f"{base}..{tag}"], capture_output=True, text=True, check=True)
    titles: dict[int, list[str]] = {}
    for message in log.stdout.split("\x1e"):
        message = message.strip()
        for bug in referenced_bugs(message):
            titles.setdefault(bug, []).append(message.splitlines()[0])
    return titles


def from_commits(repo: Path, tags: list[str], min_entries: int) -> None:
    """The bot's own input, short of Bugzilla's summary: the titles of the release's
    commits that reference the entry's bugs (entries with a bug some commit names)."""
    seen = right = listed_right = decided = 0
    for base, tag in itertools.pairwise(tags):
        before = parse_entries(changelog_at(repo, base))
        todo = new_entries(before, parse_entries(changelog_at(repo, tag)))
        model = VoiceModel.learn(before, min_entries)
        if not todo or not model.trained:
            continue
        titles = commit_titles(repo, base, tag)
        for entry in todo:
            texts = [t for bug in entry.bugs for t in titles.get(bug, [])]
            if not texts:
                continue
            guess, listed = model.guess(texts, tag), category(texts)
            seen, decided = seen + 1, decided + (guess is not None)
            right += (guess.category if guess else listed) == entry.category
            listed_right += listed == entry.category
    print("from the titles of the commits that reference the entry's bugs (the bot's input "
          "without Bugzilla's summary), releases with a trained model:")
    print(f"entries {seen}, learned {decided}, voice {_pct(right, seen).strip()}, "
          f"words {_pct(listed_right, seen).strip()}")


def curve(repo: Path, tags: list[str]) -> None:
    """The threshold's evidence: agreement when the model may learn only from the newest
    k entries before each release (a young CHANGELOG), against the word list."""
    print("learned from the newest k entries only (a young CHANGELOG), all releases:")
    print(f"{'k':>5} {'new':>4} {'voice':>6} {'words':>6}")
    for k in (3, 5, 10, 15, 20, 30, 50, 80):
        seen = right = listed_right = 0
        for base, tag in itertools.pairwise(tags):
            before = parse_entries(changelog_at(repo, base))
            todo = new_entries(before, parse_entries(changelog_at(repo, tag)))
            if len(before) < k:
                continue
            model = VoiceModel.learn(before[:k], min_entries=1)
            for entry in todo:
                guess, listed = model.guess([entry.text], tag), category([entry.text])
                seen += 1
                right += (guess.category if guess else listed) == entry.category
                listed_right += listed == entry.category
        print(f"{k:5d} {seen:4d} {_pct(right, seen)} {_pct(listed_right, seen)}")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.0f}%" if whole else "     -"


if __name__ == "__main__":
    sys.exit(main())
