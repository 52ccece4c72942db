"""Buttons: tag confirmations, lifecycle steps (next-step buttons, confirmations of a
green light or an emergency override), emergency load-test windows and prod sign-offs.

Guarantees:
- Anyone can press a button; the use case refuses the wrong role (ephemerally).
- A confirmation (the ephemeral question under a tag preview, a green light or an
  override) is single-use: the first press by someone who may take its step claims it
  in the database and replaces it with who confirmed; any later press (double click,
  Slack retry, or long after) does nothing but replace it with where the release stands
  and what comes next (a tag cut short: a Finish button). A press from the wrong role
  is refused before the claim, so it never uses up the confirmation of the person it
  was offered to.
- A confirmation is accepted only if the bot offered it (recorded, bot/domain/offer.py),
  to the person pressing, and it has not expired; the press does what was offered, never
  what the button's value says. A value carrying an override is always such an offer.
- A Finish button (`/loop status`, App Home) finishes only a release recorded `tagging`,
  as recorded; the tag carries on in the channel message it left behind.
- A next-step button on a channel message runs its step once per release at a time; when
  the step is done the message is rebuilt from the release's record with who pressed it
  (never from the payload's copy of the message), and a second press meets the
  lifecycle, which says the step is done already. Nothing is ever done twice.
- Where a press posts comes from what it acts on: the offer's service for a
  confirmation, the step's service for a next-step button.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest
from slack_bolt.context.respond import Respond

from bot.domain.actions import Action
from bot.domain.errors import Refusal
from bot.domain.offer import LOADTEST_WINDOW, TAG, Offer, StepArguments, offered_step
from bot.domain.release import Release
from bot.domain.version import ReleaseLabel, Version
from bot.messages import ACTION_STEP, ACTION_TAG, decode_value
from bot.messages import release as rendering
from bot.messages.blocks import (
    ACTION_FINISH_TAG,
    ACTION_LOADTEST_WINDOW,
    ACTION_SIGNOFF,
)
from bot.usecases.context import Progress, load_release
from bot.usecases.offer import Press, accept_press
from bot.usecases.step_messages import record_message, recorded_message, tag_message_key
from bot.usecases.tagging import TagResult, finish_interrupted_tag, tag_release
from handlers.commands import retry_number, run_step
from handlers.loadtest import record_window
from handlers.signoff import do_signoff
from handlers.work import Job, Runtime, SlackRequest

SINGLE_USE = ("confirm:", "tag:")  # block ids of confirmations


def register(app: App, runtime: Runtime, on_home_change: Any = None) -> None:
    @app.action(ACTION_TAG)
    def confirm_tag(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                    respond: Respond, request: BoltRequest) -> None:
        ack()
        runtime.submit(_request(body, action, respond, request),
                       lambda job: _tag(job, body, action))

    @app.action(ACTION_FINISH_TAG)
    def press_finish_tag(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                         respond: Respond, request: BoltRequest) -> None:
        ack()

        def work(job: Job) -> None:
            _finish(job, action)
            if on_home_change is not None and body.get("container", {}).get("type") == "view":
                on_home_change(job)

        runtime.submit(_request(body, action, respond, request), work)

    @app.action(ACTION_SIGNOFF)
    def press_signoff(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                      respond: Respond, request: BoltRequest) -> None:
        ack()
        value = decode_value(str(action.get("value", "")))
        runtime.submit(_request(body, action, respond, request),
                       lambda job: do_signoff(job, str(value.get("s") or "") or None,
                                              ReleaseLabel.parse(str(value.get("v", "")))))

    @app.action(ACTION_LOADTEST_WINDOW)
    def confirm_window(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                       respond: Respond, request: BoltRequest) -> None:
        ack()
        runtime.submit(_request(body, action, respond, request),
                       lambda job: _window(job, body, action))

    @app.action(ACTION_STEP)
    def press_step(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                   respond: Respond, request: BoltRequest) -> None:
        ack()

        def work(job: Job) -> None:
            _step(job, body, action)
            if on_home_change is not None and body.get("container", {}).get("type") == "view":
                on_home_change(job)

        runtime.submit(_request(body, action, respond, request), work)


def _request(body: dict[str, Any], action: dict[str, Any], respond: Respond,
             request: BoltRequest) -> SlackRequest:
    """Who pressed what. The channel is set once the service acted on is known: from the
    offer for a confirmation, never from the button's value."""
    label = (action.get("text") or {}).get("text", action.get("action_id", "a button"))
    has_url = bool(body.get("response_url"))
    return SlackRequest(str(body.get("user", {}).get("id", "")), f"the {label} button",
                        body.get("trigger_id"), respond if has_url else None,
                        retry_number(request))


def _accepted(job: Job, value: dict[str, Any], action: str | None = None) -> Press:
    """The press on the offer the button names, accepted (bot/usecases/offer.py); its
    answers go to the offer's service's channel."""
    press = accept_press(job.ctx, job.actor, value.get("o"), action)
    job.reply.channel = job.ctx.settings.channel_of(press.offer.service)
    return press


def _recorded(job: Job, offer: Offer) -> tuple[Release | None, bool]:
    """The release an offer was about, as recorded now (None if it never was), and
    whether a step on it runs in this process right now."""
    running = job.locks(f"{offer.service}:{offer.version}").locked()
    try:
        return load_release(job.ctx, offer.service, offer.version), running
    except Refusal:
        return None, running


