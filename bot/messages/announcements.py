"""What the scheduler says: the tagging announcement, the prod-push and late-step
reminders, the monitoring messages and the environment watch's news and alarms.

Guarantees:
- Every message is a `Rendered`: a plain-text `text` (the notification fallback, and for
  the announcement also the email body: the same content, nothing Slack-only in it) and
  Block Kit `blocks` that Slack accepts (a header or section with the same lines, a
  context line for a late note, mentions in a section of their own).
- Mentions are passed in already rendered (bot/partners/slack.py makes them); the role
  owning a release's next step is read from the lifecycle's `next_step`, the one place
  that says whose move it is.
- Text from outside (bug summaries, what an environment reports, a heartbeat's message)
  goes through bot/markup.py's `escape`; the email body is its `plain` form.
- Pure: dates, releases and mentions are passed in; nothing reads the clock or a partner.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain import times
from bot.domain.actions import Action
from bot.domain.api_impact import HEADING as API_HEADING
from bot.domain.deadline import LateStep
from bot.domain.errors import one_line
from bot.domain.next_steps import next_step, next_step_seen_on
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release, State
from bot.domain.rules import sent_back_on
from bot.markup import escape
from bot.messages.release import step_button

Mention = Callable[..., str]  # Chat.mention_in(service): mention(*roles)
ROLE_NAMES = ("DEV", "OPS", "QA", "emergency")
MAX_BUGS = 30
_NOTE_LINE = re.compile(r"^- \[[\w-]+\] (\d+) — (.+)$", re.M)


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    subject: str = ""  # set on a message that is also emailed (its body is `text`)


@dataclass(frozen=True)
class CycleDates:
    """A cycle as the announcement shows it (None: no such date this cycle)."""

    number: int
    tag: dt.date
    qa_first: dt.date | None
    qa_last: dt.date | None
    prod: dt.date | None
    prod_note: str = ""  # why there is no prod push, and when the next one is


@dataclass(frozen=True)
class Announcement:
    service: str
    cycle: CycleDates
    release: Release | None  # the release tagged this cycle, else the one still in flight
    tagged_before: dt.date | None = None  # set when `release` was tagged before this cycle
    next_version: str | None = None  # what `/loop tag` would tag, when nothing is tagged
    nothing_to_tag: str | None = None  # why `/loop tag` would refuse now
    stage_url: str | None = None
    late: str | None = None  # "posted late: the bot was down at 10:00"
    mentions: str = ""  # DEV, when nothing is tagged yet


def day(value: dt.date) -> str:
    return times.day(value)


def late_note(due: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> str:
    """"posted late: the bot was down at 10:00" (with the day when it is not today)."""
    local, today = times.local(due, tz), times.local(now, tz).date()
    when = times.time_of_day(local) if local.date() == today else times.when(local, tz)
    return f"posted late: the bot was down at {when}"


def next_owners(release: Release, *, pipeline: Pipeline) -> tuple[str, ...]:
    """The roles that own the release's next step, as `next_step` names them."""
    owner = next_step(release, pipeline=pipeline).split(":", 1)[0]
    return tuple(r for r in owner.split(" or ") if r in ROLE_NAMES)


def fixed_bugs(release: Release) -> list[tuple[int, str]]:
    """(bug, summary) of the fixed bugs, from the release notes when they list them."""
    noted = {int(m.group(1)): one_line(m.group(2).strip())
             for m in _NOTE_LINE.finditer(release.notes)}
    return [(b, noted.get(b, "")) for b in release.fixed_bugs]


# -- the tagging announcement ----------------------------------------------------------
def announcement_title(a: Announcement) -> str:
    if a.release is not None and a.tagged_before is not None:
        return f"{a.service} {a.release.version} is in flight (cycle {a.cycle.number})"
    if a.release is not None:
        return f"{a.service} {a.release.version} is tagged (cycle {a.cycle.number})"
    if a.nothing_to_tag:
        return f"{a.service}: tagging day for cycle {a.cycle.number}, nothing to tag"
    return f"{a.service}: tagging day for cycle {a.cycle.number}, nothing tagged yet"


