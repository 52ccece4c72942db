"""Which roles may take each step, from which states, to which state (PROCESS.md's
steps as a table derived from the service's pipeline), and whose move it is now. Pure
values; the checks that an actor holds those roles in the release's service are in
bot/domain/permissions.py."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from bot.domain.actions import Action, Role
from bot.domain.errors import Refusal
from bot.domain.next_steps import next_action
from bot.domain.pipeline import Pipeline
from bot.domain.release import Kind, Release, State


@dataclass(frozen=True)
class StepRule:
    roles: frozenset[Role]
    from_states: frozenset[State]
    to_state: State | None  # None: the state does not change


def before_prod_states(pipeline: Pipeline) -> frozenset[State]:
    """The states of a release on an environment before prod (stage, real-stage ...)."""
    return frozenset(State.of(e.name, phase) for e in pipeline.before_prod
                     for phase in ("requested", "deployed", "verified"))


def waiting_on(env: str) -> tuple[State, State]:
    """A release waiting on `env`: to be deployed there, or verified."""
    return State.of(env, "requested"), State.of(env, "deployed")


def waiting_states(pipeline: Pipeline) -> tuple[State, ...]:
    """A release waiting on an environment before prod (what the late steps follow)."""
    return tuple(state for e in pipeline.before_prod for state in waiting_on(e.name))


def lifecycle_states(pipeline: Pipeline) -> tuple[State, ...]:
    """Every state a release of `pipeline` can be in, in the order of the process."""
    on_the_way = tuple(State.of(e.name, phase) for e in pipeline.before_prod
                       for phase in ("requested", "deployed", "verified"))
    return (State.TAGGING, State.TAGGED, *on_the_way, State.PROD_REQUESTED, State.GREENLIT,
            State.PROD_DEPLOYED, State.DONE, State.REJECTED, State.SUPERSEDED,
            State.BACKED_OFF)


def not_final_states(pipeline: Pipeline) -> tuple[State, ...]:
    return tuple(s for s in lifecycle_states(pipeline) if not s.is_final)


@cache
def step_rules(pipeline: Pipeline) -> dict[Action, StepRule]:
    """The table of steps of `pipeline`: each ticketed environment before prod is
    requested, deployed and verified in turn; then prod's ticket, the green light, the
    push and prod's verification."""
    first = pipeline.first
    on_the_way = before_prod_states(pipeline)
    before_prod = frozenset({State.TAGGED, *on_the_way, State.PROD_REQUESTED, State.GREENLIT})
    anyone = frozenset({Role.QA, Role.DEV, Role.OPS})
    rules: dict[Action, StepRule] = {}
    came_from = State.TAGGED
    for env in pipeline.before_prod:
        rules[Action.of("request", env.name)] = StepRule(
            frozenset({Role.DEV, Role.QA}), frozenset({came_from}), State.of(env.name, "requested"))
        rules[Action.of("deployed", env.name)] = StepRule(
            frozenset({Role(env.deploys)}), frozenset({State.of(env.name, "requested")}),
            State.of(env.name, "deployed"))
        rules[Action.of("verify", env.name)] = StepRule(
            frozenset({Role(env.verifies)}), frozenset({State.of(env.name, "deployed")}),
            State.of(env.name, "verified"))
        came_from = State.of(env.name, "verified")
    prod = pipeline.ticketed[-1]
    rules.update({
        # on the environment the release is on (`sent_back_on`); the table says stage's
        Action.RERELEASE: StepRule(
            frozenset({Role.OPS}),
            frozenset({*(State.of(e.name, phase) for e in pipeline.before_prod
                         for phase in ("requested", "deployed")), State.REJECTED}),
            State.of(first.name, "requested")),
        Action.REJECT: StepRule(
            frozenset({Role.QA}), frozenset({*on_the_way, State.PROD_REQUESTED, State.GREENLIT}),
            State.REJECTED),
        Action.REQUEST_PROD: StepRule(
            frozenset({Role.QA, Role.DEV}), frozenset({came_from}), State.PROD_REQUESTED),
        Action.BLOCK: StepRule(anyone, before_prod, None),
        Action.UNBLOCK: StepRule(anyone, before_prod, None),
        Action.GREENLIGHT: StepRule(
            frozenset({Role.QA}), frozenset({State.PROD_REQUESTED}), State.GREENLIT),
        Action.DEPLOYED_PROD: StepRule(
            frozenset({Role(prod.deploys)}), frozenset({State.GREENLIT}), State.PROD_DEPLOYED),
        Action.VERIFY_PROD: StepRule(
            frozenset({Role(prod.verifies)}), frozenset({State.PROD_DEPLOYED}), State.DONE),
        # PROCESS.md: a regression found after the push (while OPS monitors, or later)
        Action.BACKOFF: StepRule(
            frozenset({Role.OPS, Role.QA}), frozenset({State.PROD_DEPLOYED, State.DONE}),
            State.BACKED_OFF),
    })
    return rules


