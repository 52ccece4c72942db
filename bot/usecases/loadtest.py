"""Load tests with partners, on the environment the pipeline load-tests (the one with the
load_test gate, else stage): QA sets a window, then records pass or fail.

Guarantees:
- `set_window` records a window once (the same window again is found, not added, and
  not announced twice), after the rules of bot/domain/loadtest.py; an emergency override
  records it anyway and lists the rules it broke. The new window is mailed to the
  partners named (all configured ones when none is), the mailing list copied, with its
  ICS event attached; a mail failure is reported, the window stays recorded.
- `record_result` records QA's result, comments on that environment's ticket (once per
  result: a step record guards the comment), and a `fail` with a bug then rejects the
  build there exactly as `/loop reject ENV VERSION bug N` does.
- Every change is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain import times
from bot.domain.actions import Action, Actor
from bot.domain.audit import AuditEntry
from bot.domain.errors import Refusal
from bot.domain.loadtest import (
    Result,
    Window,
    check_may_load_test,
    check_window,
    refuse_unless_overridden,
    result_problems,
    result_states,
    state_problems,
    window_states,
)
from bot.domain.release import Release
from bot.domain.version import ReleaseLabel
from bot.usecases.calendar_feed import calendar_from_settings
from bot.usecases.context import Context, Progress, ServicePorts, load_release, quiet
from bot.usecases.ports import Attachment, NotFound, PartnerError, Tracker
from bot.usecases.release import ActionResult, advance


@dataclass(frozen=True)
class WindowSet:
    window: Window
    release: Release
    new: bool  # False: the same window was recorded before (nothing announced again)
    skipped: tuple[str, ...] = ()  # the rules an emergency override broke
    mailed: str = ""  # "mailed to ..." / "not mailed: ..."
    env: str = field(kw_only=True)  # where the load test runs (`Pipeline.load_tested`)


@dataclass(frozen=True)
class ResultRecorded:
    result: Result
    release: Release
    skipped: tuple[str, ...] = ()
    rejected: ActionResult | None = None  # a fail with a bug rejects the build
    env: str = field(kw_only=True)  # where the load test ran


def set_window(
    ctx: Context, ports: ServicePorts, actor: Actor, label: ReleaseLabel, start: dt.datetime,
    end: dt.datetime, partners: Sequence[str] = (), *, override_reason: str | None = None,
    request_id: str | None = None, record: bool = True,
) -> WindowSet:
    """Record a load-test window (`start`, `end`: the team's wall clock, naive or aware).
    With `record=False`, only what recording it would skip (an override's confirmation).
    `ports`: the service, resolved once by the caller."""
    version = str(label)
    config = ports.config
    name = config.name
    check_may_load_test(actor, name, override_reason)
    release = load_release(ctx, name, version)
    _check_partners(ctx, partners)
    tz = ctx.settings.tz
    window = Window(name, version, _aware(start, tz), _aware(end, tz), tuple(partners),
                    actor.user_id, override_reason)
    with ctx.store.unit_of_work() as uow:
        recorded = uow.loadtests.windows()
    same = next((w for w in recorded if w.same_as(window)), None)
    if same is not None:
        return WindowSet(same, release, new=False, env=config.pipeline.load_tested.name)
    problems = state_problems(release, window_states(config.pipeline), "get a load-test window")
    skipped = refuse_unless_overridden(problems, override_reason)
    skipped += check_window(calendar_from_settings(ctx.settings), window, recorded,
                            ctx.clock())
    if not record:
        return WindowSet(window, release, False, skipped, env=config.pipeline.load_tested.name)
    with ctx.store.unit_of_work() as uow:
        stored, new = uow.loadtests.add_window(window)
        if new:
            uow.audit.add(_entry(ctx, actor, release, "load-test window",
                                 _window_detail(stored, skipped, tz), request_id,
                                 override_reason))
        uow.commit()
    env = config.pipeline.load_tested.name
    mailed = _mail_window(ctx, stored, env) if new else ""
    return WindowSet(stored, release, new, skipped, mailed, env=env)


def record_result(
    ctx: Context, ports: ServicePorts, actor: Actor, label: ReleaseLabel, passed: bool, *,
    reason: str = "", bug_id: int | None = None,
    override_reason: str | None = None, request_id: str | None = None,
    progress: Progress = quiet,
) -> ResultRecorded:
    """QA's load-test result on the load-tested environment's ticket; a fail with a bug
    rejects the build."""
    version = str(label)
    name = ports.config.name
    env = ports.config.pipeline.load_tested.name
    check_may_load_test(actor, name, override_reason)
    release = load_release(ctx, name, version)
    now = ctx.clock()
    with ctx.store.unit_of_work() as uow:
        windows = uow.loadtests.windows(name, version)
    problems = state_problems(release, result_states(ports.config.pipeline),
                              "get a load-test result")
    problems += result_problems(windows, now, version, ctx.settings.tz)
    skipped = refuse_unless_overridden(problems, override_reason)
    ticket = release.ticket(env)
    if ticket is None:
        raise Refusal(f"{name} {version} has no {env} ticket to record the load test on",
                      hint=f"file it first: `/loop request {env} {version}`")
    if bug_id is not None:
        _check_bug(ports.tracker, bug_id)
    result = Result(name, version, passed, reason.strip(), bug_id, actor.user_id, now)
    with ctx.store.unit_of_work() as uow:
        result = uow.loadtests.add_result(result)
        detail = "; ".join([result.word, *_result_detail(result), *skipped])
        uow.audit.add(_entry(ctx, actor, release, "load test", detail, request_id,
                             override_reason))
        key = f"loadtest-comment:{result.id}"
        uow.steps.start(key)
        uow.commit()
    ports.tracker.comment(ticket.bug_id, _comment(result, actor, env))
    with ctx.store.unit_of_work() as uow:
        uow.steps.finish(key, {"bug_id": ticket.bug_id})
        uow.commit()
    progress(f"load test {result.word}: noted on {env} bug {ticket.bug_id}")
    rejected = None
    if not passed and bug_id is not None:
        rejected = advance(ctx, ports, Action.REJECT, label, actor, bug_id=bug_id,
                           reason=f"load test failed: {reason}".strip(": "),
                           request_id=request_id, progress=progress)
        release = rejected.release
    return ResultRecorded(result, release, skipped, rejected, env=env)


def _check_partners(ctx: Context, partners: Sequence[str]) -> None:
    known = ctx.settings.loadtest.partners
    unknown = [p for p in partners if p not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise Refusal(f"unknown partner(s) {', '.join(unknown)}; configured partners: "
                      f"{listed}", hint="partners are listed under loadtest.partners in "
                                        "app.yaml")


def _check_bug(tracker: Tracker, bug_id: int) -> None:
    try:
        tracker.bug(bug_id)
    except NotFound:
        raise Refusal(f"there is no bug {bug_id} in Bugzilla",
                      hint="check the bug number") from None


def _mail_window(ctx: Context, window: Window, env: str) -> str:
    if ctx.mail is None:
        return "not mailed: no SMTP_URL or mailing list is configured"
    known = ctx.settings.loadtest.partners
    names = window.partners or tuple(sorted(known))
    to = [known[n] for n in names]
    calendar = calendar_from_settings(ctx.settings)
    ics = ctx.invitation(calendar, window, ctx.clock())
    subject, body = window_mail(window, calendar.tz, env)
    try:
        ctx.mail.send(subject, body, to=to, attachments=[
            Attachment(f"loadtest-{window.service}-{window.version}.ics", "text/calendar", ics)])
    except PartnerError as exc:
        return f"not mailed: {exc}"
    return f"mailed to {', '.join(to) or ctx.mail.to}" + (f" (copy to {ctx.mail.to})"
                                                          if to else "")


def window_mail(window: Window, tz: dt.tzinfo, env: str) -> tuple[str, str]:
    """The subject and body of the mail announcing a window on `env`."""
    when = f"{times.span(window.start, window.end, tz)} ({tz})"
    subject = f"Load test of {window.label} on {env}: {when}"
    with_whom = f" with {', '.join(window.partners)}" if window.partners else ""
    body = (f"Mozilla QA will load-test {window.label} on the {env} environment{with_whom}"
            f"\nfrom {when}.\n\nThe attached calendar event holds the window. Reply to this "
            "mail if the window does not suit you.\n")
    return subject, body


def _aware(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _window_detail(window: Window, skipped: Sequence[str], tz: dt.tzinfo) -> str:
    parts = [times.span(window.start, window.end, tz)]
    if window.partners:
        parts.append("with " + ", ".join(window.partners))
    if skipped:
        parts.append("skipped: " + "; ".join(skipped))
    return "; ".join(parts)


def _result_detail(result: Result) -> list[str]:
    return [p for p in (result.reason, f"bug {result.bug_id}" if result.bug_id else "") if p]


def _comment(result: Result, actor: Actor, env: str) -> str:
    who = actor.name or actor.user_id
    text = f"Load test {result.word} on {env} ({result.version}), recorded by {who} via loopbot"
    extra = "; ".join(_result_detail(result))
    return f"{text}: {extra}" if extra else text


def _entry(ctx: Context, actor: Actor, release: Release, action: str, detail: str,
           request_id: str | None, override_reason: str | None) -> AuditEntry:
    return AuditEntry(
        at=ctx.clock(), actor=actor.user_id, roles=actor.role_values(release.service),
        action=f"override {action}" if override_reason else action, service=release.service,
        version=release.version, from_state=release.state.value, to_state=release.state.value,
        detail=detail, request_id=request_id, override_reason=override_reason,
    )
