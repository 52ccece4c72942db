"""The `/loop` subcommands that only read: where releases stand, a release's history,
what the environments run, the calendar (declared as in handlers/grammar.py, which lists
them after the lifecycle's)."""

from __future__ import annotations

from handlers.intents import CalendarDates, Envs, GoNoGoQuestion, History, Intent, Status
from handlers.subcommands import Declarations
from handlers.words import Words

subcommand = Declarations()


@subcommand("status [VERSION]", "where a release stands, or every release in flight",
            examples=("status", "status 0.13.0"))
def _status(words: Words) -> Intent:
    version = words.release() if words.peek() else None
    words.end()
    return Status(version)


@subcommand("history VERSION", "everything that happened to a release, oldest first",
            examples=("history 0.13.0",))
def _history(words: Words) -> Intent:
    version = words.release()
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
    version = words.release() if words.peek() else None
    words.end()
    return GoNoGoQuestion(version)
