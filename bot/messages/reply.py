"""Replies meant for the caller only: help, refusals, failures, status, history, the
environments and the calendar.

Guarantees: a refusal shows its message and its hint (what to do instead); a partner's
failure names the partner and says whether anything was changed; an unexpected error
shows only a short reference, never the exception's text; everything from outside is
escaped (only the bot's own `<@U...>` mentions survive).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from bot.domain import times
from bot.domain.audit import AuditEntry
from bot.domain.calendar import Calendar
from bot.domain.cycle import Cycle, Phase
from bot.domain.dev_lag import DevLag
from bot.domain.errors import Refusal
from bot.domain.facts import MOCKED_PARTNER, NOTHING_RELEASED, EnvironmentState
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release
from bot.messages.blocks import (
    SECTION_LIMIT,
    Rendered,
    clip,
    context,
    escape,
    lines_section,
    section,
)
from bot.messages.calendar import render_text
from bot.messages.release import finish_tag_buttons, release_card
from bot.usecases.ports import OutcomeUnknown, PartnerError

PARTNERS = {"github": "GitHub", "bugzilla": "Bugzilla", "slack": "Slack"}
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:Z|[+-]\d\d:\d\d)")
ENTRY_LIMIT = 300  # of a history entry's detail or reason: the board shows them whole


def help_text(lines: Sequence[tuple[str, str]], emergency_steps: Sequence[str] = (),
              your_roles: str = "", process_doc: str = "") -> Rendered:
    """`lines` are (usage, summary) pairs; `emergency_steps` the subcommands that take
    `--emergency`; `your_roles` the reader's roles per service ("DEV for loop-server");
    `process_doc` the address of the process's description (docs/process.md)."""
    rows = [f"`{escape(usage)}` — {escape(summary)}" for usage, summary in lines]
    roles = [context(f"Your roles: {escape(your_roles)}")] if your_roles else []
    process = [context(f"The process, step by step: <{process_doc}|docs/process.md>")
               ] if process_doc else []
    return Rendered("/loop subcommands: " + "; ".join(u for u, _ in lines)
                    + (f". The process: {process_doc}" if process_doc else ""),
                    [lines_section("*/loop* runs the release process:", rows),
                     context(_options_hint(emergency_steps)), *roles, *process])


def _options_hint(emergency_steps: Sequence[str]) -> str:
    hint = 'Options: `service:NAME` (or `--service NAME`) picks another service'
    if emergency_steps:
        hint += (f'; the lifecycle steps ({", ".join(emergency_steps)}) take '
                 '`--emergency "REASON"` to break glass (emergency role only)')
    return hint + (". `/loop help SUBCOMMAND` tells who may run it, what it changes, "
                   "examples; `/loop help --emergency` tells how to break glass.")


def refusal(exc: Refusal, viewer: str = "") -> Rendered:
    """A refusal shown to `viewer` (a user id): the only mention that stays live is
    theirs; anything else in it, typed or not, is escaped."""
    keep = (viewer,) if viewer else ()
    text = f":no_entry: {escape(exc.message, keep=keep)}"
    blocks = [section(text)]
    if exc.hint:
        blocks.append(context(escape(exc.hint, keep=keep)))
    return Rendered(escape(str(exc), keep=keep), blocks)


def partner_failure(exc: PartnerError, changed: bool) -> Rendered:
    """Says honestly what is known: done steps, a change that may have been made (its
    answer was lost), or nothing changed (the partner refused, or nothing was sent)."""
    partner = PARTNERS.get(exc.partner.lower(), exc.partner)
    detail = str(exc).removeprefix(f"{exc.partner}: ")
    done = "the steps above are done; " if changed else ""
    if isinstance(exc, OutcomeUnknown):
        outcome = (f"{done}whether the last change was made is unknown. Repeating the "
                   "command is safe: it finds what was done and does nothing twice")
    elif changed:
        outcome = "the steps above are done; repeat the command to finish"
    else:
        outcome = "nothing was changed; repeat the command when it is back"
    text = escape(f"{partner} is failing: {detail}; {outcome}")
    return Rendered(text, [section(f":warning: {text}")])


