"""Where a rejected release was rejected comes from its service's pipeline (issue 19):
the release notes of the patch replacing it and the go/no-go fell back to "stage", a
name a pipeline need not have (here: qa -> prod)."""

from __future__ import annotations

import datetime as dt

from bot.domain.gonogo import GoNoGoFacts, decide
from bot.domain.pipeline import Environment, Pipeline
from bot.domain.release import Env, Release, State, Ticket
from bot.domain.tagging import replacement_note

QA_PROD = Pipeline((Environment("qa", ticket="QA"), Environment("prod", ticket="Production")))
REJECTED_AT_ONCE = Release("loop-server", "0.15.0", State.REJECTED, tag="0.15.0")
REJECTED_ON_QA = Release("loop-server", "0.15.0", State.REJECTED, tag="0.15.0",
                         tickets=(Ticket(Env("qa"), 1101101),))


def test_the_replacement_note_names_the_pipelines_environment() -> None:
    assert replacement_note(REJECTED_AT_ONCE, "crash on join", QA_PROD) == \
        "Replaces 0.15.0, rejected on qa: crash on join"
    assert replacement_note(REJECTED_ON_QA, "", QA_PROD) == "Replaces 0.15.0, rejected on qa"


def test_the_gonogo_names_where_it_was_rejected() -> None:
    facts = GoNoGoFacts("loop-server", dt.date(2027, 2, 1), REJECTED_AT_ONCE, QA_PROD)
    reasons = [r.text for r in decide(facts).reasons]
    assert reasons[0].startswith("0.15.0 was rejected on qa: it does not go")
