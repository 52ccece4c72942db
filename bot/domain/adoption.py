"""Adopting the bot mid-stream (issue 9): what a service's existing tags, deployment
tickets and environments say about the releases the bot did not make. Pure.

- A deployment ticket is recognised by its summary, the one the bot files itself
  ("Loop — Please deploy loop-server 0.12.2 to Stage", "... to Real Stage": the pipeline's
  `ticket` word of each environment); the newest ticket of a version
  and environment counts (an older one was re-filed or closed INVALID).
- A version that prod runs, or older, is finished: DONE, or PROD_DEPLOYED while its prod
  ticket is not VERIFIED yet. Which version prod runs comes from prod's root URL, else
  from the newest prod ticket RESOLVED FIXED or VERIFIED; with neither, every version
  but the newest is taken as finished.
- A newer version stands where the ticket of the furthest environment of the service's
  pipeline before prod that has one says (stage, then real-stage, ...): none, TAGGED;
  open, `{env}-requested` (`{env}-deployed` when it runs it); RESOLVED FIXED,
  `{env}-deployed`; RESOLVED otherwise (INVALID, a re-release), SUPERSEDED; VERIFIED,
  `{env}-verified`, or PROD_REQUESTED once a prod ticket exists after the last one. A
  green light is never assumed. A version with no ticket that is not the newest never
  reached stage: SUPERSEDED.
- Such a version that no environment runs is untouched by the process (a build tag, a
  tag replaced at once): not a release the bot needs to know (issue 17: 10,000 of them
  were each recorded as a superseded release).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.facts import Bug
from bot.domain.pipeline import Pipeline
from bot.domain.release import Env, State
from bot.domain.version import BadVersion, Version

_SUMMARY = re.compile(r"^.+? — Please deploy (?P<service>\S+) (?P<version>\S+) to "
                      r"(?P<env>\S.*)$")


@dataclass(frozen=True)
class Adopted:
    """One existing release as the bot will record it."""

    version: Version
    state: State
    tickets: Mapping[Env, Bug]


def ticket_of(summary: str, service: str, *, pipeline: Pipeline
              ) -> tuple[Version, Env] | None:
    """(version, environment) of a code release's deployment ticket of `service`, read
    from its summary (the word each ticketed environment of `pipeline` is named by: "Real
    Stage"); None for any other bug (a service change's ticket included)."""
    found = _SUMMARY.match(summary.strip())
    if found is None or found["service"] != service:
        return None
    env = next((e.name for e in pipeline.ticketed if e.ticket == found["env"]), None)
    if env is None:
        return None
    try:
        return Version.parse(found["version"]), Env(env)
    except BadVersion:
        return None


def tickets_by_version(bugs: Iterable[Bug], service: str, *, pipeline: Pipeline
                       ) -> dict[Version, dict[Env, Bug]]:
    """The newest deployment ticket of each version and environment."""
    found: dict[Version, dict[Env, Bug]] = {}
    for bug in sorted(bugs, key=lambda b: b.id):
        parsed = ticket_of(bug.summary, service, pipeline=pipeline)
        if parsed is not None:
            found.setdefault(parsed[0], {})[parsed[1]] = bug
    return found


def adopt(
    versions: Iterable[Version], tickets: Mapping[Version, Mapping[Env, Bug]],
    running: Mapping[str, str | None], *, pipeline: Pipeline,
) -> list[Adopted]:
    """Each tagged version's state, oldest first; `running`: environment -> version."""
    ordered = sorted(set(versions))
    prod_env = pipeline.ticketed_names[-1]
    prod = _prod_version(running.get(prod_env), tickets, prod_env)
    if prod is None and ordered:
        prod = ordered[-2] if len(ordered) > 1 else None
    adopted = []
    for v in ordered:
        state = _state(v, tickets.get(v, {}), prod, running, pipeline)
        if state is State.TAGGED and v != ordered[-1]:
            state = State.SUPERSEDED  # a newer tag took its place before it reached stage
        adopted.append(Adopted(v, state, tickets.get(v, {})))
    return adopted


def untouched(adopted: Iterable[Adopted], running: Mapping[str, str | None]) -> list[Version]:
    """The versions the release process never touched: newer than prod, no deployment
    ticket, replaced by a newer tag, and run by no environment."""
    runs = {_parse(v) for v in running.values()}
    return [a.version for a in adopted
            if a.state is State.SUPERSEDED and not a.tickets and a.version not in runs]


def _state(version: Version, tickets: Mapping[Env, Bug], prod: Version | None,
           running: Mapping[str, str | None], pipeline: Pipeline) -> State:
    prod_ticket = tickets.get(Env(pipeline.ticketed_names[-1]))
    if prod is not None and version <= prod:
        unverified = prod_ticket is not None and not prod_ticket.is_verified
        return State.PROD_DEPLOYED if version == prod and unverified else State.DONE
    # the furthest environment before prod with a ticket says where the release stands
    env = next((e.name for e in reversed(pipeline.before_prod) if e.name in tickets), None)
    if env is None:
        return State.TAGGED
    ticket = tickets[Env(env)]
    if ticket.is_verified:
        last = env == pipeline.before_prod[-1].name
        return State.PROD_REQUESTED if last and prod_ticket is not None \
            else State.of(env, "verified")
    if ticket.is_fixed:
        return State.of(env, "deployed")
    if not ticket.is_open:
        return State.SUPERSEDED
    on_env = _parse(running.get(env)) == version
    return State.of(env, "deployed" if on_env else "requested")


def _prod_version(reported: str | None, tickets: Mapping[Version, Mapping[Env, Bug]],
                  prod_env: str) -> Version | None:
    version = _parse(reported)
    if version is not None:
        return version
    deployed = [v for v, t in tickets.items() if prod_env in t and t[Env(prod_env)].is_fixed]
    return max(deployed) if deployed else None


def _parse(text: str | None) -> Version | None:
    try:
        return Version.parse(text) if text else None
    except BadVersion:
        return None
