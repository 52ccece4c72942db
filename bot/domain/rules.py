"""Which roles may take each step, from which states, to which state (PROCESS.md's
steps as a table), and whose move it is now. Pure values; the checks that an actor holds
those roles in the release's service are in bot/domain/permissions.py."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.actions import Action, Role
from bot.domain.next_steps import next_action
from bot.domain.release import Kind, Release, State


@dataclass(frozen=True)
class StepRule:
    roles: frozenset[Role]
    from_states: frozenset[State]
    to_state: State | None  # None: the state does not change


ON_STAGE = frozenset({State.STAGE_REQUESTED, State.STAGE_DEPLOYED, State.STAGE_VERIFIED})
_BEFORE_PROD = frozenset({State.TAGGED, *ON_STAGE, State.PROD_REQUESTED, State.GREENLIT})

RULES: dict[Action, StepRule] = {
    Action.REQUEST_STAGE: StepRule(
        frozenset({Role.DEV, Role.QA}), frozenset({State.TAGGED}), State.STAGE_REQUESTED
    ),
    Action.RERELEASE: StepRule(
        frozenset({Role.OPS}),
        frozenset({State.STAGE_REQUESTED, State.STAGE_DEPLOYED, State.REJECTED}),
        State.STAGE_REQUESTED,
    ),
    Action.DEPLOYED_STAGE: StepRule(
        frozenset({Role.OPS}), frozenset({State.STAGE_REQUESTED}), State.STAGE_DEPLOYED
    ),
    Action.VERIFY_STAGE: StepRule(
        frozenset({Role.QA}), frozenset({State.STAGE_DEPLOYED}), State.STAGE_VERIFIED
    ),
    Action.REJECT: StepRule(
        frozenset({Role.QA}),
        frozenset({*ON_STAGE, State.PROD_REQUESTED, State.GREENLIT}),
        State.REJECTED,
    ),
    Action.REQUEST_PROD: StepRule(
        frozenset({Role.QA, Role.DEV}), frozenset({State.STAGE_VERIFIED}), State.PROD_REQUESTED
    ),
    Action.BLOCK: StepRule(frozenset({Role.QA, Role.DEV, Role.OPS}), _BEFORE_PROD, None),
    Action.UNBLOCK: StepRule(frozenset({Role.QA, Role.DEV, Role.OPS}), _BEFORE_PROD, None),
    Action.GREENLIGHT: StepRule(
        frozenset({Role.QA}), frozenset({State.PROD_REQUESTED}), State.GREENLIT
    ),
    Action.DEPLOYED_PROD: StepRule(
        frozenset({Role.OPS}), frozenset({State.GREENLIT}), State.PROD_DEPLOYED
    ),
    Action.VERIFY_PROD: StepRule(
        frozenset({Role.QA}), frozenset({State.PROD_DEPLOYED}), State.DONE
    ),
    # PROCESS.md: a regression found after the push (while OPS monitors, or later)
    Action.BACKOFF: StepRule(
        frozenset({Role.OPS, Role.QA}), frozenset({State.PROD_DEPLOYED, State.DONE}),
        State.BACKED_OFF,
    ),
}


def rule_for(action: Action, release: Release) -> StepRule:
    return rule_of_kind(action, release.kind)


def rule_of_kind(action: Action, kind: Kind) -> StepRule:
    """A service-level change is OPS-driven: OPS files its tickets (PROCESS.md)."""
    rule = RULES[action]
    if kind is Kind.SERVICE and action in (Action.REQUEST_STAGE, Action.REQUEST_PROD):
        return StepRule(rule.roles | {Role.OPS}, rule.from_states, rule.to_state)
    return rule


def roles_for(action: Action, kind: Kind = Kind.CODE) -> frozenset[Role]:
    """The roles that may take `action` on a release of `kind` (guards aside)."""
    return rule_of_kind(action, kind).roles


def next_owners(release: Release) -> frozenset[Role]:
    """The roles whose move it is now: the people the bot mentions (PROCESS.md step 6:
    'QA gives it; OPS is told'), among the release's service's people."""
    if release.state in (State.REJECTED, State.BACKED_OFF) or (
            release.blockers and release.state in (State.STAGE_VERIFIED, State.PROD_REQUESTED)):
        return frozenset({Role.DEV})
    action = next_action(release)
    return rule_for(action, release).roles if action is not None else frozenset()


def release_after(action: Action, release: Release) -> Release:
    """`release` as it will be once `action` is taken (its state; nothing else is known
    yet): what a confirmation says will happen next, and whom it will tell."""
    to_state = rule_for(action, release).to_state
    return release if to_state is None else replace(release, state=to_state)
