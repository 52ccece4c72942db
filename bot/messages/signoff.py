"""Messages about other teams' prod sign-off: the button on the prod-deployed message and
the channel message of a sign-off, saying who is still missing."""

from __future__ import annotations

from bot.domain.actions import Actor
from bot.domain.release import Release
from bot.messages.blocks import ACTION_SIGNOFF, Rendered, actions, button, context, escape, section
from bot.usecases.signoff import SignoffResult


def with_signoff_button(rendered: Rendered, release: Release,
                        teams: list[str], env: str) -> Rendered:
    """The ENV-deployed message with a "Sign off" button for the teams listed."""
    value = {"s": release.service, "v": release.version}
    note = context(escape(f"{env.capitalize()} sign-off needed from {', '.join(teams)} before "
                          f"QA verifies {env}: `/loop signoff {env} {release.version}` or the "
                          "button"))
    block = actions(f"signoff:{release.service}:{release.version}",
                    button(f"Sign off {release.version}", ACTION_SIGNOFF, value))
    return Rendered(rendered.text, [*rendered.blocks, note, block])


def signed(result: SignoffResult, actor: Actor) -> Rendered:
    release = result.release
    name = f"{release.service} {release.version}"
    teams = result.signed or result.already
    verb = "signed off" if result.signed else "had already signed off"
    env = result.env
    head = f"*{escape(name)}* on {env}: {escape(', '.join(teams))} {verb} — {actor.mention}"
    if result.missing:
        rest = f"Still missing: {', '.join(result.missing)}"
    else:
        rest = (f"Every sign-off is in: QA verifies {env} with `/loop verify {env} "
                f"{release.version}`")
    return Rendered(f"{name} on {env}: {', '.join(teams)} {verb}. {rest}",
                    [section(head), context(escape(rest))])
