"""What comes next for a release, and who does it: the hints under every refusal and
message, and the step a release's button offers. Derived from the service's pipeline
(bot/domain/pipeline.py), which every function here is given: a release passes each
ticketed environment in turn."""

from __future__ import annotations

from bot.domain.actions import Action
from bot.domain.pipeline import Pipeline
from bot.domain.release import Kind, Release, State

# What a release's verification still waits for (`pending_gate`): the advice names it
# instead of a step that would be refused.
LOAD_TEST_WINDOW = "load-test window"
LOAD_TEST_RESULT = "load-test result"


def pending_gate(release: Release, *, load_test_required: bool, window_set: bool,
                 passed: bool) -> str | None:
    """The gate next in the way of verifying the environment the release is deployed on:
    a load-test window to agree, then a result to record; None when nothing waits."""
    env, phase = release.state.env, release.state.phase
    if env is None or phase != "deployed" or release.kind is Kind.SERVICE:
        return None
    if not load_test_required or passed:
        return None
    return LOAD_TEST_RESULT if window_set else LOAD_TEST_WINDOW


def next_step(release: Release, pending: str | None = None, *, pipeline: Pipeline) -> str:
    """Who does what next, as a release manager would say it; `pending`: the gate the
    next verification waits for (see `pending_gate`); `pipeline`: the release's service's."""
    v, state = release.version, release.state
    first = pipeline.first.name
    last = pipeline.before_prod[-1].name
    if release.blockers and state in (State.of(last, "verified"), State.PROD_REQUESTED):
        bugs = ", ".join(f"bug {b}" for b in release.blockers)
        return (f"DEV: fix {bugs}, which blocks prod (or QA lifts it with "
                f"`/loop unblock prod {v} bug N`); then QA gives the green light")
    if release.kind is Kind.SERVICE and state is State.TAGGED:
        return f"OPS: file the {first} ticket with `/loop request {first} {v}`"
    env = state.env
    if env is not None and env != "prod":
        return _on_the_way(release, pipeline, env, state.phase or "", pending)
    return {
        State.TAGGING: f"DEV: finish the tag with `/loop tag {v}`",
        State.TAGGED: f"DEV or QA: file the {first} ticket with `/loop request {first} {v}`",
        State.PROD_REQUESTED: f"QA: give the green light with `/loop greenlight prod {v}`",
        State.GREENLIT: f"OPS: push {v} to prod, then `/loop deployed prod {v}`",
        State.PROD_DEPLOYED: f"QA: verify prod, then `/loop verify prod {v}`",
        State.DONE: f"nothing: {v} is released",
        State.REJECTED: "DEV: fix the bug on master and tag the next patch (`/loop tag`)",
        State.BACKED_OFF: "DEV: fix the regression on master and tag the next patch "
                          "(`/loop tag`); prod runs the release before it meanwhile",
        State.SUPERSEDED: f"nothing: {release.superseded_by or 'a newer release'} replaced {v}",
    }[state]


def _on_the_way(release: Release, pipeline: Pipeline, env: str, phase: str,
                pending: str | None) -> str:
    """A release on an environment before prod: deploy it, verify it, or go on."""
    v = release.version
    spec = pipeline.env(env)
    deploys, verifies = (spec.deploys, spec.verifies) if spec else ("OPS", "QA")
    if phase == "requested":
        return f"{deploys}: deploy {v} to {env}, then `/loop deployed {env} {v}`"
    if phase == "deployed" and pending == LOAD_TEST_WINDOW:
        return (f"QA: agree a load-test window with partners (`/loop loadtest {env} {v} "
                f"window FROM TO`), run it and record the result; `/loop verify {env} {v}` "
                "waits for a passed load test")
    if phase == "deployed" and pending == LOAD_TEST_RESULT:
        return (f"QA: run the load test in its window and record the result (`/loop "
                f"loadtest {env} {v} pass` or `fail REASON bug N`), then `/loop verify "
                f"{env} {v}`")
    if phase == "deployed":
        return (f"{verifies}: test {v} on {env}, then `/loop verify {env} {v}` "
                f"(or `/loop reject {env} {v} bug N`)")
    after = pipeline.after(env)
    target = after.name if after is not None else "prod"
    who = "OPS" if release.kind is Kind.SERVICE else "QA"
    return f"{who}: file the {target} ticket with `/loop request {target} {v}`"


def next_step_seen_on(release: Release, env: str, *, pipeline: Pipeline) -> str:
    """`next_step` once `env` is seen running the release: a push OPS has made but not
    yet marked is to be marked, not made again."""
    v, state = release.version, release.state
    if (state.env == env and state.phase == "requested" and env != "prod") or (
            state is State.GREENLIT and env == "prod"):
        return f"OPS: confirm the push with `/loop deployed {env} {v}`"
    return next_step(release, pipeline=pipeline)


def next_action(release: Release, pending: str | None = None, *,
                pipeline: Pipeline) -> Action | None:
    """The step of a normal release that comes next (the one next_step() describes), or
    None when the next move is not a step of this release (done, rejected, superseded)
    or a gate stands before it (`pending`: no button for a step that would be refused)."""
    state = release.state
    if pending is not None:
        return None
    if state is State.TAGGED:
        return Action.of("request", pipeline.first.name)
    env, phase = state.env, state.phase
    if env is not None and env != "prod":
        if phase == "verified":
            after = pipeline.after(env)
            return Action.of("request", after.name if after is not None else "prod")
        return Action.of("deployed" if phase == "requested" else "verify", env)
    return {State.PROD_REQUESTED: Action.GREENLIGHT, State.GREENLIT: Action.DEPLOYED_PROD,
            State.PROD_DEPLOYED: Action.VERIFY_PROD}.get(state)
