"""The `/loop` subcommands outside the release lifecycle that check a build: QA's
load-test window and result, and each team's sign-off, on the environments that carry
those gates (stage and prod by default; declared as in handlers/grammar/lifecycle.py;
handlers/grammar/parser.py lists them after the lifecycle's)."""

from __future__ import annotations

import re

from bot.domain.actions import Role
from handlers.grammar.declarations import Declarations
from handlers.grammar.intents import Intent, LoadTestResult, LoadTestWindow, ProdSignoff
from handlers.grammar.words import Words, bug_number, end_of_window, moment, moment_word

subcommand = Declarations()


@subcommand("loadtest {loadtest} VERSION window FROM TO [PARTNER...] | pass|fail [REASON] [bug N]",
            "set a load-test window with partners (FROM like 2026-12-09T14:00, TO like "
            "16:00), or record the result", roles=(Role.QA,), emergency=True,
            changes="records the window (announced, mailed to the partners, in /calendar.ics)"
                    " or the result as a comment on the {loadtest} ticket; `fail ... bug N` also "
                    "rejects the build",
            examples=("loadtest {loadtest} 0.13.1 window 2026-12-09T14:00 16:00 tokbox",
                      "loadtest {loadtest} 0.13.1 pass 3000 rooms for an hour",
                      "loadtest {loadtest} 0.13.1 fail calls drop bug 1100005"))
def _loadtest(words: Words) -> Intent:
    words.env_of("loadtest")
    version = words.label()
    verdict = (words.peek() or "").lower()
    if words.accept("window"):
        start = moment(words, moment_word(words, "the start, like 2026-12-09T14:00"))
        end = end_of_window(words, moment_word(words, "the end, like 16:00"), start)
        partners = []
        while words.peek() is not None:
            partner = words.take("a partner").lower()
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", partner):
                raise words.error(f"couldn't read `{partner}` as a partner's name")
            partners.append(partner)
        return LoadTestWindow(version, start, end, tuple(dict.fromkeys(partners)))
    if not words.accept("pass", "fail"):
        raise words.error(f"expected `window`, `pass` or `fail` after {version}")
    bug = words.optional_bug()
    rest = words.rest().split()
    if bug is None and len(rest) >= 2 and rest[-2].lower() == "bug":
        bug, rest = bug_number(rest[-1], words.usage), rest[:-2]
    elif bug is None and rest and re.fullmatch(r"bug#?\d+", rest[-1], re.IGNORECASE):
        bug, rest = bug_number(rest[-1][3:].lstrip("#"), words.usage), rest[:-1]
    if verdict == "pass" and bug is not None:
        raise words.error("a passed load test names no bug")
    return LoadTestResult(version, verdict == "pass", " ".join(rest), bug)


@subcommand("signoff {signoff} VERSION",
            "your team signs VERSION off where it runs (prod); verifying there waits for "
            "every team listed",
            changes="records the sign-off of each of your teams (workflow.prod_signoffs) and "
                    "notes it on the {signoff} ticket",
            examples=("signoff {signoff} 0.13.1",))
def _signoff(words: Words) -> Intent:
    words.env_of("signoff")
    version = words.label()
    words.end()
    return ProdSignoff(version)
