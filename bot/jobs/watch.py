"""The environment watch: what each environment's root URL says runs there.

For each environment of each service, every tick:
- the first version ever seen is recorded silently (a baseline, not news);
- a version different from the last one recorded is posted once, matched to the release
  of that version and its ticket for that environment when there is one; the key
  `env:SERVICE:ENV:N:VERSION` (N = the Nth version seen there) makes it once across
  processes, and a later return to an earlier version is news again;
- in prod, a return to the release before one that was pushed (PROD_DEPLOYED or DONE) is
  posted as a likely back-off with the button that records it, mentioning OPS;
- in prod, a version with no release in GREENLIT, PROD_DEPLOYED or DONE raises an alarm
  instead, mentioning OPS and the emergency people.
An unreachable environment, or one that hides its version, changes nothing. What was
seen is recorded in the audit log ("seen on ENV", the version), which is also where the
last version seen is read from.
"""

from __future__ import annotations

from bot.config.settings import ServiceSettings
from bot.domain.audit import AuditEntry
from bot.domain.facts import EnvironmentState
from bot.domain.lifecycle import cleared_for_prod, went_back_from
from bot.domain.release import Release
from bot.jobs.tick import ACTOR, Tick, entry
from bot.messages.announcements import (
    Rendered,
    render_back_off_seen,
    render_environment_change,
    render_prod_alarm,
)
from bot.usecases.ports import UnitOfWork


def seen_action(env: str) -> str:
    return f"seen on {env}"


def watch_environments(t: Tick, service: ServiceSettings) -> None:
    states = [s for s in t.environments(service)  # all read at once
              if s.reachable and s.version]
    if not states:
        return
    with t.ctx.store.unit_of_work() as uow:  # one transaction for every environment's
        sightings = [_last_sighting(uow, service.name, s.name) for s in states]
    for state, (seen, previous) in zip(states, sightings, strict=True):
        watch_one(t, service, state, seen, previous)


def _last_sighting(uow: UnitOfWork, service: str, env: str) -> tuple[int, str | None]:
    """(how many versions were seen on env, the last), from the last sighting alone: its
    key says its number, so the cost does not grow with the years (issue 17)."""
    last = uow.audit.last(service, seen_action(env), ACTOR)
    if last is None:
        return 0, None
    number = _number(last.request_id or "", service, env)
    if number is None:  # recorded under another key (older loopbot): count them
        number = uow.audit.count(service, seen_action(env), ACTOR)
    return number, last.version


def _number(key: str, service: str, env: str) -> int | None:
    """N of a sighting's key `env:SERVICE:ENV:N:VERSION`."""
    prefix = f"env:{service}:{env}:"
    number = key.removeprefix(prefix).partition(":")[0]
    return int(number) if key.startswith(prefix) and number.isdigit() else None


def watch_one(t: Tick, service: ServiceSettings, state: EnvironmentState, seen: int,
              previous: str | None) -> None:
    """`seen`: how many versions were recorded there, `previous` the last of them."""
    version, env = state.version, state.name
    assert version is not None
    if previous == version:
        return
    key = f"env:{service.name}:{env}:{seen + 1}:{version}"
    rev = f" (rev {state.rev[:7]})" if state.rev else ""
    if previous is None:
        if t.claim(key):
            t.record(entry(seen_action(env), service.name, version,
                           f"{env} runs {version}{rev}: first seen"), key)
        return

    def build() -> tuple[Rendered, AuditEntry]:
        release = _release(t, service, version)
        detail = f"{env} runs {version}{rev}, was {previous}"
        left = _release(t, service, previous) if env == "prod" else None
        if left is not None and went_back_from(left, version):
            seen = render_back_off_seen(left, version, t.mention_in(service.name),
                                        pipeline=service.pipeline)
            return seen, entry(seen_action(env), service.name, version,
                               f"{detail}; back-off of {previous} offered")
        if env == "prod" and not cleared_for_prod(release):
            alarm = render_prod_alarm(service.name, version, previous, release,
                                      t.mention_in(service.name))
            return alarm, entry(seen_action(env), service.name, version,
                                f"{detail}; alarm: not greenlit")
        change = render_environment_change(service.name, env, version, previous, release,
                                           pipeline=service.pipeline)
        return change, entry(seen_action(env), service.name, version, detail)

    t.post_once(key, build)


def _release(t: Tick, service: ServiceSettings, version: str) -> Release | None:
    with t.ctx.store.unit_of_work() as uow:
        return uow.releases.get(service.name, version)
