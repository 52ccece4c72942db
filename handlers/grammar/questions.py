"""The `/loop` subcommands that only read: where releases stand, a release's history,
what the environments run, the calendar (declared as in handlers/grammar/lifecycle.py;
handlers/grammar/parser.py lists them after the lifecycle's)."""

from __future__ import annotations

import re

from bot.domain.errors import echoed
from bot.usecases.metrics import DEFAULT_CYCLES
from handlers.grammar.declarations import Declarations
from handlers.grammar.intents import (
    CalendarDates,
    Envs,
    GoNoGoQuestion,
    History,
    Intent,
    Metrics,
    Status,
)
from handlers.grammar.words import Words, once

subcommand = Declarations()


@subcommand("status [VERSION]", "where a release stands, or every release in flight",
            examples=("status", "status 0.13.0"))
def _status(words: Words) -> Intent:
    version = words.label() if words.peek() else None
    words.end()
    return Status(version)


@subcommand("history VERSION", "everything that happened to a release, oldest first",
            examples=("history 0.13.0",))
def _history(words: Words) -> Intent:
    version = words.label()
    words.end()
    return History(version)


@subcommand("envs", "what each environment runs now", examples=("envs",))
def _envs(words: Words) -> Intent:
    words.end()
    return Envs()


@subcommand("calendar", "the next tagging days and prod pushes", examples=("calendar",))
def _calendar(words: Words) -> Intent:
    words.end()
    return CalendarDates()


@subcommand("gonogo [VERSION]",
            "GO or NO-GO for the next prod push, with every reason and whose move it is",
            examples=("gonogo", "gonogo 0.13.0"))
def _gonogo(words: Words) -> Intent:
    version = words.label() if words.peek() else None
    words.end()
    return GoNoGoQuestion(version)


@subcommand("metrics [--cycles N]",
            "delivery metrics: prod pushes, lead time, change failure rate, time to restore "
            f"and where releases wait, over the last N cycles (default {DEFAULT_CYCLES}) "
            "against the N before",
            examples=("metrics", "metrics --cycles 12"))
def _metrics(words: Words) -> Intent:
    given: str | None = None
    while (word := words.peek()) is not None and word.lower().startswith("--cycles"):
        words.take("--cycles")
        _, equals, value = word.partition("=")
        given = once(given, "--cycles", value if equals else words.take("the number of cycles"))
    words.end()
    return Metrics(DEFAULT_CYCLES if given is None else _count(words, given))


def _count(words: Words, word: str) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", word):
        raise words.error(f"couldn't read `{echoed(word)}` as a number of cycles")
    return int(word)