def render_announcement(a: Announcement, *, pipeline: Pipeline) -> Rendered:
    lines = [f"{announcement_title(a)}: {day(a.cycle.tag)}."]
    lines += _release_lines(a, pipeline) if a.release is not None else _untagged_lines(a)
    lines += _cycle_lines(a)
    if a.late:
        lines.append(f"({a.late})")
    text = "\n".join(lines)
    blocks = [_header(announcement_title(a)), _section("\n".join(lines[1:-1] if a.late
                                                                 else lines[1:]))]
    if a.late:
        blocks.append(_context(a.late))
    if a.mentions:
        blocks.append(_section(a.mentions))
    return Rendered(text, blocks, subject=_subject(a))


def _subject(a: Announcement) -> str:
    prod = f", prod push {times.day(a.cycle.prod)}" if a.cycle.prod else ""
    return f"{announcement_title(a)}{prod}"


def _release_lines(a: Announcement, pipeline: Pipeline) -> list[str]:
    release = a.release
    assert release is not None
    bugs = fixed_bugs(release)
    lines = [f"Tagged {day(a.tagged_before)}, before this tagging day."] if a.tagged_before else []
    lines.append("Bugs fixed:" if bugs else "Bugs fixed: none referenced.")
    lines += [f"- bug {b}: {escape(s)}" if s else f"- bug {b}" for b, s in bugs[:MAX_BUGS]]
    if len(bugs) > MAX_BUGS:
        lines.append(f"- and {len(bugs) - MAX_BUGS} more (see the release notes)")
    if release.flagged_bugs:
        flagged = ", ".join(f"bug {b}" for b in release.flagged_bugs)
        lines.append(f"Flagged (referenced, not RESOLVED FIXED): {flagged}")
    lines += [n for n in release.notes.splitlines() if n.startswith(API_HEADING)]
    first = pipeline.first.name
    stage = release.ticket(first)
    status = f"Status: {release.state.value}"
    lines.append(f"{status}, {first} bug {stage.bug_id}." if stage else f"{status}.")
    lines.append(f"Next: {next_step(release, pipeline=pipeline)}")
    return lines


def _untagged_lines(a: Announcement) -> list[str]:
    if a.nothing_to_tag:
        return [f"Nothing to tag: {a.nothing_to_tag}; `/loop tag` proposes the next "
                "release once a fix lands."]
    what = f"{a.next_version} from master" if a.next_version else "the next release"
    return [f"To tag: {what}.", "DEV: tag it with `/loop tag`."]


def _cycle_lines(a: Announcement) -> list[str]:
    c = a.cycle
    lines = []
    if c.qa_first and c.qa_last:
        lines.append(f"QA on stage: {day(c.qa_first)} to {day(c.qa_last)}")
    lines.append(f"Prod push: {day(c.prod)}" if c.prod else f"Prod push: {c.prod_note}")
    if a.stage_url:
        lines.append(f"Try it on stage: {a.stage_url}")
    return lines


# -- reminders --------------------------------------------------------------------------
def render_prod_push(
    service: str, on: dt.date, releases: Sequence[Release], mention: Mention,
    late: str | None = None, *, pipeline: Pipeline,
) -> Rendered:
    title = f"Prod push day for {service}, {day(on)}"
    if not releases:
        return _message(f"{title}: nothing is waiting for prod.", late=late)
    lines = [f"{title}:"] + [_push_line(r, mention, pipeline) for r in releases]
    return _message("\n".join(lines), late=late)


def _push_line(release: Release, mention: Mention, pipeline: Pipeline) -> str:
    v = release.version
    who = mention(*next_owners(release, pipeline=pipeline))
    if release.state is State.GREENLIT:
        state = f"- {v}: green light given."
    elif release.state is State.REJECTED:
        bug = f" (bug {release.rejected_for})" if release.rejected_for else ""
        where = sent_back_on(release, pipeline)
        state = f"- {v}: rejected on {where}{bug}, it does not go to prod."
    else:
        state = f"- {v}: no green light yet ({release.state.value})."
    return f"{state} Next: {next_step(release, pipeline=pipeline)} {who}".rstrip()


