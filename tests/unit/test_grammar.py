"""The /loop language: forgiving where safe, strict where it matters, usage on error."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action
from bot.domain.pipeline import DEFAULT
from bot.domain.version import ReleaseLabel as V
from bot.domain.version import Version
from handlers.grammar import help
from handlers.grammar.intents import (
    Backport,
    BadInput,
    Command,
    GoNoGoQuestion,
    Help,
    History,
    ServiceChange,
    Status,
    Step,
    TagPreview,
)
from handlers.grammar.parser import SUBCOMMANDS
from handlers.grammar.parser import parse as parse_in


def parse(text: str) -> Command:
    """A line read in the default pipeline's words (dev -> stage -> prod)."""
    return parse_in(text, lambda _service: DEFAULT)


@pytest.mark.parametrize("text, action, version", [
    ("verify stage 0.13.1", Action.VERIFY_STAGE, V(Version(0, 13, 1))),
    ("VERIFY Staging v0.13.1", Action.VERIFY_STAGE, V(Version(0, 13, 1))),
    ("deployed production V0.12.3", Action.DEPLOYED_PROD, V(Version(0, 12, 3))),
    ("request prod 0.14.0", Action.REQUEST_PROD, V(Version(0, 14, 0))),
    ("request stage Change-03", Action.REQUEST_STAGE, V(change=3)),
    ("rerelease stage 0.13.1", Action.RERELEASE, V(Version(0, 13, 1))),
])
def test_steps_read_in_the_words_people_type(text: str, action: Action, version: V) -> None:
    assert parse(text).intent == Step(action, version)


def test_reject_takes_an_optional_bug_and_a_reason() -> None:
    assert parse("reject stage 0.13.1 bug 1096112 rooms crash on join").intent == Step(
        Action.REJECT, V.parse("0.13.1"), 1096112, "rooms crash on join")
    assert parse("reject stage 0.13.1 calls drop").intent == Step(
        Action.REJECT, V.parse("0.13.1"), None, "calls drop")  # the bug can come later (issue 9)
    with pytest.raises(BadInput, match="say why: the bug"):
        parse("reject stage 0.13.1")


@pytest.mark.parametrize("dash", ["—", "–", "——"])
def test_an_autocorrected_dash_reads_as_two_hyphens(dash: str) -> None:
    command = parse(f'greenlight prod 0.13.1 {dash}emergency "prod is down"')
    assert command.emergency == "prod is down"
    assert parse(f"status {dash}service loop-client").service == "loop-client"
    assert parse("change “pool — 40 workers”").intent == ServiceChange("pool — 40 workers")


def test_block_accepts_bug_forms_and_greenlight_defaults() -> None:
    assert parse("block prod 0.13.1 bug#1096112").intent == Step(
        Action.BLOCK, V.parse("0.13.1"), 1096112)
    assert parse("unblock prod 0.13.1 1096112").intent == Step(
        Action.UNBLOCK, V.parse("0.13.1"), 1096112)
    assert parse("greenlight prod").intent == Step(Action.GREENLIGHT, None)


def test_options_anywhere_and_typographic_quotes() -> None:
    command = parse("deployed prod 0.13.1 service:loop-client --emergency “prod is down”")
    assert (command.service, command.emergency) == ("loop-client", "prod is down")
    assert parse("status --service=loop-client").service == "loop-client"
    assert parse('change "Raise the workers"').intent == ServiceChange("Raise the workers")


def test_tag_backport_status_help() -> None:
    assert parse("tag").intent == TagPreview()
    assert parse("tag v0.13.0").intent == TagPreview(version=Version.parse("0.13.0"))
    assert parse("tag on 0.12.x").intent == TagPreview(line="0.12")
    assert parse("backport 5af4054 DB4EB2D to 0.12").intent == Backport(
        "0.12", ("5af4054", "db4eb2d"))
    assert parse("backport bug 1094662 to 0.12.x").intent == Backport("0.12", (), 1094662)
    assert parse("status").intent == Status()
    assert parse("").intent == Help() and parse("help Verify").intent == Help("verify")


