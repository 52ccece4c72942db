"""Deployment tickets, filed and moved exactly once whatever fails in between.

Filing is the one side effect that cannot be repeated safely, so it is recorded: a step
`SERVICE:VERSION:ticket:ENV:ATTEMPT` is started (committed) before the request and
finished with the bug id after it. A repeat after a crash between the two looks the
ticket up by its exact summary before filing again. Status changes are idempotent by
nature: the ticket is read first and left alone when it is already there.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.errors import one_line
from bot.domain.facts import Bug
from bot.domain.pipeline import Pipeline
from bot.domain.release import Env, Kind, Release
from bot.usecases.ports import Forge, RecordStore, Tracker

Progress = Callable[[str], None]



def ticket_word(env: str, pipeline: Pipeline) -> str:
    """How the ticket's summary names env: "Stage", "Real Stage", "Production"."""
    spec = pipeline.env(env)
    return spec.ticket if spec is not None and spec.ticket else env.replace("-", " ").title()


def ticket_summary(release: Release, env: Env, prefix: str = "Loop", *,
                   pipeline: Pipeline) -> str:
    """"Loop — Please deploy loop-server 0.13.0 to Stage" (PROCESS.md, step 2)."""
    what = release.version
    if release.kind is Kind.SERVICE:
        what = f"service change {release.version}: {one_line(release.summary)}"
    return f"{prefix} — Please deploy {release.service} {what} to {ticket_word(env, pipeline)}"


def ticket_description(
    release: Release, env: Env, forge: Forge, verified_bug: int | None = None, *,
    pipeline: Pipeline,
) -> str:
    """The ticket's first comment: what to deploy, the links, the bugs it fixes."""
    lines = [f"Please deploy {release.service} {release.version} to "
             f"{ticket_word(env, pipeline)}."]
    if release.kind is Kind.SERVICE:
        lines += ["", f"Service-level change: {one_line(release.summary)}"]
    if release.tag:
        lines += ["", f"Tag: {forge.tag_url(release.tag)}"]
        if release.previous_version:
            lines.append(f"Diff: {forge.compare_url(release.previous_version, release.tag)}")
    came_from = pipeline.before(env)
    if verified_bug is not None and came_from is not None:
        lines += ["", f"Verified on {came_from.name} in bug {verified_bug}."]
    if release.notes:
        lines += ["", release.notes.rstrip("\n")]
    elif release.fixed_bugs:
        lines += ["", "Bugs fixed:"] + [f"- bug {b}" for b in release.fixed_bugs]
    if release.flagged_bugs:
        lines += ["", "Referenced but not RESOLVED FIXED:"]
        lines += [f"- bug {b}" for b in release.flagged_bugs]
    if release.blockers:
        lines += ["", "Blocked by:"] + [f"- bug {b}" for b in release.blockers]
    return "\n".join(lines)


def step_key(release: Release, env: Env, attempt: int) -> str:
    return f"{release.service}:{release.version}:ticket:{env.value}:{attempt}"


def file_once(
    store: RecordStore,
    tracker: Tracker,
    release: Release,
    env: Env,
    *,
    attempt: int,
    summary: str,
    description: str,
    depends_on: tuple[int, ...],
) -> int:
    """File the ticket for (release, env, attempt) unless it was filed already."""
    key = step_key(release, env, attempt)
    with store.unit_of_work() as uow:
        step = uow.steps.get(key)
        if step is not None and step.status == "done" and step.result is not None:
            return int(step.result["bug_id"])
        if step is None:
            uow.steps.start(key)
            uow.commit()
    found = tracker.find_ticket(summary) if step is not None else None
    bug_id = found.id if found is not None and found.is_open else None
    if bug_id is None:
        bug_id = tracker.file_ticket(summary, description, depends_on)
    with store.unit_of_work() as uow:
        uow.steps.finish(key, {"bug_id": bug_id})
        uow.commit()
    return bug_id


def move_ticket(
    tracker: Tracker, bug: Bug, status: str, resolution: str = "", comment: str = ""
) -> bool:
    """Set status/resolution unless the ticket (as just read) is there already.
    True when it changed the ticket."""
    if bug.status == status and bug.resolution == resolution:
        return False
    tracker.set_status(bug.id, status, resolution, comment)
    return True
