"""Other teams' sign-off (PROCESS.md step 8: prod verification "may include
verification by the Loop client and QA teams"), on the environment that carries the
signoffs gate (prod by default: `Pipeline.signed_off`).

A service lists the teams whose sign-off verifying there waits for. A person signs for
every listed team they belong to, once the release runs there (ENV-deployed); signing
again changes nothing. Pure: the teams, the release and what was signed come in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.actions import Actor, MissingRole, WrongState
from bot.domain.release import Release, State


@dataclass(frozen=True)
class Signoff:
    service: str
    version: str
    team: str
    actor: str


def missing_signoffs(required: Iterable[str], signed: Iterable[str]) -> tuple[str, ...]:
    """The required teams that have not signed, in the configured order."""
    done = set(signed)
    return tuple(team for team in required if team not in done)


def check_may_sign(release: Release, actor: Actor, actor_teams: Sequence[str],
                   required: Sequence[str], env: str) -> None:
    """Refuses a sign-off nobody asks for, from outside the teams, or before `env` (where
    the signoffs gate sits) runs it."""
    name = f"{release.service} {release.version}"
    if not required:
        raise WrongState(f"{release.service} needs no sign-off on {env}",
                         hint=f"QA verifies {env} with `/loop verify {env} {release.version}`")
    if not actor_teams:
        raise MissingRole(f"the {env} sign-off of {name} is for {', '.join(required)}; "
                          f"{actor.mention} is in none of them",
                          hint="ask someone of those teams")
    if release.state != State.of(env, "deployed"):
        raise WrongState(f"{name} is {release.state.value}: sign-offs come once it runs in "
                         f"{env} and before it is verified there")


def describe_missing(missing: Sequence[str], version: str, env: str) -> str:
    return (f"{env} sign-off missing from {', '.join(missing)}: each team signs with "
            f"`/loop signoff {env} {version}`")
