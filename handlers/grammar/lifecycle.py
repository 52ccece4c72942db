"""The `/loop` subcommands of the release lifecycle (and `help`, listed first): each
declared once, with `@subcommand(usage, summary, ...)` on the function that reads it
(handlers/grammar/declarations.py), with the lifecycle actions it takes (who may run it
comes from the domain's rules; only those steps take `--emergency`), or the roles of a
command outside the lifecycle, what it changes in GitHub and Bugzilla, and examples.
handlers/grammar/parser.py lists them first, before the questions and the checks."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.domain.actions import Action, Role
from bot.domain.errors import echoed
from bot.domain.version import CHANGE_LABEL
from handlers.grammar.declarations import Declarations
from handlers.grammar.intents import (
    Backport,
    Help,
    Intent,
    ServiceChange,
    Step,
    TagPreview,
)
from handlers.grammar.words import Words, release_line, release_version

subcommand = Declarations()

# -- reading words --------------------------------------------------------------------------
@subcommand("help [SUBCOMMAND]", "this list, or the details of one subcommand",
            examples=("help", "help reject"))
def _help(words: Words) -> Intent:
    topic = words.peek()
    if topic is not None:
        words.take("the subcommand")
        if words.peek() is not None:
            raise words.error(f"help takes one subcommand, not `{echoed(topic)} "
                              f"{echoed(words.rest())}`")
    return Help(topic.lower() if topic else None)


@subcommand("tag [VERSION | on LINE]",
            "preview the next release (or VERSION, or the next patch on LINE), then confirm "
            "the tag; a tag cut short is finished first", roles=(Role.DEV,),
            changes="GitHub, once confirmed: an annotated tag and a release with the notes",
            examples=("tag", "tag on 0.12"))
def _tag(words: Words) -> Intent:
    if words.accept("on"):
        line = release_line(words.take("the release line (like 0.12)"), words.usage)
        words.end()
        return TagPreview(line=line)
    word = words.take("the version") if words.peek() else None
    change = word is not None and CHANGE_LABEL.fullmatch(word) is not None
    asked = release_version(word, words.usage) if word is not None and not change else None
    words.end()
    if change:
        raise words.error("a service change has no tag")
    return TagPreview(version=asked)


def _env_step(name: str) -> Callable[[Words], Intent]:
    def read(words: Words) -> Intent:
        env = words.env()
        version = words.label()
        words.end()
        return Step(Action.of(name, env), version)  # the pipeline says if env has it

    return read


subcommand("request {request} VERSION", "file the deployment ticket of an environment",
           actions=(Action.REQUEST_STAGE, Action.REQUEST_PROD),
           changes="Bugzilla: files \"Please deploy ... to Stage\" (or Production), depending "
                   "on the fixed bugs; a new stage ticket closes older ones of the line "
                   "INVALID", examples=("request {request} 0.13.0", "request prod 0.13.0"),
           )(_env_step("request"))
subcommand("deployed {deployed} VERSION",
           "VERSION runs there now (the environment's root URL is checked)",
           actions=(Action.DEPLOYED_STAGE, Action.DEPLOYED_PROD),
           changes="Bugzilla: the ticket becomes RESOLVED FIXED; on prod, monitoring starts",
           examples=("deployed {deployed} 0.13.0",))(_env_step("deployed"))
subcommand("verify {verify} VERSION", "VERSION works there",
           actions=(Action.VERIFY_STAGE, Action.VERIFY_PROD),
           changes="Bugzilla: the ticket becomes VERIFIED; on stage the prod ticket is filed "
                   "too (unless workflow.qa_files_prod_ticket)",
           examples=("verify {verify} 0.13.0", "verify prod 0.13.0"))(_env_step("verify"))


@subcommand("reject {reject} VERSION [bug N] [REASON]",
            "the build has a regression where it is (stage, or an environment after it); "
            "DEV fixes it in a patch. A reason alone will do: attach the bug later with the "
            "same command and `bug N`",
            actions=(Action.REJECT,),
            changes="Bugzilla: a comment on the {reject} ticket; the bug (when given) blocks "
                    "prod",
            examples=("reject {reject} 0.13.0 bug 1100002 renaming a room answers 500",
                      "reject {reject} 0.13.0 calls drop after a minute"))
def _reject(words: Words) -> Intent:
    return _sent_back(words, Action.REJECT, "reject", reason_needed=False,
                      missing="say why: the bug (`bug N`) or a reason")


@subcommand("backoff prod VERSION [bug N] REASON",
            "prod was backed off to the release before VERSION (a regression after the "
            "push); DEV fixes it in a patch. `rollback` works too",
            actions=(Action.BACKOFF,),
            changes="Bugzilla: the prod ticket is reopened with the reason as a comment",
            examples=("backoff prod 0.13.0 bug 1100009 rooms drop after an hour",
                      "rollback prod 0.13.0 error rate doubled after the push"))
def _backoff(words: Words) -> Intent:
    return _sent_back(words, Action.BACKOFF, "backoff", reason_needed=True,
                      missing="say why prod was backed off (the bug, `bug N`, is optional)")


def _sent_back(words: Words, action: Action, step: str, *, reason_needed: bool,
               missing: str) -> Intent:
    """`ENV VERSION [bug N] [REASON]`: a reason is needed, or (when not) at least the bug."""
    env = words.env_of(step)
    version = words.label()
    bug = words.optional_bug()
    reason = words.rest()
    if not reason.strip() and (reason_needed or bug is None):
        raise words.error(missing)
    return Step(action, version, bug, reason, env if action is Action.REJECT else None)


@subcommand("rerelease {rerelease} VERSION",
            "re-release the same build where it is with a new ticket (an OPS-only problem)",
            actions=(Action.RERELEASE,),
            changes="Bugzilla: files a new {rerelease} ticket and closes the old one INVALID, "
                    "pointing at it", examples=("rerelease {rerelease} 0.13.0",))
def _rerelease(words: Words) -> Intent:
    env = words.env_of("rerelease")
    version = words.label()
    words.end()
    return Step(Action.RERELEASE, version, env=env)


def _blocker(action: Action) -> Callable[[Words], Intent]:
    def read(words: Words) -> Intent:
        words.env("prod")
        version = words.label()
        bug = words.bug()
        words.end()
        return Step(action, version, bug)

    return read


subcommand("block prod VERSION bug N", "bug N must be fixed before VERSION goes to prod",
           actions=(Action.BLOCK,),
           changes="Bugzilla: the bug becomes a dependency of the prod ticket",
           examples=("block prod 0.13.1 bug 1100005",))(_blocker(Action.BLOCK))
subcommand("unblock prod VERSION bug N", "bug N no longer holds VERSION back from prod",
           actions=(Action.UNBLOCK,),
           changes="Bugzilla: the bug is no longer a dependency of the prod ticket",
           examples=("unblock prod 0.13.1 bug 1100005",))(_blocker(Action.UNBLOCK))


@subcommand("greenlight prod [VERSION]",
            "let OPS push to prod (default: the release waiting for the green light), "
            "confirmed with a button", actions=(Action.GREENLIGHT,),
            changes="nothing outside: OPS is told in the channel",
            examples=("greenlight prod", "greenlight prod 0.13.0"))
def _greenlight(words: Words) -> Intent:
    words.env("prod")
    version = words.label() if words.peek() else None
    words.end()
    return Step(Action.GREENLIGHT, version)


@subcommand("backport SHA [SHA...] | bug N to LINE",
            "cherry-pick fixes from master onto LINE's maintenance branch", roles=(Role.DEV,),
            changes="GitHub: the commits on LINE's branch (0.12.x), created from the line's "
                    "latest tag if missing",
            examples=("backport bug 1100006 to 0.12", "backport 4f2a9c1 to 0.12"))
def _backport(words: Words) -> Intent:
    bug = words.optional_bug()
    shas: list[str] = []
    while bug is None and (word := words.peek()) is not None and word.lower() != "to":
        sha = words.take("a commit sha")
        if not re.fullmatch(r"[0-9a-fA-F]{7,40}", sha):
            raise words.error(f"couldn't read `{echoed(sha)}` as a commit sha (7 to 40 hex "
                              "digits)")
        shas.append(sha.lower())
    if bug is None and not shas:
        raise words.error("name the commits or the bug to backport")
    if not words.accept("to"):
        raise words.error("missing `to LINE`")
    line = release_line(words.take("the release line (like 0.12)"), words.usage)
    words.end()
    return Backport(line, tuple(shas), bug)


@subcommand('change "DESCRIPTION"',
            "start a service-level change, released as change-N without a tag",
            roles=(Role.OPS,), changes="nothing until its tickets are requested",
            examples=('change "raise the pool size to 40"',))
def _change(words: Words) -> Intent:
    summary = words.rest().strip()
    if not summary:
        raise words.error("missing the description of the change")
    return ServiceChange(summary)
