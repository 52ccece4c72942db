"""Reading a sandbox chat line as a person pastes it: trailing comments, the `/loop`
command's name, and the words of `!` lines.

Guarantees:
- `strip_comment` removes a trailing ` # comment`: a `#` that follows whitespace, is
  followed by whitespace or ends the line, and stands outside quotes (a quote opens only
  at the start of a word, so the apostrophe of `don't` opens nothing). `bug #1100002`,
  `bug#1100002` and a quoted `"# not a comment"` are kept as typed.
- `wrong_command` says, for a line that is not `/loop ...`, that `/loop` is the only
  command (Slack would not send `/LOOP` or `/loo` to the bot at all).
- `sandbox_words` splits a `!` line's arguments like a shell, and says so clearly when a
  quote is not closed; `deployable` accepts only a release version (X.Y.Z).
- `clock_target` reads `!clock`'s argument: a date and time (in the team's time zone
  unless it names one), or `tagging`: five minutes after the next tagging day's
  announcement, so a script keeps working whatever day it is played.
Every refusal is a ValueError whose text the sandbox prints as it is.
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from dateutil import parser as dateparser

from bot.config.settings import ConfigError
from bot.domain.calendar import Calendar
from bot.domain.version import BadVersion, Version
from handlers.grammar.words import COMMAND, QUOTES

if TYPE_CHECKING:
    from bot.sandbox.slack.signed import SlackRequests

_OPENING = {'"': '"', "'": "'"}
# who a line speaks as (`@qa ...`): the sandbox workspace's people (bot/sandbox/slack/workspace.py)
USERS = {"dev": "U0DEV0001", "ops": "U0OPS0001", "qa": "U0QA00001", "lead": "U0LEAD001",
         "client-dev": "U0CLDEV01", "client-qa": "U0CLQA001"}  # loop-client's own team


def strip_comment(line: str) -> str:
    """The line without a trailing ` # comment` (see the module's guarantees)."""
    quote: str | None = None
    for index, char in enumerate(line):
        plain = char.translate(QUOTES)
        starts_word = index == 0 or line[index - 1].isspace()
        if quote is not None:
            quote = None if plain == quote else quote
        elif plain in _OPENING and starts_word:  # an apostrophe (don't) opens nothing
            quote = _OPENING[plain]
        elif char == "#" and starts_word and (
                index + 1 == len(line) or line[index + 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def first_word(text: str) -> tuple[str, str]:
    """The first word and the rest: any whitespace separates them (a tab too)."""
    head, *rest = text.split(None, 1) or [""]
    return head, rest[0] if rest else ""


def wrong_command(command: str) -> str | None:
    """What to say when `command` is not `/loop` (None when it is)."""
    if command == COMMAND:
        return None
    return (f"`{command}` is not a command of this app: the only one is `{COMMAND}` "
            f"(lower case), e.g. `{COMMAND} help`")


def send_typed(signed: SlackRequests, speaker: str, text: str) -> str | None:
    """Send a typed `/loop ...` line as `speaker`, signed as Slack signs it; what to print
    when it was not sent or the bot did not take it (None when it did)."""
    command, args = first_word(text)
    wrong = wrong_command(command)
    if wrong is not None:
        return wrong
    answer = signed.command(speaker, args.strip(), command=command)
    if answer.status_code != 200:
        return f"the bot answered HTTP {answer.status_code}: " + MISDIRECTED.get(
            answer.status_code, answer.text[:200])
    return None


MISDIRECTED = {  # what a chat pointed at the wrong bot or address hears, and what to check
    401: "it refused the signature; start `loopbot run` with the SLACK_SIGNING_SECRET of "
         "the --sandbox file",
    404: "is --url the bot's Slack request URL, ending in /slack/events?",
    405: "is --url the bot's Slack request URL, ending in /slack/events?",
}


def sandbox_words(args: str, usage: str) -> list[str]:
    try:
        return shlex.split(args.translate(QUOTES))
    except ValueError:
        raise ValueError(f"a quote is not closed; usage: {usage}") from None


def deployable(word: str, usage: str) -> str:
    """The version `word` names (`v0.13.1` reads as 0.13.1); nothing else is deployed."""
    try:
        return str(Version.parse(word))
    except BadVersion as exc:
        raise ValueError(f"{exc.message}; usage: {usage}") from None


AFTER_ANNOUNCEMENT = dt.timedelta(minutes=5)


def clock_target(text: str, now: dt.datetime, calendar: Calendar) -> dt.datetime:
    """Where `!clock TEXT` moves the clock from `now` (aware); ValueError if backwards."""
    if text.lower() in ("tagging", "next tagging"):
        today = calendar.local_day(now)
        moments = (calendar.at(day, calendar.announce_at) + AFTER_ANNOUNCEMENT
                   for day in calendar.next_tag_dates(today, 2))
        return next(m for m in moments if m > now)
    try:
        moment = dateparser.parse(text)
    except (ValueError, OverflowError):
        raise ValueError(f"couldn't read {text!r} as a date and time (or `tagging`)"
                         ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.tz)
    if moment < now:
        raise ValueError("the clock only moves forwards, now "
                         f"{now.astimezone(calendar.tz):%Y-%m-%d %H:%M %Z}")
    return moment


def start_moment(text: str | None, tz: dt.tzinfo) -> dt.datetime:
    """The clock's first instant: `--start` (the team's time zone unless it says), else
    now; ConfigError for an unreadable one."""
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dateparser.parse(text)
    except (ValueError, OverflowError):
        raise ConfigError(f"--start: couldn't read {text!r} as a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def read_lines(interactive: bool) -> Iterable[str]:
    """Standard input's lines: with a prompt when someone types them."""
    if not interactive:
        yield from sys.stdin
        return
    import readline  # noqa: F401 - input() then edits the line and recalls the last ones
    while True:
        try:
            yield input("> ")
        except EOFError:
            return


def play(handle: Callable[[str], None], lines: Iterable[str] | None, *, interactive: bool,
         as_json: bool) -> None:
    """Each line (given, else standard input's) to `handle`, in order. A transcript (not
    typed, not --json) shows each line before what it caused, as if typed."""
    echo = not interactive and not as_json
    for line in lines if lines is not None else read_lines(interactive):
        if echo:
            print(echoed(line), flush=True)
        handle(line)


def echoed(line: str) -> str:
    """A played line as the transcript shows it: a comment or a blank line as it is,
    anything else after the prompt `> `, as if typed."""
    line = line.rstrip("\r\n")
    return line if not line.strip() or line.lstrip().startswith("#") else f"> {line}"
