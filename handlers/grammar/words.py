"""Reading the words of a `/loop` line: versions, bug numbers, quoted text and the
options that may stand anywhere (`service:NAME`, `--service NAME`, `--emergency "why"`).
Each refusal says what was wrong and the usage of the subcommand being read."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from bot.domain.errors import echoed
from bot.domain.pipeline import Pipeline
from bot.domain.version import BadVersion, ReleaseLabel, Version
from handlers.grammar.intents import BadInput

_Parsed = TypeVar("_Parsed", ReleaseLabel, Version)

COMMAND = "/loop"
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})
# Invisible characters a copy from a web page or a document brings along: read as nothing.
INVISIBLE = str.maketrans(dict.fromkeys(("\u200b", "\u2060", "\ufeff")))
BUG_NUMBER = re.compile(r"#?([0-9]{1,9})")
LINE = re.compile(r"([0-9]{1,9}\.[0-9]{1,9})(\.[xX])?")
MAX_BUG = 10**9


@dataclass
class Words:
    """The words after the subcommand's name, read left to right, in the words of
    `pipeline`: the service the line is about's (bot/domain/pipeline.py), which names
    the environments each step takes and what else people call them (`staging`)."""

    items: list[str]
    pipeline: Pipeline
    usage: str = ""
    position: int = field(default=0)

    def peek(self) -> str | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self, what: str) -> str:
        word = self.peek()
        if word is None:
            raise self.error(f"missing {what}")
        self.position += 1
        return word

    def accept(self, *choices: str) -> bool:
        word = self.peek()
        if word is not None and word.lower() in choices:
            self.position += 1
            return True
        return False

    def env(self, *allowed: str) -> str:
        envs = self.pipeline.ticketed_names
        known = allowed or envs
        named = " or ".join(known) if len(known) < 3 else (
            f"{', '.join(known[:-1])} or {known[-1]}")
        word = self.take(f"the environment ({named})")
        env = self.pipeline.named(word) or word.lower()
        if env not in envs and env not in allowed:
            raise self.error(f"expected {named}, got `{echoed(word)}`")
        if allowed and env not in allowed:
            raise self.error(f"this applies to {' or '.join(allowed)} only, not {env}")
        return env

    def env_of(self, step: str) -> str:
        """The environment word of `step` (reject, loadtest ...), one the pipeline has it on."""
        return self.env(*self.pipeline.takes(step))

    def label(self) -> ReleaseLabel:
        return release_label(self.take("the version (X.Y.Z)"), self.usage)

    def bug(self) -> int:
        """`bug N` (also `bugN`, `bug#N`, or just `N`)."""
        found = self.optional_bug()
        return found if found is not None else bug_number(self.take("the bug number"),
                                                          self.usage)

    def optional_bug(self) -> int | None:
        """`bug N` (also `bugN`, `bug#N`) when that comes next, else None."""
        word = self.peek()
        glued = re.fullmatch(r"bug#?([0-9]+)", word or "", re.IGNORECASE)
        if glued:
            self.position += 1
            return bug_number(glued.group(1), self.usage)
        if word is not None and word.lower() == "bug":
            self.position += 1
            return bug_number(self.take("the bug number after `bug`"), self.usage)
        return None

    def rest(self) -> str:
        text = " ".join(self.items[self.position:])
        self.position = len(self.items)
        return text

    def end(self) -> None:
        if self.peek() is not None:
            raise self.error(f"unexpected `{echoed(' '.join(self.items[self.position:]))}`")

    def error(self, what: str) -> BadInput:
        return BadInput(what, hint=f"usage: `{COMMAND} {self.usage}`")


def release_label(word: str, usage: str = "") -> ReleaseLabel:
    """`0.13.1` (also `v0.13.1`) or a service change's `change-3`."""
    return _read(ReleaseLabel.parse, word, usage)


def release_version(word: str, usage: str = "") -> Version:
    """`0.13.1` (also `v0.13.1`)."""
    return _read(Version.parse, word, usage)


def _read(parse: Callable[[str], _Parsed], word: str, usage: str) -> _Parsed:
    """`parse(word)`, its refusal said with the subcommand's usage."""
    try:
        return parse(word)
    except BadVersion as exc:
        raise BadInput(exc.message, hint=f"usage: `{COMMAND} {usage}`" if usage else None
                       ) from None


def bug_number(word: str, usage: str = "") -> int:
    found = BUG_NUMBER.fullmatch(word)
    if found is None or not 0 < int(found.group(1)) < MAX_BUG:
        raise BadInput(f"couldn't read `{echoed(word)}` as a bug number",
                       hint=f"usage: `{COMMAND} {usage}`")
    return int(found.group(1))


def release_line(word: str, usage: str = "") -> str:
    """`0.12` (also `0.12.x`): a release line, as digits only."""
    found = LINE.fullmatch(word)
    if found is None:
        raise BadInput(f"couldn't read `{echoed(word)}` as a release line: expected X.Y, "
                       "like 0.12", hint=f"usage: `{COMMAND} {usage}`")
    return found.group(1)


def moment_word(words: Words, what: str) -> str:
    """The next word, or the next two joined when they are a date and a time apart
    (`2026-12-09 14:00`, as `!clock` and `--start` take them)."""
    word = words.take(what)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word) and re.fullmatch(r"\d{1,2}:\d{2}",
                                                                 words.peek() or ""):
        return f"{word}T{words.take(what)}"
    return word