@pytest.mark.parametrize("text, said, usage", [
    ("verify stage 0.13", "couldn't read `0.13` as a version", "/loop verify stage|prod"),
    ("verify qa 0.13.1", "expected stage or prod, got `qa`", "/loop verify stage|prod"),
    ("verify stage", "missing the version", "/loop verify stage|prod"),
    ("verify stage 0.13.1 now", "unexpected `now`", "/loop verify stage|prod"),
    ("reject prod 0.13.1", "stage only", "/loop reject stage"),
    ("block prod 0.13.1 bug 12x", "couldn't read `12x` as a bug number", "/loop block prod"),
    ("verfy stage 0.13.1", "did you mean `verify`?", "/loop verify stage|prod"),
    ("tag 0.13.0 --emergency 'x'", "no guard to skip: `--emergency` goes with a lifecycle "
     "step (request, deployed, verify, reject, backoff, rerelease, block, unblock, greenlight, "
     "loadtest)",
     "/loop tag"),
    ('greenlight prod --emergency "x" --emergency "y"', "`--emergency` is given twice",
     "give each option once"),
    ("status service:loop-client --service loop-server", "`service` is given twice",
     "give each option once"),
    ("backport 5af4054 0.12", "`0.12` as a commit sha", "/loop backport"),
    ("backport bug 1094662 0.12", "missing `to LINE`", "/loop backport"),
    ("greenlight prod 0.13.1 --emergency", "needs a value", "--emergency"),
    ('change "unclosed', "a quote is not closed", "double quotes"),
    ("tag 0.13", "couldn't read `0.13` as a version: expected X.Y.Z", "/loop tag"),
    ("tag change-3", "a service change has no tag", "/loop tag"),
    ("help tag request", "help takes one subcommand, not `tag request`", "/loop help"),
    ("metrics --cycles 3 --cycles 4", "`--cycles` is given twice ('3', then '4')",
     "give each option once"),
    ("everything", "I don't know `everything`", "`/loop help` lists the subcommands"),
    ("cal", "did you mean `calendar`?", "/loop calendar"),
    ("go", "did you mean `gonogo`?", "/loop gonogo"),
    ("hlep", "did you mean `help`?", "/loop help"),
    ("status --servce loop-client", "unknown option `--servce`; did you mean `--service`?",
     "options:"),
])
def test_bad_input_says_what_and_shows_the_usage(text: str, said: str, usage: str) -> None:
    with pytest.raises(BadInput) as refused:
        parse(text)
    assert said in refused.value.message
    assert usage in (refused.value.hint or "")


def test_an_unknown_option_far_from_every_known_one_gets_no_guess() -> None:
    """`--force` was answered "did you mean `--service`?" (difflib's ratio 0.62): options
    are guessed by the same rule as subcommands."""
    with pytest.raises(BadInput) as refused:
        parse("tag --force")
    assert refused.value.message == "unknown option `--force`"


def test_help_is_generated_from_the_declarations() -> None:
    lines = dict(help.lines(DEFAULT))
    assert len(lines) == len(SUBCOMMANDS) >= 16
    assert lines["/loop greenlight prod [VERSION]"].startswith("QA:")
    assert all(usage.split()[1] in SUBCOMMANDS for usage in lines)


@pytest.mark.parametrize(("text", "topic"), [
    ("--help", None), ("-h", None), ("verify --help", "verify"), ("reject -h", "reject"),
    ("—help", None),
])
def test_help_flags_give_help(text: str, topic: str | None) -> None:
    """Issue 9: `/loop --help` was refused as an unknown option."""
    assert parse(text).intent == Help(topic)


def test_questions_carry_the_release_label_they_name() -> None:
    assert parse("status V0.13.0").intent == Status(V(Version(0, 13, 0)))
    assert parse("history Change-02").intent == History(V(change=2))
    assert parse("gonogo v0.14.1").intent == GoNoGoQuestion(V(Version(0, 14, 1)))
    assert parse("gonogo").intent == GoNoGoQuestion(None)