_FINISH = ("`/loop status` shows where things stand, and repeating the same command "
           "finishes what was started without doing anything twice.")


def database_down(command: str, started: bool, *, done: bool = False) -> Rendered:
    """The bot's database could not be reached: before anything started (nothing was
    done), or partway (`done`: the steps the channel shows are done)."""
    what = f"`{escape(command)}`"
    if started:
        steps = ": the steps above are done" if done else ""
        return _warning(f"My database became unreachable while running {what}{steps}. Once "
                        f"it is back, {_FINISH}")
    return _warning(f"My database is unreachable, so nothing was done for {what}. The same "
                    "command (or button) is safe to repeat once the database is back.")


def cut_short(command: str, started: bool) -> Rendered:
    """The bot was stopped (a restart, a deploy) while the request was under way."""
    what = f"`{escape(command)}`"
    if started:
        return _warning(f"I was stopped (a restart of the bot) while running {what}, so it "
                        f"may have stopped halfway. Once I am back, {_FINISH}")
    return _warning(f"I was stopped (a restart of the bot) before I began {what}: nothing "
                    "was done. Send the same command again once I am back.")


def _warning(text: str) -> Rendered:
    return Rendered(text, [section(f":warning: {text}")])


def broke(reference: str, command: str) -> Rendered:
    text = (f"Something broke on my side while running `{escape(command)}` (reference "
            f"{reference}). It may have stopped halfway: `/loop status` shows where things "
            "stand, and repeating the command finishes what was started.")
    return Rendered(text, [section(f":boom: {text}")])


def status_list(service: str, releases: Sequence[Release],
                gates: Mapping[str, str] | None = None, *, pipeline: Pipeline) -> Rendered:
    """`gates`: per version, the gate its next verification waits for (a load test)."""
    gates = gates or {}
    if not releases:
        return Rendered(f"{service}: no release in flight",
                        [section(f"*{escape(service)}*: no release in flight. "
                                 "DEV starts one with `/loop tag`.")])
    blocks = [section(f"*{escape(service)}*: {len(releases)} release(s) in flight")]
    for release in releases[:12]:
        blocks += [*release_card(release, gates.get(release.version), pipeline=pipeline),
                   *finish_tag_buttons(release)]
    text = "; ".join(f"{r.version} {r.state.value}" for r in releases)
    return Rendered(f"{service} in flight: {text}", blocks)


def status_one(release: Release, pending: str | None = None, *,
               pipeline: Pipeline) -> Rendered:
    return Rendered(f"{release.service} {release.version}: {release.state.value}",
                    [*release_card(release, pending, pipeline=pipeline),
                     *finish_tag_buttons(release)])


def history(service: str, version: str, entries: Sequence[AuditEntry], tz: dt.tzinfo,
            board_url: str | None = None) -> Rendered:
    """The newest entries that fit (oldest first), each clipped; the board's page of the
    release has the whole trail."""
    title = f"*History of {escape(service)} {escape(version)}* (times in {tz})"
    rows = _newest([_audit_line(e, tz) for e in entries], SECTION_LIMIT - len(title) - 1)
    page = f"/releases/{quote(service, safe='')}/{quote(version, safe='')}"
    trail = (f"<{board_url.rstrip('/')}{page}|the whole trail on the board>" if board_url
             else f"the whole trail: `{page}` on the web board")
    return Rendered(f"{service} {version}: {len(entries)} event(s)",
                    [section("\n".join([title, *rows] if rows else [title,
                                                                   "nothing recorded"])),
                     context(f"{len(entries)} event(s); {trail}")])


def _newest(rows: Sequence[str], budget: int) -> list[str]:
    """The last rows that fit in `budget` characters, after a line saying how many
    earlier ones were left out."""
    kept: list[str] = []
    used = 40  # room for that line
    for row in reversed(rows):
        if used + len(row) + 1 > budget:
            break
        kept.append(row)
        used += len(row) + 1
    left = len(rows) - len(kept)
    return ([f"… {left} earlier event(s) not shown"] if left else []) + kept[::-1]


