"""The `/loop` language: what people type, read into one small request (an intent).

Guarantees:
- Every subcommand is declared once, with `@subcommand(usage, summary)` on the function
  that reads it; `/loop help` is generated from those declarations (`SUBCOMMANDS`).
- Forgiving where it is safe: case, `prod`/`production`, `stage`/`staging`, `v0.13.1`,
  typographic quotes, `service:NAME` or `--service NAME` anywhere in the line.
- Strict where it matters: a version is X.Y.Z (or a service change's `change-N`), a bug is
  a number, nothing is left over; anything else raises `BadInput` saying what was wrong
  and the usage of the subcommand (or of the closest one, for an unknown name).
- Pure: no I/O, nothing is changed by reading a line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.actions import Action
from handlers.intents import (
    Backport,
    BadInput,
    CalendarDates,
    Command,
    Envs,
    Help,
    History,
    Intent,
    ServiceChange,
    Status,
    Step,
    TagPreview,
)
from handlers.words import COMMAND, Words, read_options, release_label, split


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    read: Callable[[Words], Intent]
    emergency: bool = False  # accepts --emergency "reason"

    @property
    def usage_line(self) -> str:
        return f"{COMMAND} {self.usage}"


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(usage: str, summary: str, *, emergency: bool = False
               ) -> Callable[[Callable[[Words], Intent]], Callable[[Words], Intent]]:
    """Declare the subcommand named by the usage's first word, read by the function."""

    def declare(read: Callable[[Words], Intent]) -> Callable[[Words], Intent]:
        name = usage.split()[0]
        SUBCOMMANDS[name] = Subcommand(name, usage, summary, read, emergency)
        return read

    return declare


# -- reading words --------------------------------------------------------------------------
_STEPS = {
    ("request", "stage"): Action.REQUEST_STAGE, ("request", "prod"): Action.REQUEST_PROD,
    ("deployed", "stage"): Action.DEPLOYED_STAGE, ("deployed", "prod"): Action.DEPLOYED_PROD,
    ("verify", "stage"): Action.VERIFY_STAGE, ("verify", "prod"): Action.VERIFY_PROD,
}


@subcommand("help [SUBCOMMAND]", "this list, or the details of one subcommand")
def _help(words: Words) -> Intent:
    topic = words.peek()
    words.rest()
    return Help(topic.lower() if topic else None)


@subcommand("tag [VERSION | on LINE]",
            "DEV: preview the next release (or VERSION, or the next patch on LINE), then "
            "confirm the tag")
def _tag(words: Words) -> Intent:
    if words.accept("on"):
        line = words.take("the release line (like 0.12)")
        if not re.fullmatch(r"\d+\.\d+(\.[xX])?", line):
            raise words.error(f"couldn't read `{line}` as a release line: expected X.Y, "
                              "like 0.12")
        words.end()
        return TagPreview(line=line.removesuffix(".x").removesuffix(".X"))
    version = release_label(words.take("the version"), words.usage) if words.peek() else None
    words.end()
    if version is not None and version.startswith("change-"):
        raise words.error("a service change has no tag")
    return TagPreview(version=version)


def _env_step(name: str) -> Callable[[Words], Intent]:
    def read(words: Words) -> Intent:
        env = words.env()
        version = words.release()
        words.end()
        return Step(_STEPS[(name, env)], version)

    return read


subcommand("request stage|prod VERSION",
           "file the deployment ticket: stage (DEV, QA) or prod (QA)",
           emergency=True)(_env_step("request"))
subcommand("deployed stage|prod VERSION",
           "OPS: VERSION runs there now; marks its ticket RESOLVED FIXED",
           emergency=True)(_env_step("deployed"))
subcommand("verify stage|prod VERSION",
           "QA: VERSION works there; marks its ticket VERIFIED", emergency=True)(
    _env_step("verify"))


@subcommand("reject stage VERSION [bug N] [REASON]",
            "QA: the stage build has a regression; DEV fixes it in a patch", emergency=True)
def _reject(words: Words) -> Intent:
    words.env("stage")
    version = words.release()
    bug = words.optional_bug()
    return Step(Action.REJECT, version, bug, words.rest())


@subcommand("rerelease stage VERSION",
            "OPS: re-release the same build on stage with a new ticket", emergency=True)
def _rerelease(words: Words) -> Intent:
    words.env("stage")
    version = words.release()
    words.end()
    return Step(Action.RERELEASE, version)


