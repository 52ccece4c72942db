"""Messages about load tests (on stage, or where the pipeline load-tests): a window set
(in the channel), a result recorded.

Every text from people (partners' names, reasons) is escaped; times are shown in the
team's time zone with the zone's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain import times
from bot.domain.actions import Actor
from bot.domain.loadtest import Window
from bot.domain.next_steps import next_step
from bot.domain.pipeline import Pipeline
from bot.messages.blocks import (
    ACTION_LOADTEST_WINDOW,
    Rendered,
    actions,
    button,
    confirm_dialog,
    context,
    escape,
    section,
)
from bot.usecases.loadtest import ResultRecorded, WindowSet


def window_span(window: Window, tz: dt.tzinfo) -> str:
    """"Wed 2026-12-09 14:00 to 16:00 (Europe/Paris)"."""
    return f"{times.span(window.start, window.end, tz)} ({tz})"


def window_set(found: WindowSet, actor: Actor, tz: dt.tzinfo) -> Rendered:
    window = found.window
    name = f"{window.service} {window.version}"
    with_whom = f" with {', '.join(window.partners)}" if window.partners else ""
    span = window_span(window, tz)
    if not found.new:
        text = f"{name}: this load-test window is already set ({span}{with_whom})."
        return Rendered(text, [section(escape(text))])
    head = (f":stopwatch: *Load test of {escape(name)} on {found.env}*{escape(with_whom)}: "
            f"{escape(span)} — set by {actor.mention}")
    blocks = [section(head)]
    if found.skipped:
        blocks.append(section(f":rotating_light: *Emergency override* by {actor.mention}: "
                              f"{escape(window.override_reason or '')}\nSkipped: "
                              f"{escape('; '.join(found.skipped))}"))
    notes = [n for n in (found.mailed, "in the calendar feed (/calendar.ics)") if n]
    blocks.append(context(escape(" · ".join(notes))))
    return Rendered(f"Load test of {name} on {found.env}{with_whom}: {span}. "
                    f"{found.mailed}".strip(),
                    blocks)


def window_confirmation(found: WindowSet, tz: dt.tzinfo, offer: str) -> Rendered:
    """The ephemeral question before an emergency window: what it breaks, and a button
    naming the recorded offer (bot/domain/offer.py: the press records what was offered)."""
    window = found.window
    label = f"Override load-test window {window.version}"
    value = {"s": window.service, "v": window.version, "o": offer}
    skipped = "; ".join(found.skipped) or "nothing"
    lines = [f"*Load test of {escape(window.label)}*: {escape(window_span(window, tz))}",
             f":rotating_light: Breaking glass. Reason: {escape(window.override_reason or '')}",
             f"Skipped: {escape(skipped)}"]
    dialog = confirm_dialog(f"{label}?", "Records the window although the rules say no; "
                            "it is announced with what it broke.", "Override", danger=True)
    block = actions(f"confirm:loadtest:{window.service}:{window.version}",
                    button(label, ACTION_LOADTEST_WINDOW, value, style="danger",
                           confirm=dialog))
    return Rendered(f"{label}? Press the button to confirm.", [section("\n".join(lines)),
                                                                block])


def result_recorded(found: ResultRecorded, actor: Actor, steps: Sequence[str], *,
                    pipeline: Pipeline) -> Rendered:
    result, release = found.result, found.release
    name = f"{result.service} {result.version}"
    icon = ":white_check_mark:" if result.passed else ":x:"
    lines = [f"{icon} *Load test {result.word}* for *{escape(name)}* on {found.env} — "
             f"{actor.mention}"]
    if result.reason:
        lines.append(f"> {escape(result.reason)}")
    lines += [f"✓ {escape(s)}" for s in steps]
    if found.rejected is not None:
        lines.append(f":no_entry: {escape(name)} rejected on {found.env} for bug "
                     f"{result.bug_id}: "
                     "it does not go to prod")
    blocks = [section("\n".join(lines))]
    if found.skipped:
        blocks.append(section(f":rotating_light: *Emergency override*: skipped "
                              f"{escape('; '.join(found.skipped))}"))
    blocks.append(context(escape(f"Next: {next_step(release, pipeline=pipeline)}")))
    rejected = " It is rejected." if found.rejected is not None else ""
    return Rendered(f"Load test {result.word} for {name} on {found.env}.{rejected} Next: "
                    f"{next_step(release, pipeline=pipeline)}", blocks)