def sent_back_on(release: Release, pipeline: Pipeline) -> str:
    """The environment before prod a rejection or a re-release of `release` concerns:
    the one it is on, else (waiting for prod, or rejected) the last one it has a ticket
    on, else the first (stage)."""
    before = [e.name for e in pipeline.before_prod]
    if release.state.env in before:
        return str(release.state.env)
    held = [name for name in before if release.ticket(name) is not None]
    return held[-1] if held else pipeline.first.name


def step_target(action: Action, release: Release, pipeline: Pipeline) -> State | None:
    """The state `action` moves `release` to (None: unchanged); a re-release goes back to
    the request of the environment it is on."""
    if action is Action.RERELEASE:
        return State.of(sent_back_on(release, pipeline), "requested")
    return rule_of_kind(action, release.kind, pipeline).to_state


class UnknownStep(Refusal):
    """A step the service's pipeline does not have ("verify real-stage" on loop-client)."""


def check_step_exists(action: Action, service: str, *, pipeline: Pipeline) -> None:
    """Refuse a step `service`'s pipeline does not have, naming its environments."""
    if action not in step_rules(pipeline):
        raise UnknownStep(f"{service} has no `{action.value}` step: its environments "
                          f"are {', '.join(pipeline.names)}")


def rule_for(action: Action, release: Release, *, pipeline: Pipeline) -> StepRule:
    check_step_exists(action, release.service, pipeline=pipeline)
    return rule_of_kind(action, release.kind, pipeline)


def rule_of_kind(action: Action, kind: Kind, pipeline: Pipeline) -> StepRule:
    """A service-level change is OPS-driven: OPS files its tickets (PROCESS.md)."""
    rules = step_rules(pipeline)
    if action not in rules:
        raise UnknownStep(f"no `{action.value}` step in this pipeline")
    rule = rules[action]
    if kind is Kind.SERVICE and action.verb == "request":
        return StepRule(rule.roles | {Role.OPS}, rule.from_states, rule.to_state)
    return rule


def roles_for(action: Action, kind: Kind, pipeline: Pipeline) -> frozenset[Role]:
    """The roles that may take `action` on a release of `kind` (guards aside)."""
    return rule_of_kind(action, kind, pipeline).roles


def blocked_states(pipeline: Pipeline) -> frozenset[State]:
    """Where prod's blockers hold a release: ready for prod's ticket or its green light."""
    last = pipeline.before_prod[-1].name
    return frozenset({State.of(last, "verified"), State.PROD_REQUESTED})


def next_owners(release: Release, *, pipeline: Pipeline) -> frozenset[Role]:
    """The roles whose move it is now: the people the bot mentions (PROCESS.md step 6:
    'QA gives it; OPS is told'), among the release's service's people."""
    if release.state in (State.REJECTED, State.BACKED_OFF) or (
            release.blockers and release.state in blocked_states(pipeline)):
        return frozenset({Role.DEV})
    action = next_action(release, pipeline=pipeline)
    return rule_for(action, release, pipeline=pipeline).roles if action is not None \
        else frozenset()


def release_after(action: Action, release: Release, *, pipeline: Pipeline) -> Release:
    """`release` as it will be once `action` is taken (its state; nothing else is known
    yet): what a confirmation says will happen next, and whom it will tell."""
    check_step_exists(action, release.service, pipeline=pipeline)
    to_state = step_target(action, release, pipeline)
    return release if to_state is None else replace(release, state=to_state)