def moment(words: Words, word: str) -> dt.datetime:
    """`2026-12-09T14:00` (also `@` for `T`), the team's wall clock."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T@]\d{1,2}:\d{2}", word, re.IGNORECASE):
        raise words.error(f"couldn't read `{echoed(word)}` as a time: expected "
                          "YYYY-MM-DDTHH:MM, like 2026-12-09T14:00")
    day, _, time = word.upper().replace("@", "T").partition("T")
    try:
        return dt.datetime.fromisoformat(f"{day}T{time.zfill(5)}")
    except ValueError:
        raise words.error(f"`{word}` is not a real date and time") from None


def end_of_window(words: Words, word: str, start: dt.datetime) -> dt.datetime:
    """The end: a full time, or HH:MM on the start's day."""
    if re.fullmatch(r"\d{1,2}:\d{2}", word):
        try:
            return dt.datetime.combine(start.date(), dt.time.fromisoformat(word.zfill(5)))
        except ValueError:
            raise words.error(f"`{word}` is not a real time of day") from None
    return moment(words, word)


# -- the subcommands ------------------------------------------------------------------------


# One piece of a line: a quoted run, an unquoted run, blanks, or a quote never closed.
_PIECE = re.compile(r""""([^"]*)"|'([^']*)'|([^\s"']+)|(\s+)|(["'])""")


def split(text: str) -> list[str]:
    """Words, honouring quotes (typographic ones too) as a shell does, in one linear pass
    (shlex builds each word a character at a time: quadratic on a long word)."""
    words: list[str] = []
    word: list[str] | None = None
    for piece in _PIECE.finditer(text.translate(INVISIBLE).translate(QUOTES)):
        double, single, plain, blank, unclosed = piece.groups()
        if unclosed is not None:
            raise BadInput("a quote is not closed", hint='put the text in "double quotes"')
        if blank is not None:
            if word is not None:
                words.append("".join(word))
            word = None
            continue
        word = word if word is not None else []
        word.append(next(p for p in (double, single, plain) if p is not None))
    if word is not None:
        words.append("".join(word))
    return words


def read_options(words: list[str]) -> tuple[list[str], str | None, str | None]:
    """The words left, the service and the emergency reason; each option at most once."""
    kept: list[str] = []
    service = emergency = None
    items = iter(words)
    for typed in items:
        word = _dashes(typed)
        lowered = word.lower()
        if lowered.startswith("service:"):
            service = once(service, "service", _value(word.split(":", 1)[1], "service:NAME"))
        elif lowered == "--service" or lowered.startswith("--service="):
            service = once(service, "service", _flag_value(word, items, "--service NAME"))
        elif lowered == "--emergency" or lowered.startswith("--emergency="):
            emergency = once(emergency, "--emergency",
                              _flag_value(word, items, '--emergency "REASON"'))
        elif lowered == "--help" or lowered.split("=", 1)[0] in SUBCOMMAND_OPTIONS:
            kept.append(word)  # `/loop --help`, `/loop metrics --cycles 3`: the grammar's
        elif word.startswith("--"):
            raise _unknown_option(word)
        else:
            kept.append(word)
    return kept, service, emergency


_OPTION_NAMES = ("emergency", "service", "help")
# difflib's ratio: `hlep` -> help is 0.75, `--force` -> --service 0.62, `everything` -> verify 0.5
SPELLING_CUTOFF = 0.75


def close_spelling(word: str, known: list[str]) -> str | None:
    """The known word `word` is a misspelling of, if one is close enough to guess."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=SPELLING_CUTOFF)
    return close[0] if close else None

SUBCOMMAND_OPTIONS = ("--cycles",)  # read by the subcommand that takes them


def _unknown_option(word: str) -> BadInput:
    known = [f"--{name}" for name in _OPTION_NAMES] + list(SUBCOMMAND_OPTIONS)
    close = close_spelling(word.split("=", 1)[0].lower(), known)
    return BadInput(f"unknown option `{echoed(word)}`"
                    + (f"; did you mean `{close}`?" if close else ""),
                    hint='options: `--service NAME`, `--emergency "REASON"` (a lifecycle '
                         "step), `--cycles N` (metrics)")
_DASHES = re.compile(r"^[\u2014\u2013\u2012\u2015]{1,2}")  # em, en, figure dash, bar


def _dashes(word: str) -> str:
    """`—emergency` (an autocorrected `--`) reads as `--emergency`; other words as typed."""
    replaced = _DASHES.sub("--", word)
    name = replaced[2:].split("=", 1)[0].lower()
    return replaced if replaced != word and name in _OPTION_NAMES else word


def option_named(word: str) -> str | None:
    """The option a help topic names (`emergency` or `service`), however it is typed:
    `--emergency`, a phone's `—emergency`, `emergency`, `service:`; else None."""
    name = _dashes(word).lower().removeprefix("--").removesuffix(":")
    return name if name in _OPTION_NAMES and name != "help" else None


def once(previous: str | None, option: str, value: str) -> str:
    """`value`, unless the option was already given (`previous`): then the refusal."""
    if previous is not None:
        raise BadInput(f"`{option}` is given twice ({previous!r}, then {value!r})",
                       hint="give each option once")
    return value


def _flag_value(word: str, items: Iterator[str], usage: str) -> str:
    if "=" in word:
        return _value(word.split("=", 1)[1], usage)
    return _value(next(items, ""), usage)


def _value(value: str, usage: str) -> str:
    if not value.strip() or value.startswith("--"):
        raise BadInput(f"`{usage.split()[0]}` needs a value", hint=f"`{usage}`")
    return value.strip()
