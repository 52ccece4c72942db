"""The go/no-go for the next prod push (`/loop gonogo`, the Friday post, the board).

`gonogo` names the push day (the calendar's next one, or the one given) and the release
that would go, reads the facts now and asks bot/domain/gonogo.py for the verdict. Facts
come in two rounds of calls at once (ctx.fanout): the tickets and recorded blockers with
every environment; then, once prod's version and the prod ticket are known, the bugs the
prod ticket depends on with the commits and files between prod and the candidate. A
partner that fails is said in the answer (a NO-GO for Bugzilla, a drift "could not be
read" for GitHub), never raised. Nothing here changes anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.config.settings import ServiceSettings
from bot.domain.api_impact import Impact
from bot.domain.changelog import bug_ids
from bot.domain.errors import Refusal
from bot.domain.facts import Bug, Commit, EnvironmentState
from bot.domain.gonogo import (
    Drift,
    GoNoGo,
    GoNoGoFacts,
    Link,
    TicketFacts,
    candidate_of,
    decide,
)
from bot.domain.loadtest import Result
from bot.domain.release import Release
from bot.domain.signoff import missing_signoffs
from bot.domain.version import ReleaseLabel, Version
from bot.usecases.calendar_feed import calendar_from_settings
from bot.usecases.context import Context, ServicePorts, load_release
from bot.usecases.ports import PartnerError
from bot.usecases.release_commit import api_impact_of


@dataclass(frozen=True)
class Reads:
    """How the facts other views show too are read: the board passes its cached reads,
    so a page costs the partners one read of each."""

    environments: Callable[[ServiceSettings], list[EnvironmentState]]
    bugs: Callable[[ServicePorts, tuple[int, ...]], dict[int, Bug]]
    commits: Callable[[ServicePorts, str, str], list[Commit]]


def direct(ctx: Context) -> Reads:
    return Reads(ctx.read_environments, lambda ports, ids: ports.tracker.bugs(ids),
                 lambda ports, base, head: ports.forge.commits_between(base, head))


def gonogo(ctx: Context, ports: ServicePorts, *, label: ReleaseLabel | None = None,
           push_day: dt.date | None = None, reads: Reads | None = None) -> GoNoGo:
    """The go/no-go of `label` (default: the release that would go next) for the push
    on `push_day` (default: the calendar's next push day, today included). `ports`: the
    service, resolved once by the caller."""
    name = ports.config.name
    if label is not None:
        release: Release | None = load_release(ctx, name, str(label))
    else:
        with ctx.store.unit_of_work() as uow:
            release = candidate_of(uow.releases.find(name))
    day = push_day or next_push_day(ctx)
    return decide(read_facts(ctx, ports, release, day, reads or direct(ctx)))


def next_push_day(ctx: Context) -> dt.date | None:
    calendar = calendar_from_settings(ctx.settings)
    today = ctx.clock().astimezone(ctx.settings.tz).date()
    found = calendar.next_prod_dates(max(today, calendar.anchor), 1)
    return found[0] if found else None


def read_facts(ctx: Context, ports: ServicePorts, release: Release | None,
               push_day: dt.date | None, reads: Reads) -> GoNoGoFacts:
    config = ports.config
    pipeline = config.pipeline
    envs = pipeline.ticketed_names  # in pipeline order, prod last
    if release is None:
        states = reads.environments(config)
        return GoNoGoFacts(config.name, push_day, None, pipeline,
                           environments=tuple(states))
    ids = {env: t.bug_id for env in envs if (t := release.ticket(env)) is not None}
    wanted = sorted({*ids.values(), *release.blockers})
    (bugs, error), states = ctx.fanout.at_once(
        lambda: _bugs(reads, ports, wanted), lambda: reads.environments(config))
    prod = next((s for s in states if s.name == envs[-1]), None)
    prod_bug = bugs.get(ids.get(envs[-1], 0))
    linked = sorted(set(prod_bug.depends_on if prod_bug else ()) - set(bugs))
    (more, more_error), (drift, impact) = ctx.fanout.at_once(
        lambda: _bugs(reads, ports, linked), lambda: _drift(ctx, reads, ports, release, prod))
    bugs = {**bugs, **more}
    blocking = sorted({*release.blockers, *(prod_bug.depends_on if prod_bug else ())})
    blockers = tuple(b for i in blocking if (b := bugs.get(i)) is not None
                     and (b.is_open or i in release.blockers))
    tickets = tuple(TicketFacts(env, bugs.get(ids[env]) if env in ids else None,
                                ports.tracker.bug_url(ids[env]) if env in ids else None,
                                ids.get(env)) for env in envs)
    with ctx.store.unit_of_work() as uow:
        results = uow.loadtests.results(release.service, release.version)
        signed = [s.team for s in uow.signoffs.find(release.service, release.version)]
    return GoNoGoFacts(
        config.name, push_day, release, pipeline, tickets,
        load_test_required=config.workflow.require_load_test,
        load_test=_latest(results), blockers=blockers,
        bug_links={b.id: ports.tracker.bug_url(b.id) for b in blockers},
        signoffs_missing=missing_signoffs(config.workflow.prod_signoffs, signed),
        environments=tuple(states), drift=drift, api=impact,
        read_error=error or more_error)


def _bugs(reads: Reads, ports: ServicePorts, ids: Sequence[int]
          ) -> tuple[dict[int, Bug], str | None]:
    if not ids:
        return {}, None
    try:
        return reads.bugs(ports, tuple(ids)), None
    except PartnerError as exc:
        return {}, str(exc)


def _drift(ctx: Context, reads: Reads, ports: ServicePorts, release: Release,
           prod: EnvironmentState | None) -> tuple[Drift | None, Impact]:
    """The commits, bugs and API versions between what prod runs and the candidate."""
    if prod is None or not prod.version or not release.tag:
        return None, ()
    base = _tag(ports, prod.version)
    if base is None or base == release.tag:
        return None, ()
    tag = release.tag
    compare = Link(f"{base}...{tag}", ports.forge.compare_url(base, tag))
    try:
        commits, impact = ctx.fanout.at_once(
            lambda: reads.commits(ports, base, tag),
            lambda: api_impact_of(ports, base, tag))
    except PartnerError as exc:
        return Drift(prod.version, compare=compare, error=str(exc)), ()
    return Drift(prod.version, len(commits), bug_ids(commits), compare), impact


def _tag(ports: ServicePorts, version: str) -> str | None:
    try:
        return Version.parse(version).tag_name(ports.config.tag_pattern)
    except Refusal:
        return None


def _latest(results: Sequence[Result]) -> Result | None:
    return results[-1] if results else None
