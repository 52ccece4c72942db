"""The go/no-go in Slack and in mail: the verdict as the title, then every reason with
its link, then who must act before the push.

Guarantees: the `text` is the same content as the blocks with links written out and
without mentions (the notification fallback, and the email body once `plain`-ed by
bot/jobs/tick.py); text is escaped in both (bot/markup.py's `escape`: reasons carry
partner and people text such as an environment's error or a load-test reason); mentions
come in already rendered.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import times
from bot.domain.gonogo import GoNoGo, Link, Reason, Verdict
from bot.messages.blocks import Rendered, context, escape, header, lines_section, section

Mention = Callable[[str], str]  # a role -> the mentions of its people ("" for none)
MARKS = {True: ":white_check_mark:", False: ":x:"}
NOTE = ":information_source:"
TODO = ":warning:"


def title(g: GoNoGo) -> str:
    when = f"the push on {times.day(g.push_day)}" if g.push_day else "the next push (none " \
        "in the calendar)"
    if g.candidate is None:
        return f"Go/no-go for {g.service}, {when}: nothing in flight"
    if g.verdict is Verdict.NOTHING:
        return f"Go/no-go for {g.service} {g.candidate.version}: already past the push"
    return f"{g.verdict.value} for {g.service} {g.candidate.version}, {when}"


def render_gonogo(g: GoNoGo, mention: Mention | None = None,
                  late: str | None = None) -> Rendered:
    head = title(g)
    checks = [_line(r, True) for r in g.reasons]
    plain_checks = [_line(r, False) for r in g.reasons]
    moves, plain_moves = _moves(g, mention, True), _moves(g, mention, False)
    said = summary(g)
    blocks = [header(head), section(escape(said))]
    if checks:
        blocks.append(lines_section("*Checked:*", checks))
    if moves:
        blocks.append(lines_section("*Before the push:*", moves))
    if late:
        blocks.append(context(late))
    lines = [f"{escape(head)}.", escape(said)]
    lines += ["Checked:", *plain_checks] if checks else []
    lines += ["Before the push:", *plain_moves] if moves else []
    lines += [f"({late})"] if late else []
    return Rendered("\n".join(lines), blocks)


def summary(g: GoNoGo) -> str:
    """One sentence: what goes, or why nothing does (plain text: callers escape it)."""
    if g.candidate is None or g.verdict is Verdict.NOTHING:
        runs = g.prod.version if g.prod is not None and g.prod.version else None
        keeps = f"prod keeps {runs}" if runs else "prod keeps what it runs"
        return f"No release of {g.service} is waiting for prod: {keeps}."
    v = g.candidate.version
    state = f"{v} ({g.candidate.state.value})"
    if g.verdict is Verdict.GO:
        return f"{state} can go to prod: every gate is passed."
    gates = ", ".join(dict.fromkeys(r.gate for r in g.failing))
    return f"{state} cannot go to prod yet: {len(g.failing)} reason(s) ({gates})."


def _line(reason: Reason, slack: bool) -> str:
    mark = MARKS[True] if reason.ok else (MARKS[False] if reason.blocking else TODO)
    if reason.ok and not reason.blocking:
        mark = NOTE
    text = escape(reason.text)  # `text` too: Slack shows it in notifications
    link = _link(reason.link, slack) if reason.link else ""
    prefix = f"{mark} " if slack else f"- [{_word(reason)}] "
    return f"{prefix}{text}" + (f" ({link})" if link else "")


def _word(reason: Reason) -> str:
    if reason.ok:
        return "ok" if reason.blocking else "note"
    return "no" if reason.blocking else "to do"


def _link(link: Link, slack: bool) -> str:
    if slack:
        return f"<{link.url}|{escape(link.text)}>"
    return f"{link.text}: {link.url}"


def _moves(g: GoNoGo, mention: Mention | None, slack: bool) -> list[str]:
    lines = []
    for owner, reasons in g.moves().items():
        people = mention(owner) if mention is not None and slack else ""
        what = "; ".join(escape(r.gate) for r in reasons)
        lines.append(f"{owner}: {what}" + (f" {people}" if people else ""))
    return lines