def _audit_line(entry: AuditEntry, tz: dt.tzinfo) -> str:
    when = times.when(entry.at, tz) if entry.at else "?"
    moved = f" ({entry.from_state} → {entry.to_state})" if entry.from_state else ""
    person = entry.actor.startswith(("U", "W"))
    who = f"<@{entry.actor}>" if person else escape(entry.actor)
    # "loopbot import" did "import": say it once
    did = "" if not person and entry.actor.split()[-1] == entry.action else \
        f" {escape(entry.action)}"
    line = f"• {when} {who}{did}{moved}"
    if entry.detail:
        line += f": {escape(clip(_local_times(entry.detail, tz), ENTRY_LIMIT))}"
    if entry.override_reason:
        line += f" :rotating_light: {escape(clip(entry.override_reason, ENTRY_LIMIT))}"
    return line


def _local_times(detail: str, tz: dt.tzinfo) -> str:
    """A detail recorded with ISO times (load-test windows set before times were recorded
    as people read them) shown like every other time."""
    def local(found: re.Match[str]) -> str:
        try:
            return times.when(dt.datetime.fromisoformat(found.group(0)), tz)
        except ValueError:  # shaped like a time, but none (month 13): left as it is
            return found.group(0)

    return _ISO_TIME.sub(local, detail)


def environments(service: str, states: Sequence[EnvironmentState],
                 lag: DevLag | None = None,
                 mocked: Mapping[str, bool | None] | None = None) -> Rendered:
    """`mocked`: per environment, whether the pipeline expects a mocked partner there (a
    live one on real-stage): a line whose root URL says otherwise is flagged."""
    expected = mocked or {}
    rows = [environment_line(s, lag) + _unexpected_partner(s, expected.get(s.name))
            for s in states]
    return Rendered(f"{service} environments: " + "; ".join(rows),
                    [lines_section(f"*{escape(service)} environments*", rows)])


def environment_line(state: EnvironmentState, lag: DevLag | None = None) -> str:
    """One environment; dev's line says how far it is behind master."""
    behind = f" · {escape(lag.summary)}" if lag is not None and lag.env == state.name else ""
    if not state.reachable:
        return f"• *{escape(state.name)}*: unreachable ({escape(state.error or 'no answer')})"
    if state.runs_nothing:
        return f"• *{escape(state.name)}*: {NOTHING_RELEASED}"
    rev = f" ({state.rev[:7]})" if state.rev else ""
    health = {True: "healthy", False: "unhealthy", None: "health unknown"}[state.healthy]
    fake = f" · {MOCKED_PARTNER}" if state.fake_partner else ""
    return (f"• *{escape(state.name)}*: {escape(state.version or 'no version')}{escape(rev)}"
            f" · {health}{fake}{behind}")


def _unexpected_partner(state: EnvironmentState, mocked: bool | None) -> str:
    if mocked is None or state.fake_partner is None or not state.reachable:
        return ""
    if state.fake_partner and not mocked:
        return " · :warning: expected the live partner, not a mock"
    if not state.fake_partner and mocked:
        return " · :warning: expected a mocked partner: load here reaches the live one"
    return ""


PHASES = {
    Phase.TAGGING: "tagging day",
    Phase.QA: "QA window on stage",
    Phase.PROD_PUSH: "prod push day",
    Phase.BETWEEN: "between the cycle's steps",
}


def calendar(
    calendar: Calendar, cycles: Sequence[Cycle], service: str, today: dt.date,
    in_flight: Sequence[Release],
) -> Rendered:
    """The next cycles, where today stands in the cycle, and what is in flight."""
    text = render_text(calendar, cycles, service)
    title, *rows = text.splitlines()
    now = f"Today, {times.day(today)}: {PHASES[calendar.phase_on(today)]}"
    if today >= calendar.anchor:
        now += f" (cycle {calendar.cycle_on(today).number})"
    flying = ", ".join(f"{r.version} ({r.state.value})" for r in in_flight) or "nothing"
    now_lines = [escape(now), f"In flight: {escape(flying)}"]
    return Rendered(
        "\n".join([text.rstrip(), *now_lines]),
        [lines_section(f"*{escape(title)}*", [escape(r) for r in rows]),
         context(*now_lines)],
    )
