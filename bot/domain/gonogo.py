"""The go/no-go for the next prod push (issue 22): given the facts read now, GO or NO-GO
with every reason, each with its link and whose move it is before the push.

Rules (pure; the use case reads the facts, bot/messages/gonogo.py renders the answer):
- The candidate is the newest release not yet final and not already in prod; none:
  nothing goes, and prod keeps what it runs.
- Gates, each failing one a reason for NO-GO: the candidate is neither rejected nor
  backed off and its tag is finished; every environment before prod (in pipeline order)
  has its ticket filed and VERIFIED and runs the candidate; a required load test passed
  (its latest result); no bug blocking prod is open; the prod ticket is filed; every
  environment with a ticket answers and is healthy; Bugzilla could be read.
- Said beside, never a gate: the green light (QA gives it before the push), the teams
  that sign prod off after it, what prod runs and the drift (commits and bugs between
  prod and the candidate), the API versions whose code changes, the health of
  environments without a ticket (dev).
- Whose move: the roles the lifecycle's rules give the step that fixes each reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain.actions import Action
from bot.domain.api_impact import describe as describe_impact
from bot.domain.deadline import DayOff, is_working_day
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.gonogo_facts import (
    PUSHED,
    Drift,
    GoNoGo,
    GoNoGoFacts,
    Link,
    Reason,
    TicketFacts,
    Verdict,
)
from bot.domain.pipeline import Pipeline
from bot.domain.release import Kind, Release, State
from bot.domain.rules import roles_for, sent_back_on

__all__ = ["PUSHED", "Drift", "GoNoGo", "GoNoGoFacts", "Link", "Reason", "TicketFacts",
           "Verdict", "candidate_of", "decide", "post_day"]


def decide(facts: GoNoGoFacts) -> GoNoGo:
    """GO, NO-GO or nothing in flight, with every reason."""
    prod = _prod_state(facts)
    release = facts.candidate
    if release is None or release.state in PUSHED:
        done = [Reason("release", True, f"{release.version} is {release.state.value}: it "
                       "is past the push", blocking=False)] if release else []
        return GoNoGo(facts.service, facts.push_day, release, Verdict.NOTHING,
                      tuple(done + _health(facts) + _prod_runs(prod)), prod)
    standing = _standing(release, facts.pipeline)
    if standing:  # it will not go whatever its tickets say: only DEV's patch moves it
        reasons = [*standing, *_health(facts), *_prod_runs(prod), *_drift(facts, release),
                   *_api(facts)]
    else:
        reasons = [*_tickets(facts, release), *_load_test(facts, release),
                   *_blockers(facts, release), *_health(facts), *_unread(facts),
                   *_green_light(facts, release), *_prod_runs(prod),
                   *_drift(facts, release), *_api(facts), *_signoffs(facts, release)]
    verdict = Verdict.NO_GO if any(r.blocking and not r.ok for r in reasons) else Verdict.GO
    return GoNoGo(facts.service, facts.push_day, release, verdict, tuple(reasons), prod)


def post_day(push_day: dt.date, day_off: DayOff) -> dt.date:
    """The day the go/no-go is posted: the last working day before the push (a Friday for
    a Monday push; weekends and skipped or frozen days are no working days)."""
    for back in range(1, 367):
        day = push_day - dt.timedelta(days=back)
        if is_working_day(day, day_off):
            return day
    return push_day - dt.timedelta(days=1)  # a year without a working day: the day before


def candidate_of(releases: Sequence[Release]) -> Release | None:
    """The release that would go next: the newest (releases newest first) not final and
    not already in prod; None when the newest is in prod already or there is none."""
    for release in releases:
        if release.state is State.SUPERSEDED:
            continue
        if release.state in (State.PROD_DEPLOYED, State.DONE):
            return None
        return release
    return None


# -- the gates ---------------------------------------------------------------------------
def _standing(release: Release, pipeline: Pipeline) -> list[Reason]:
    v = release.version
    if release.state is State.REJECTED:
        bug = f" for bug {release.rejected_for}" if release.rejected_for else ""
        where = sent_back_on(release, pipeline)
        return [Reason("release", False, f"{v} was rejected on {where}{bug}: it does not go; "
                       "DEV fixes it on master and tags the next patch (`/loop tag`)",
                       owners=("DEV",))]
    if release.state is State.BACKED_OFF:
        return [Reason("release", False, f"{v} was backed off from prod: DEV fixes the "
                       "regression and tags the next patch (`/loop tag`)", owners=("DEV",))]
    if release.state is State.TAGGING:
        return [Reason("release", False, f"the tag of {v} is not finished: DEV repeats "
                       f"`/loop tag {v}`", owners=("DEV",))]
    return []


def _tickets(facts: GoNoGoFacts, release: Release) -> list[Reason]:
    if facts.read_error is not None:
        return []
    reasons: list[Reason] = []
    last = len(facts.tickets) - 1
    for index, ticket in enumerate(facts.tickets):
        if index == last:
            before = facts.tickets[index - 1].env if index else None
            waiting = before is not None and not any(
                r.ok for r in reasons if r.gate == f"{before} ticket")
            reasons.append(_prod_ticket(ticket, release, before if waiting else None,
                                        facts.pipeline))
        elif ticket.bug is None and ticket.bug_id is not None:
            reasons.append(_missing(ticket))
        else:
            reasons += _pre_prod_ticket(ticket, release, facts.environments, facts.pipeline)
    return reasons


def _missing(ticket: TicketFacts) -> Reason:
    """A ticket the bot recorded that Bugzilla did not return (deleted, or hidden)."""
    link = Link(f"bug {ticket.bug_id}", ticket.url) if ticket.url else None
    return Reason(f"{ticket.env} ticket", False, f"{ticket.env} bug {ticket.bug_id} is not "
                  "in Bugzilla's answer (deleted, or hidden from the bot's account)", link)


def _pre_prod_ticket(ticket: TicketFacts, release: Release,
                     states: Sequence[EnvironmentState], pipeline: Pipeline) -> list[Reason]:
    v, env, gate = release.version, ticket.env, f"{ticket.env} ticket"
    bug = ticket.bug
    if bug is None:
        return [Reason(gate, False, f"no {env} ticket is filed for {v}: file it with "
                       f"`/loop request {env} {v}`",
                       owners=_roles(Action.of("request", env), release, pipeline))]
    link = Link(f"bug {bug.id}", ticket.url) if ticket.url else None
    if bug.is_verified:
        found = [Reason(gate, True, f"{env} bug {bug.id} is VERIFIED", link)]
    elif bug.is_fixed:
        found = [Reason(gate, False, f"{env} bug {bug.id} is {_status(bug)}, not VERIFIED: "
                        f"QA verifies it with `/loop verify {env} {v}`", link,
                        _roles(Action.of("verify", env), release, pipeline))]
    else:
        found = [Reason(gate, False, f"{env} bug {bug.id} is {_status(bug)}: OPS deploys "
                        f"{v} to {env}, then `/loop deployed {env} {v}`", link,
                        _roles(Action.of("deployed", env), release, pipeline))]
    state = next((s for s in states if s.name == env), None)
    if (release.kind is Kind.CODE and state is not None and state.reachable
            and state.version != release.version):
        runs = state.version or "no version"
        found.append(Reason(f"{env} runs", False, f"{env} reports {runs}, not {v}: OPS "
                            f"deploys {v} there", Link(env, state.url), ("OPS",)))
    return found


def _prod_ticket(ticket: TicketFacts, release: Release, waits_for: str | None,
                 pipeline: Pipeline) -> Reason:
    """`waits_for`: the environment before, when its ticket is not VERIFIED yet (the prod
    ticket comes after it: nobody's move yet)."""
    v, env = release.version, ticket.env
    if ticket.bug is None and ticket.bug_id is not None:
        return _missing(ticket)
    if ticket.bug is None and waits_for is not None:
        return Reason(f"{env} ticket", False, f"no {env} ticket yet: it is filed once "
                      f"{waits_for} is verified")
    if ticket.bug is None:
        return Reason(f"{env} ticket", False, f"no {env} ticket is filed for {v}: file it "
                      f"with `/loop request {env} {v}`",
                      owners=_roles(Action.of("request", env), release, pipeline))
    link = Link(f"bug {ticket.bug.id}", ticket.url) if ticket.url else None
    return Reason(f"{env} ticket", True, f"{env} bug {ticket.bug.id} is filed "
                  f"({_status(ticket.bug)})", link)


def _load_test(facts: GoNoGoFacts, release: Release) -> list[Reason]:
    if release.kind is Kind.SERVICE:
        return []
    result, v = facts.load_test, release.version
    where = facts.pipeline.load_tested.name
    link = _ticket_link(facts, 0)  # results are noted on the first environment's ticket
    if result is not None and result.passed:
        return [Reason("load test", True, f"the load test of {v} passed"
                       + (f": {result.reason}" if result.reason else ""), link)]
    if result is not None:
        bug = f" (bug {result.bug_id})" if result.bug_id else ""
        why = f": {result.reason}" if result.reason else ""
        return [Reason("load test", False, f"the load test of {v} failed{bug}{why}", link,
                       owners=("QA", "DEV"), blocking=facts.load_test_required)]
    if not facts.load_test_required:
        return [Reason("load test", True, f"no load test recorded for {v} (not required)",
                       blocking=False)]
    return [Reason("load test", False, f"no passed load test is recorded for {v}: QA runs "
                   f"it in a window (`/loop loadtest {where} {v} window FROM TO`) and "
                   f"records the result (`/loop loadtest {where} {v} pass`)", link, owners=("QA",))]


def _ticket_link(facts: GoNoGoFacts, index: int) -> Link | None:
    """The link to the ticket of the pipeline's environment `index` (-1: prod)."""
    if not facts.tickets:
        return None
    ticket = facts.tickets[index]
    number = ticket.bug.id if ticket.bug is not None else ticket.bug_id
    return Link(f"bug {number}", ticket.url) if ticket.url and number else None


def _blockers(facts: GoNoGoFacts, release: Release) -> list[Reason]:
    reasons = []
    for bug in facts.blockers:
        url = facts.bug_links.get(bug.id)
        link = Link(f"bug {bug.id}", url) if url else None
        if bug.is_open:
            reasons.append(Reason("blocker", False, f"bug {bug.id} ({_status(bug)}) blocks "
                                  f"prod: DEV fixes it (or it is lifted with `/loop unblock "
                                  f"prod {release.version} bug {bug.id}`)", link, ("DEV",)))
        else:
            reasons.append(Reason("blocker", True, f"bug {bug.id} is {_status(bug)}", link))
    return reasons


def _health(facts: GoNoGoFacts) -> list[Reason]:
    ticketed = set(facts.pipeline.ticketed_names)
    reasons = []
    for state in facts.environments:
        gate = state.name in ticketed
        link = Link(state.name, state.url)
        if not state.reachable:
            text = f"{state.name} does not answer: {state.error or 'unreachable'}"
            reasons.append(Reason("health", False, text, link, ("OPS",), blocking=gate))
        elif state.healthy is False:
            reasons.append(Reason("health", False, f"{state.name}'s heartbeat fails",
                                  link, ("OPS",), blocking=gate))
        else:
            reasons.append(Reason("health", True, f"{state.name} is healthy", link,
                                  blocking=gate))
    return reasons


def _unread(facts: GoNoGoFacts) -> list[Reason]:
    if facts.read_error is None:
        return []
    return [Reason("tickets", False, f"the tickets could not be read: {facts.read_error}; "
                   "ask again once Bugzilla answers")]


# -- said beside -------------------------------------------------------------------------
def _green_light(facts: GoNoGoFacts, release: Release) -> list[Reason]:
    v, link = release.version, _ticket_link(facts, -1)
    if release.state is State.GREENLIT:
        return [Reason("green light", True, f"the green light for {v} is given", link,
                       blocking=False)]
    if release.state in (State.REJECTED, State.BACKED_OFF, State.TAGGING):
        return []
    return [Reason("green light", False, f"no green light yet: QA gives it before the push "
                   f"with `/loop greenlight prod {v}`", link,
                   _roles(Action.GREENLIGHT, release, facts.pipeline), blocking=False)]


def _prod_runs(prod: EnvironmentState | None) -> list[Reason]:
    if prod is None or not prod.reachable:
        return []
    runs = prod.version or "no release yet"
    rev = f" ({prod.rev[:7]})" if prod.rev else ""
    return [Reason("prod runs", True, f"{prod.name} runs {runs}{rev}",
                   Link(prod.name, prod.url), blocking=False)]


def _drift(facts: GoNoGoFacts, release: Release) -> list[Reason]:
    drift = facts.drift
    if drift is None:
        return []
    over = f"over {drift.prod_version}"
    if drift.error is not None:
        text = f"the drift {over} could not be read: {drift.error}"
    else:
        bugs = ", ".join(f"bug {b}" for b in drift.bugs) or "no bug"
        text = f"{release.version} brings {drift.commits} commit(s) {over}: {bugs}"
    return [Reason("drift", True, text, drift.compare, blocking=False)]


def _api(facts: GoNoGoFacts) -> list[Reason]:
    if facts.drift is None or facts.drift.error is not None:
        return []
    text = describe_impact(facts.api) or "API code changed: none"
    return [Reason("api", True, text, facts.drift.compare, blocking=False)]


def _signoffs(facts: GoNoGoFacts, release: Release) -> list[Reason]:
    if not facts.signoffs_missing:
        return []
    teams = ", ".join(facts.signoffs_missing)
    return [Reason("sign-off", True, f"after the push, {teams} sign prod off with "
                   f"`/loop signoff prod {release.version}`", _ticket_link(facts, -1),
                   blocking=False)]


def _prod_state(facts: GoNoGoFacts) -> EnvironmentState | None:
    prod = facts.pipeline.ticketed_names[-1]
    return next((s for s in facts.environments if s.name == prod), None)


def _roles(action: Action, release: Release, pipeline: Pipeline) -> tuple[str, ...]:
    """Whose move `action` is in the service's pipeline (real-stage's own roles)."""
    return tuple(sorted(r.value for r in roles_for(action, release.kind, pipeline)))


def _status(bug: Bug) -> str:
    return f"{bug.status} {bug.resolution}".strip()
