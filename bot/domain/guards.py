"""The guards of PROCESS.md: what Bugzilla and the environments must say before a step.

`failing_guards` lists, in the release manager's words, every reason the facts forbid an
action (empty when they allow it), each with what to do about it. Guards are monotone: a
fact a step itself produces (a ticket already VERIFIED by an interrupted first attempt)
still satisfies its guard, so a repeat reaches the same decision.
"""

from __future__ import annotations

from bot.domain.actions import Action, Facts
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.pipeline import Pipeline
from bot.domain.release import Kind, Release
from bot.domain.signoff import describe_missing


def failing_guards(
    action: Action, release: Release, facts: Facts, bug_id: int | None, *, pipeline: Pipeline
) -> list[str]:
    """The reasons the outside facts forbid the action (empty when they allow it)."""
    name = f"{release.service} {release.version}"
    failures: list[str] = []
    if action in (Action.BLOCK, Action.UNBLOCK) and bug_id is None:
        failures.append(f"`{action.value}` needs the bug that causes it")
    if action is Action.UNBLOCK and bug_id is not None and bug_id not in release.blockers:
        failures.append(f"bug {bug_id} does not block {name}")
    own = [t for t in release.tickets if t.bug_id == bug_id]
    if own and action is not Action.UNBLOCK:  # a typo of the regression's number, likely
        failures.append(f"bug {bug_id} is {name}'s own {own[0].env} deployment ticket: "
                        "name the bug that causes it")
    env, verb = action.env, action.verb
    first = verb == "request" and env == pipeline.first.name
    if first and release.kind is Kind.CODE and release.tag is None:
        failures.append(f"the tag of {name} was never created: "
                        f"repeat `/loop tag {release.version}` to finish it")
    if verb in ("deployed", "verify") and env is not None:
        failures += _ticket_exists(facts.ticket(env), env, name)
        failures += _runs_version(facts.environment, release)
    if verb == "verify" and env is not None:
        failures += _ticket_fixed(facts.ticket(env), env, release)
        failures += _load_test_passed(facts, release, env)
        if facts.signoffs_missing:
            failures.append(describe_missing(facts.signoffs_missing, release.version, env))
    if verb == "request" and env is not None and (before := pipeline.before(env)):
        failures += _verified(facts.ticket(before.name), before.name, before.verifies, release)
    if action is Action.GREENLIGHT:
        for waited in pipeline.greenlight_waits_for:
            failures += _verified(facts.ticket(waited.name), waited.name, waited.verifies,
                                  release)
        prod = pipeline.ticketed_names[-1]
        failures += _ticket_exists(facts.ticket(prod), prod, name)
        if facts.open_blockers:
            listed = ", ".join(b.describe() for b in facts.open_blockers)
            failures.append(f"prod is blocked for {release.version} by {listed}")
    if action is Action.BACKOFF:
        failures += _backed_off_in_prod(facts.environment, release)
    return failures


def _ticket_exists(ticket: Bug | None, env: str, name: str) -> list[str]:
    return [] if ticket is not None else [f"{name} has no {env} deployment ticket"]


def _ticket_fixed(ticket: Bug | None, env: str, release: Release) -> list[str]:
    if ticket is None or ticket.is_fixed:
        return []
    return [f"{env} {ticket.describe()} for {release.version} is not RESOLVED FIXED: "
            f"OPS marks it with `/loop deployed {env} {release.version}`"]


def _load_test_passed(facts: Facts, release: Release, env: str) -> list[str]:
    if not facts.load_test_required or facts.load_test_passed or release.kind is Kind.SERVICE:
        return []
    v = release.version
    return [f"{release.service} requires a passed load test and none is recorded for {v}: "
            f"QA sets a window with partners (`/loop loadtest {env} {v} window FROM TO`) "
            f"and records the result (`/loop loadtest {env} {v} pass`)"]


def _verified(ticket: Bug | None, env: str, role: str, release: Release) -> list[str]:
    if ticket is None:
        return [f"{release.version} has no {env} deployment ticket"]
    if ticket.is_verified:
        return []
    return [f"{env} {ticket.describe()} for {release.version} is not VERIFIED: "
            f"ask {role} to verify it (`/loop verify {env} {release.version}`)"]


def _backed_off_in_prod(env: EnvironmentState | None, release: Release) -> list[str]:
    """OPS backs the build off first; the bot then records it. Prod must run the release
    before this one (its previous tag), when the bot knows which that is."""
    if env is None:
        return []
    if not env.reachable:
        return [f"can't read what {env.name} runs: {env.error}"]
    v, before = release.version, release.previous_version
    if env.version == v:
        return [f"{env.name} still reports {v}: OPS backs the build off to "
                f"{before or 'the release before'} first, then records it here"]
    if before is not None and env.version != before:
        shown = env.version or "no version"
        return [f"{env.name} reports {shown}, neither {v} nor the release before it "
                f"({before}): back prod off to {before} first"]
    return []


def _runs_version(env: EnvironmentState | None, release: Release) -> list[str]:
    if release.kind is Kind.SERVICE or env is None:
        return []
    if not env.reachable:
        return [f"can't read what {env.name} runs: {env.error}"]
    if env.version != release.version:
        shown = env.version or "no version"
        return [f"{env.name} reports {shown}, not {release.version}: deploy it first"]
    return []
