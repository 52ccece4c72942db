"""What comes next for a release, and who does it: the hints under every refusal and
message, and the step a release's button offers."""

from __future__ import annotations

from bot.domain.actions import Action
from bot.domain.release import Kind, Release, State


def next_step(release: Release) -> str:
    """Who does what next, as a release manager would say it."""
    v = release.version
    if release.blockers and release.state in (State.STAGE_VERIFIED, State.PROD_REQUESTED):
        bugs = ", ".join(f"bug {b}" for b in release.blockers)
        return (f"DEV: fix {bugs}, which blocks prod (or QA lifts it with "
                f"`/loop unblock prod {v} bug N`); then QA gives the green light")
    if release.kind is Kind.SERVICE and release.state is State.TAGGED:
        return f"OPS: file the stage ticket with `/loop request stage {v}`"
    if release.kind is Kind.SERVICE and release.state is State.STAGE_VERIFIED:
        return f"OPS: file the prod ticket with `/loop request prod {v}`"
    return {
        State.TAGGING: f"DEV: finish the tag with `/loop tag {v}`",
        State.TAGGED: f"DEV or QA: file the stage ticket with `/loop request stage {v}`",
        State.STAGE_REQUESTED: f"OPS: deploy {v} to stage, then `/loop deployed stage {v}`",
        State.STAGE_DEPLOYED: f"QA: test {v} on stage, then `/loop verify stage {v}` "
                              f"(or `/loop reject stage {v} bug N`)",
        State.STAGE_VERIFIED: f"QA: file the prod ticket with `/loop request prod {v}`",
        State.PROD_REQUESTED: f"QA: give the green light with `/loop greenlight prod {v}`",
        State.GREENLIT: f"OPS: push {v} to prod, then `/loop deployed prod {v}`",
        State.PROD_DEPLOYED: f"QA: verify prod, then `/loop verify prod {v}`",
        State.DONE: f"nothing: {v} is released",
        State.REJECTED: "DEV: fix the bug on master and tag the next patch (`/loop tag`)",
        State.BACKED_OFF: "DEV: fix the regression on master and tag the next patch "
                          "(`/loop tag`); prod runs the release before it meanwhile",
        State.SUPERSEDED: f"nothing: {release.superseded_by or 'a newer release'} replaced {v}",
    }[release.state]


def next_step_seen_on(release: Release, env: str) -> str:
    """`next_step` once `env` is seen running the release: a push OPS has made but not
    yet marked is to be marked, not made again."""
    v = release.version
    if (release.state, env) in ((State.STAGE_REQUESTED, "stage"), (State.GREENLIT, "prod")):
        return f"OPS: confirm the push with `/loop deployed {env} {v}`"
    return next_step(release)


_NORMAL_PATH = {
    State.TAGGED: Action.REQUEST_STAGE,
    State.STAGE_REQUESTED: Action.DEPLOYED_STAGE,
    State.STAGE_DEPLOYED: Action.VERIFY_STAGE,
    State.STAGE_VERIFIED: Action.REQUEST_PROD,
    State.PROD_REQUESTED: Action.GREENLIGHT,
    State.GREENLIT: Action.DEPLOYED_PROD,
    State.PROD_DEPLOYED: Action.VERIFY_PROD,
}


def next_action(release: Release) -> Action | None:
    """The step of a normal release that comes next (the one next_step() describes), or
    None when the next move is not a step of this release (done, rejected, superseded)."""
    return _NORMAL_PATH.get(release.state)
