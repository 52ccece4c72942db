"""The `/loop` language: what people type, read into one small request (an intent).

Guarantees:
- Every subcommand is declared once, with `@subcommand(usage, summary, ...)` on the
  function that reads it (handlers/grammar/declarations.py): the lifecycle actions it takes (who
  may run it comes from the domain's rules; only those steps take `--emergency`), or the
  roles of a command outside the lifecycle, what it changes in GitHub and Bugzilla, and
  examples. `/loop help` and `/loop help SUBCOMMAND` are generated from those
  declarations (`SUBCOMMANDS`): help and the lifecycle's in handlers/grammar/lifecycle.py,
  the questions in handlers/grammar/questions.py, the load-test and sign-off ones in
  handlers/grammar/checks.py.
- Forgiving where it is safe: case, an environment's aliases (`production`), `v0.13.1`,
  typographic quotes, `service:NAME` or `--service NAME` anywhere in the line.
- Strict where it matters: a version is X.Y.Z (or a service change's `change-N`), a bug is
  a number, nothing is left over; anything else raises `BadInput` saying what was wrong
  and the usage of the subcommand (or of the closest one, for an unknown name).
- Pure: no I/O, nothing is changed by reading a line.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.errors import echoed
from bot.domain.pipeline import Pipeline
from handlers.grammar.checks import subcommand as checks
from handlers.grammar.declarations import Subcommand
from handlers.grammar.intents import BadInput, Command, Help
from handlers.grammar.lifecycle import subcommand as lifecycle
from handlers.grammar.questions import subcommand as questions
from handlers.grammar.words import (
    COMMAND,
    Words,
    close_spelling,
    option_named,
    read_options,
    split,
)

HELP_WORDS = ("?", "-h", "--help")

# -- the line ---------------------------------------------------------------------------------
# `/loop help` lists them in this order: help and the lifecycle, the questions, the checks.
SUBCOMMANDS: dict[str, Subcommand] = {**lifecycle.by_name, **questions.by_name,
                                       **checks.by_name}
MAX_TEXT = 4000  # characters; Slack sends a few thousand at most
ALIASES = {"rollback": "backoff"}  # what people also type, for the declared name


def parse(text: str, pipeline_of: Callable[[str | None], Pipeline]) -> Command:
    """Read a `/loop` line; BadInput says what was wrong and shows the usage. A line
    longer than MAX_TEXT is refused before anything else is read. `pipeline_of`: the
    pipeline of the service the line names (None: the default service's), whose
    environments each step's words and usage name."""
    if len(text) > MAX_TEXT:
        raise BadInput(f"that line is {len(text):,} characters long; `{COMMAND}` reads "
                       f"{MAX_TEXT:,} at most", hint=f"`{COMMAND} help` lists the subcommands")
    words = split(text)
    if len(words) == 2 and words[0].lower() in ("help", *HELP_WORDS):
        option = option_named(words[1])  # `help —emergency`: the option, not its value
        if option is not None:
            return Command("help", Help(f"--{option}"), None, None, text)
    words, service, emergency = read_options(words)
    if not words or words[0].lower() in HELP_WORDS:
        return Command("help", Help(), service, None, text)
    name = ALIASES.get(words[0].lower(), words[0].lower())
    if name in SUBCOMMANDS and any(w.lower() in HELP_WORDS for w in words[1:]):
        return Command("help", Help(name), service, None, text)  # `verify --help`
    declared = SUBCOMMANDS.get(name)
    pipeline = pipeline_of(service)
    if declared is None:
        raise unknown(words[0], pipeline)
    if emergency is not None and not declared.emergency:
        steps = ", ".join(s.name for s in SUBCOMMANDS.values() if s.emergency)
        raise BadInput(f"`{name}` has no guard to skip: `--emergency` goes with a lifecycle "
                       f"step ({steps})", hint=f"usage: `{declared.usage_line_in(pipeline)}`")
    intent = declared.read(Words(words[1:], pipeline, declared.usage_in(pipeline)))
    return Command(name, intent, service, emergency, text)


def unknown(name: str, pipeline: Pipeline) -> BadInput:
    close = closest(name)
    if close:
        usage = SUBCOMMANDS[close].usage_line_in(pipeline)
        return BadInput(f"I don't know `{echoed(name)}`; did you mean `{close}`?",
                        hint=f"usage: `{usage}`")
    return BadInput(f"I don't know `{echoed(name)}`",
                    hint=f"`{COMMAND} help` lists the subcommands")


def closest(name: str) -> str | None:
    """The subcommand a mistyped word most likely meant: one it begins (`cal`, `go`),
    else a close spelling (`verfy`); None when nothing is close (`everything`)."""
    word = name.lower()
    starts = [known for known in SUBCOMMANDS if len(word) >= 2 and known.startswith(word)]
    if starts:
        return starts[0]
    return close_spelling(word, list(SUBCOMMANDS))


def help_lines(pipeline: Pipeline) -> list[tuple[str, str]]:
    """(usage line, summary) of every subcommand, in declaration order."""
    return [(s.usage_line_in(pipeline), s.summary) for s in SUBCOMMANDS.values()]