def _step_pressed_again(job: Job, offer: Offer) -> None:
    label = rendering.step_label(offered_step(offer.action), offer.version,
                                 override=offer.reason is not None)
    job.reply.replace_original(rendering.step_pressed_again(
        label, *_recorded(job, offer), pipeline=job.ctx.settings.pipeline(offer.service)))


def _tag(job: Job, body: dict[str, Any], action: dict[str, Any]) -> None:
    press = _accepted(job, decode_value(str(action.get("value", ""))), TAG)
    offer = press.offer
    if not press.first:  # claimed before: say where that tag stands and what comes next
        release, running = _recorded(job, offer)
        job.reply.replace_original(rendering.tag_pressed_again(
            release, offer.version, running, pipeline=job.ctx.settings.pipeline(offer.service)))
        return
    job.reply.replace_original(rendering.confirmed(f"Tag {offer.version}", job.actor))
    version = Version.parse(offer.version)
    _tag_in_message(job, offer.service, offer.version, lambda progress: tag_release(
        job.ctx, job.ctx.service(offer.service), job.actor, version, expected_sha=offer.sha,
        request_id=job.request_id, progress=progress))


def _finish(job: Job, action: dict[str, Any]) -> None:
    """The Finish button of a tag cut short: only a release recorded `tagging` is finished
    (the record, not the button's value, says what was confirmed)."""
    value = decode_value(str(action.get("value", "")))
    service = job.ctx.service(str(value.get("s") or "") or None).config.name
    version = Version.parse(str(value.get("v") or ""))
    job.reply.channel = job.ctx.settings.channel_of(service)
    _tag_in_message(job, service, str(version), lambda progress: finish_interrupted_tag(
        job.ctx, job.ctx.service(service or None), job.actor, version, request_id=job.request_id,
        progress=progress))


def _tag_in_message(job: Job, service: str, version: str,
                    tag: Callable[[Progress], TagResult]) -> None:
    """Tag (or finish tagging) in the tag's one channel message: a tag cut short carries
    on in the message it left behind."""
    key = tag_message_key(service, version)
    where = recorded_message(job.ctx, key)
    if where is not None:
        job.reply.continue_in(*where)
    else:
        job.reply.on_posted = lambda channel, ts: record_message(job.ctx, key, channel, ts)
    job.reply.title = f"tag {service} {version}"
    with job.locks(f"{service}:{version}"):
        result = tag(job.reply.progress)
    job.reply.post(rendering.tagged(result, job.actor, job.reply.steps,
                                    pipeline=job.ctx.settings.pipeline(service)))


def _window(job: Job, body: dict[str, Any], action: dict[str, Any]) -> None:
    """An emergency load-test window, confirmed: recorded once (the offer is claimed), as
    it was offered (its span and partners come from the offer, not the button)."""
    press = _accepted(job, decode_value(str(action.get("value", ""))), LOADTEST_WINDOW)
    if not press.first:
        return
    offer = press.offer
    span = json.loads(offer.detail or "{}")
    label = f"Override load-test window {offer.version}"
    job.reply.replace_original(rendering.confirmed(label, job.actor))
    record_window(job, job.ctx.service(offer.service), ReleaseLabel.parse(offer.version),
                  dt.datetime.fromisoformat(span["from"]), dt.datetime.fromisoformat(span["to"]),
                  [str(p) for p in span.get("p") or []], override_reason=offer.reason)


def _step(job: Job, body: dict[str, Any], action: dict[str, Any]) -> None:
    value = decode_value(str(action.get("value", "")))
    single_use = str(action.get("block_id", "")).startswith(SINGLE_USE) \
        or bool({"o", "r"} & value.keys())
    if single_use:  # a confirmation: everything comes from what was offered
        press = _accepted(job, value)
        offer = press.offer
        if not press.first:  # claimed before: say where the release stands now
            _step_pressed_again(job, offer)
            return
        step, ports, named, reason = (offered_step(offer.action), job.ctx.service(offer.service),
                                      ReleaseLabel.parse(offer.version), offer.reason)
        given = StepArguments.of(offer)
    else:  # a next-step button: the same as typing the step
        step = offered_step(value.get("a"))
        if not {"s", "v"} <= value.keys():
            return
        ports = job.ctx.service(str(value["s"]))
        named, reason = ReleaseLabel.parse(str(value["v"])), None
        job.reply.channel = job.ctx.settings.channel_of(ports.config.name)
        given = StepArguments()
    label = rendering.step_label(step, str(named), override=reason is not None)
    if single_use:
        job.reply.replace_original(rendering.confirmed(label, job.actor))
    release = run_step(job, step, ports, named, bug_id=given.bug_id,
                       reason=given.reason or _why(step), override_reason=reason)
    if not single_use:  # rebuilt from the record: the payload's message is not ours to echo
        job.reply.replace_original(rendering.pressed(
            release, label, job.actor, pipeline=ports.config.pipeline))


def _why(step: Action) -> str:
    """A button carries no typed reason; a back-off offered by the environment watch is
    recorded for what the watch saw (the typed command says more)."""
    return "prod returned to the release before it (the environment watch saw it)" \
        if step is Action.BACKOFF else ""