def render_late_step(
    release: Release, bug_id: int, step: LateStep, mentions: str, late: str | None = None,
    *, pipeline: Pipeline,
) -> Rendered:
    """The one late step: whose it was, by when, and the next move; `mentions` are the
    people of `step.owner` only."""
    env = release.state.env or pipeline.first.name
    text = (f"{release.service} {release.version} is late: {step.owner} was to {step.what} "
            f"({env} bug {bug_id}) by {day(step.due)}. "
            f"Next: {next_step(release, pipeline=pipeline)} {mentions}").rstrip()
    return _message(text, late=late)


# -- monitoring -------------------------------------------------------------------------
def render_heartbeat_failing(
    release: Release, reason: str, until: dt.datetime, tz: dt.tzinfo, mention: Mention
) -> Rendered:
    text = (f":red_circle: prod heartbeat failing for {release.service} {release.version}: "
            f"{escape(reason)}. OPS: check prod (monitoring until "
            f"{times.time_of_day(times.local(until, tz))}); "
            f"back it off if it does not recover. {mention('OPS')}").rstrip()
    return _message(text)


def render_heartbeat_back(release: Release) -> Rendered:
    return _message(f":large_green_circle: prod heartbeat is back for {release.service} "
                    f"{release.version}.")


def render_monitoring_closed(
    release: Release, minutes: int, failures: int, failing_now: bool,
    late: str | None = None, *, pipeline: Pipeline,
) -> Rendered:
    name = f"{release.service} {release.version}"
    if failures == 0:
        text = (f"Monitoring of {name} in prod ended quietly: the heartbeat answered OK "
                f"for {minutes} minutes.")
    else:
        now = "still failing" if failing_now else "OK again"
        text = (f"Monitoring of {name} in prod ended: the heartbeat failed {failures} "
                f"time(s) in {minutes} minutes and is {now}.")
    return _message(f"{text} Next: {next_step(release, pipeline=pipeline)}", late=late)


# -- the environment watch --------------------------------------------------------------
def render_environment_change(
    service: str, env: str, version: str, previous: str, release: Release | None, *,
    pipeline: Pipeline,
) -> Rendered:
    head = f"{env} now runs {service} {escape(version)} (was {escape(previous)})"
    if release is None:
        return _message(f"{head}: no release {escape(version)} is recorded.")
    ticket = release.ticket(env)  # dev has no tickets
    where = f", {env} bug {ticket.bug_id}" if ticket else ""
    return _message(f"{head}: release {version} ({release.state.value}){where}. "
                    f"Next: {next_step_seen_on(release, env, pipeline=pipeline)}")


def render_prod_alarm(
    service: str, version: str, previous: str, release: Release | None, mention: Mention
) -> Rendered:
    version, previous = escape(version), escape(previous)
    why = (f"{version} is {release.state.value}, never greenlit" if release
           else f"no release {version} is recorded")
    text = (f":rotating_light: prod now runs {service} {version} (was {previous}) without "
            f"a green light: {why}. OPS: find out who deployed it and back it off, or an "
            f"emergency person records why. {mention('OPS', 'emergency')}").rstrip()
    return _message(text)


def render_back_off_seen(release: Release, now_running: str, mention: Mention, *,
                         pipeline: Pipeline) -> Rendered:
    """Prod returned to the release before `release` after its push: most likely OPS
    backed it off. Said, with the button that records it (the step's own guards apply)."""
    name, running = f"{escape(release.service)} {release.version}", escape(now_running)
    text = (f":leftwards_arrow_with_hook: prod runs {running} again (was {name}, "
            f"{release.state.value}): backed off? OPS: record it with the button or "
            f"`/loop backoff prod {release.version} [bug N] REASON`; DEV then fixes it in a "
            f"patch. {mention('OPS')}").rstrip()
    message = _message(text)
    button = step_button(release, Action.BACKOFF, pipeline=pipeline)
    return Rendered(message.text, [*message.blocks, {"type": "actions", "elements": [button]}])


# -- Block Kit --------------------------------------------------------------------------
def _message(text: str, *, late: str | None = None) -> Rendered:
    blocks = [_section(text)]
    if late:
        blocks.append(_context(late))
        text = f"{text}\n({late})"
    return Rendered(text, blocks)


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000] or " "}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
