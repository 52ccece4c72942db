"""The App Home tab: the releases in flight, what each environment runs, the next dates
of the cycle, and what the viewer can do next given their roles.

Guarantees: a `home` view of at most 100 blocks (Slack's limit) whose buttons are the same
next-step buttons as in the channel; whether the viewer may act is asked of the
lifecycle (bot/domain), never decided here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain import times
from bot.domain.actions import Actor
from bot.domain.calendar import Calendar
from bot.domain.cycle import Cycle
from bot.domain.dev_lag import DevLag
from bot.domain.errors import Refusal
from bot.domain.facts import EnvironmentState
from bot.domain.next_steps import next_action
from bot.domain.permissions import (
    check_may_change_service,
    check_may_tag,
    holds_role_for,
    role_names,
)
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release, State
from bot.messages.blocks import (
    Block,
    actions,
    context,
    divider,
    escape,
    header,
    lines_section,
    section,
)
from bot.messages.release import finish_tag_buttons, release_card, step_button
from bot.messages.reply import environment_line

MAX_VIEW_BLOCKS = 100
MAX_RELEASES = 15


@dataclass(frozen=True)
class ServiceHome:
    """One service's part of App Home."""

    service: str
    releases: Sequence[Release]
    environments: Sequence[EnvironmentState]
    lag: DevLag | None = None
    gates: Mapping[str, str] = field(default_factory=dict)  # version -> the gate pending
    pipeline: Pipeline = field(kw_only=True)  # the service's


def home_view(actor: Actor, services: Sequence[ServiceHome], calendar: Calendar,
              cycles: Sequence[Cycle]) -> dict[str, Any]:
    """Every service shown (the ones the viewer has a role in), each with the viewer's
    roles there, then the shared dates."""
    blocks: list[Block] = []
    for part in services:
        held = role_names(actor.roles_in(part.service))
        blocks += [header(f"{part.service} releases"),
                   context(f"You are {actor.mention}: {escape(held)} for {escape(part.service)}"),
                   divider(), *_service_blocks(actor, part)]
    blocks += [lines_section("*Next dates*", [_cycle_line(calendar, c) for c in cycles])]
    names = [part.service for part in services]
    blocks += [divider(), lines_section("*What you can do*", _commands(actor, names))]
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def _service_blocks(actor: Actor, part: ServiceHome) -> list[Block]:
    releases = part.releases
    blocks = [section("*Releases in flight*" if releases else
                      "*Releases in flight*\nnone: DEV starts one with `/loop tag`")]
    for release in releases[:MAX_RELEASES]:
        pending = part.gates.get(release.version)
        blocks += [*release_card(release, pending, pipeline=part.pipeline),
                   *_your_move(actor, release, pending, pipeline=part.pipeline)]
    blocks += [divider(), lines_section("*Environments*", [environment_line(e, part.lag)
                                                            for e in part.environments])]
    return blocks


def _your_move(actor: Actor, release: Release, pending: str | None = None, *,
               pipeline: Pipeline) -> list[Block]:
    if release.state is State.TAGGING:  # a tag cut short: DEV finishes it
        return finish_tag_buttons(release) if _allowed(check_may_tag, actor,
                                                       [release.service]) else []
    action = next_action(release, pending, pipeline=pipeline)  # none while a gate stands
    if action is None or not holds_role_for(action, release, actor, pipeline=pipeline):
        return []
    return [actions(f"home:{release.service}:{release.version}",
                    step_button(release, action, pipeline=pipeline))]


def _cycle_line(calendar: Calendar, cycle: Cycle) -> str:
    tag = (f"tag {times.day(cycle.tag)} at {times.time_of_day(calendar.announce_at)}"
           if cycle.tag else _not_on(calendar, "no tagging", cycle.nominal_tag))
    prod = (f"prod {times.day(cycle.prod)}" if cycle.prod
            else _not_on(calendar, "no prod push", cycle.nominal_prod))
    return f"• cycle {cycle.number}: {tag}, {prod}"


def _not_on(calendar: Calendar, what: str, day: dt.date) -> str:
    """As `/loop calendar` says it: "no tagging (Tue 2026-12-22 skipped)"."""
    return f"{what} ({times.day(day)} {calendar.skip_reason(day) or 'skipped'})"


def _commands(actor: Actor, services: Sequence[str]) -> list[str]:
    lines = []
    if tags := _allowed(check_may_tag, actor, services):
        lines.append("• tag the next release: `/loop tag` (or `/loop tag on LINE` for a patch)"
                     + _where(tags, services))
        lines.append("• carry a fix to a release line: `/loop backport bug N to LINE`"
                     + _where(tags, services))
    if changes := _allowed(check_may_change_service, actor, services):
        lines.append('• start a service change: `/loop change "DESCRIPTION"`'
                     + _where(changes, services))
    lines.append("• see where a release stands: `/loop status [VERSION]`; every command: "
                 "`/loop help`")
    return lines


def _allowed(check: Any, actor: Actor, services: Sequence[str]) -> list[str]:
    """The services among `services` where `check` lets `actor` act."""
    allowed = []
    for service in services:
        try:
            check(actor, service)
        except Refusal:
            continue
        allowed.append(service)
    return allowed


def _where(allowed: Sequence[str], shown: Sequence[str]) -> str:
    """"" when the viewer may act in the one service shown, else which services."""
    return "" if len(shown) < 2 else f" ({escape(', '.join(allowed))})"