def _blocker(action: Action) -> Callable[[Words], Intent]:
    def read(words: Words) -> Intent:
        words.env("prod")
        version = words.release()
        bug = words.bug()
        words.end()
        return Step(action, version, bug)

    return read


subcommand("block prod VERSION bug N", "bug N must be fixed before VERSION goes to prod",
           emergency=True)(_blocker(Action.BLOCK))
subcommand("unblock prod VERSION bug N", "bug N no longer holds VERSION back from prod",
           emergency=True)(_blocker(Action.UNBLOCK))


@subcommand("greenlight prod [VERSION]",
            "QA: let OPS push to prod (default: the release waiting for the green light)",
            emergency=True)
def _greenlight(words: Words) -> Intent:
    words.env("prod")
    version = words.release() if words.peek() else None
    words.end()
    return Step(Action.GREENLIGHT, version)


@subcommand("backport SHA [SHA...] | bug N to LINE",
            "DEV: cherry-pick fixes from master onto LINE's maintenance branch")
def _backport(words: Words) -> Intent:
    bug = words.optional_bug()
    shas: list[str] = []
    while bug is None and words.peek() is not None and words.peek().lower() != "to":
        sha = words.take("a commit sha")
        if not re.fullmatch(r"[0-9a-fA-F]{7,40}", sha):
            raise words.error(f"couldn't read `{sha}` as a commit sha (7 to 40 hex digits)")
        shas.append(sha.lower())
    if bug is None and not shas:
        raise words.error("name the commits or the bug to backport")
    if not words.accept("to"):
        raise words.error("missing `to LINE`")
    line = words.take("the release line (like 0.12)")
    if not re.fullmatch(r"\d+\.\d+(\.[xX])?", line):
        raise words.error(f"couldn't read `{line}` as a release line: expected X.Y, like 0.12")
    words.end()
    return Backport(line.removesuffix(".x").removesuffix(".X"), tuple(shas), bug)


@subcommand('change "DESCRIPTION"',
            "OPS: start a service-level change, released as change-N without a tag")
def _change(words: Words) -> Intent:
    summary = words.rest().strip()
    if not summary:
        raise words.error("missing the description of the change")
    return ServiceChange(summary)


@subcommand("status [VERSION]", "where a release stands, or every release in flight")
def _status(words: Words) -> Intent:
    version = words.release() if words.peek() else None
    words.end()
    return Status(version)


@subcommand("history VERSION", "everything that happened to a release, oldest first")
def _history(words: Words) -> Intent:
    version = words.release()
    words.end()
    return History(version)


@subcommand("envs", "what each environment runs now")
def _envs(words: Words) -> Intent:
    words.end()
    return Envs()


@subcommand("calendar", "the next tagging days and prod pushes")
def _calendar(words: Words) -> Intent:
    words.end()
    return CalendarDates()


# -- the line ---------------------------------------------------------------------------------
def parse(text: str) -> Command:
    """Read a `/loop` line; BadInput says what was wrong and shows the usage."""
    words = split(text)
    words, service, emergency = read_options(words)
    if not words or words[0].lower() in ("?", "-h", "--help"):
        return Command("help", Help(), service, None, text)
    name = words[0].lower()
    declared = SUBCOMMANDS.get(name)
    if declared is None:
        raise unknown(words[0])
    if emergency is not None and not declared.emergency:
        raise BadInput(f"`{name}` has nothing to override: `--emergency` goes with a "
                       "lifecycle step", hint=f"usage: `{declared.usage_line}`")
    intent = declared.read(Words(words[1:], declared.usage))
    return Command(name, intent, service, emergency, text)


def unknown(name: str) -> BadInput:
    close = difflib.get_close_matches(name.lower(), list(SUBCOMMANDS), n=1, cutoff=0.5)
    if close:
        usage = SUBCOMMANDS[close[0]].usage_line
        return BadInput(f"I don't know `{name}`; did you mean `{close[0]}`?",
                        hint=f"usage: `{usage}`")
    return BadInput(f"I don't know `{name}`", hint=f"`{COMMAND} help` lists the subcommands")


def help_lines() -> list[tuple[str, str]]:
    """(usage line, summary) of every subcommand, in declaration order."""
    return [(s.usage_line, s.summary) for s in SUBCOMMANDS.values()]
