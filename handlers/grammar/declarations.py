"""How a `/loop` subcommand is declared: once, with `@subcommand(usage, summary, ...)` on
the function that reads it.

Each module of declarations (handlers/grammar/lifecycle.py, questions.py, checks.py) keeps
its own `Declarations`, in declaration order; handlers/grammar/parser.py joins them in the
order `/loop help` lists them, so that order never depends on which module was imported first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.actions import Action, Role
from bot.domain.pipeline import STEPS, Pipeline
from handlers.grammar.intents import Intent
from handlers.grammar.words import COMMAND, Words

Reader = Callable[[Words], Intent]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    read: Reader
    actions: tuple[Action, ...] = ()  # the lifecycle steps it takes
    roles: tuple[Role, ...] = ()  # who may run it, when it takes no lifecycle step
    changes: str = ""  # what it changes in GitHub and Bugzilla
    examples: tuple[str, ...] = ()
    breaks_glass: bool = False  # takes --emergency though it declares no lifecycle action

    @property
    def emergency(self) -> bool:
        """Only steps with guards to skip take `--emergency`: the lifecycle's."""
        return bool(self.actions) or self.breaks_glass

    def usage_in(self, pipeline: Pipeline) -> str:
        """The usage in `pipeline`'s words: `{reject}` becomes the environments it takes
        that step on (`stage|real-stage`)."""
        return in_pipeline(self.usage, pipeline)

    def usage_line_in(self, pipeline: Pipeline) -> str:
        return f"{COMMAND} {self.usage_in(pipeline)}"

    def examples_in(self, pipeline: Pipeline) -> tuple[str, ...]:
        return tuple(f"{COMMAND} {in_pipeline(e, pipeline, one=True)}" for e in self.examples)


STEP_WORD = re.compile(r"\{(" + "|".join(STEPS) + r")\}")


def in_pipeline(text: str, pipeline: Pipeline, *, one: bool = False) -> str:
    """`text` with each `{step}` replaced by the environments `pipeline` takes the step on
    (`one`: the first of them, for an example)."""
    def words(found: re.Match[str]) -> str:
        envs = pipeline.takes(found.group(1))
        return envs[0] if one else "|".join(envs)

    return STEP_WORD.sub(words, text)


class Declarations:
    """The subcommands one module declares, by name, in declaration order. Used as the
    decorator `@subcommand(usage, summary, ...)` (`subcommand = Declarations()`)."""

    def __init__(self) -> None:
        self.by_name: dict[str, Subcommand] = {}

    def __call__(self, usage: str, summary: str, *, actions: tuple[Action, ...] = (),
                 roles: tuple[Role, ...] = (), changes: str = "",
                 examples: tuple[str, ...] = (), emergency: bool = False,
                 ) -> Callable[[Reader], Reader]:
        """Declare the subcommand named by the usage's first word, read by the function."""

        def declare(read: Reader) -> Reader:
            name = usage.split()[0]
            self.by_name[name] = Subcommand(name, usage, summary, read, actions, roles,
                                            changes, examples, emergency)
            return read

        return declare
