"""Buttons: tag confirmations and lifecycle steps (next-step buttons, confirmations of a
green light or an emergency override).

Guarantees:
- Anyone can press a button; the use case refuses the wrong role (ephemerally).
- A confirmation (the ephemeral question under a tag preview, a green light or an
  override) is single-use: the first press claims it in the database and replaces it
  with who confirmed; any later press (double click, Slack retry) does nothing.
- A next-step button on a channel message runs its step once per release at a time; when
  the step is done the button is replaced by who pressed it, and a second press meets
  the lifecycle, which says the step is done already. Nothing is ever done twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.config import Settings
from bot.domain.actions import Action
from bot.domain.errors import Refusal
from bot.messages import ACTION_STEP, ACTION_TAG, Rendered, decode_value
from bot.messages import releases as rendering
from bot.messages.blocks import ACTION_LOADTEST_WINDOW, ACTION_SIGNOFF, context, escape
from bot.usecases.tagging import tag_release
from handlers.commands import run_step
from handlers.loadtest import record_window
from handlers.signoff import do_signoff
from handlers.work import Job, Runtime, SlackRequest

log = logging.getLogger("loopbot.slack")
SINGLE_USE = ("confirm:", "tag:")  # block ids of confirmations


def register(app: App, runtime: Runtime, on_home_change: Any = None) -> None:
    @app.action(ACTION_TAG)
    def confirm_tag(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                    respond: Respond) -> None:
        ack()
        runtime.submit(_request(body, action, respond, runtime.ctx.settings),
                       lambda job: _tag(job, body, action))

    @app.action(ACTION_SIGNOFF)
    def press_signoff(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                      respond: Respond) -> None:
        ack()
        value = decode_value(str(action.get("value", "")))
        runtime.submit(_request(body, action, respond, runtime.ctx.settings),
                       lambda job: do_signoff(job, str(value.get("s") or "") or None,
                                              str(value.get("v", ""))))

    @app.action(ACTION_LOADTEST_WINDOW)
    def confirm_window(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                       respond: Respond) -> None:
        ack()
        runtime.submit(_request(body, action, respond, runtime.ctx.settings),
                       lambda job: _window(job, body, action))

    @app.action(ACTION_STEP)
    def press_step(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                   respond: Respond) -> None:
        ack()

        def work(job: Job) -> None:
            _step(job, body, action)
            if on_home_change is not None and body.get("container", {}).get("type") == "view":
                on_home_change(job)

        runtime.submit(_request(body, action, respond, runtime.ctx.settings), work)


def _request(body: dict[str, Any], action: dict[str, Any], respond: Respond,
             settings: Settings) -> SlackRequest:
    label = (action.get("text") or {}).get("text", action.get("action_id", "a button"))
    has_url = bool(body.get("response_url"))
    service = decode_value(str(action.get("value", ""))).get("s")
    return SlackRequest(str(body.get("user", {}).get("id", "")), f"the {label} button",
                        body.get("trigger_id"), respond if has_url else None,
                        channel=settings.channel_of(str(service) if service else None))


def _claimed(job: Job, body: dict[str, Any], action: dict[str, Any]) -> bool:
    """True when this press may go on: a confirmation is claimed once, forever."""
    block_id = str(action.get("block_id", ""))
    if not block_id.startswith(SINGLE_USE):
        return True
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or ""
    key = f"confirm:{container.get('channel_id', '')}:{where}:{block_id}"
    if not job.ctx.store.claim(key, job.request.user):
        log.info("confirmation %s pressed again: ignored", key)
        return False
    return True


def _tag(job: Job, body: dict[str, Any], action: dict[str, Any]) -> None:
    value = decode_value(str(action.get("value", "")))
    if not {"s", "v", "sha"} <= value.keys() or not _claimed(job, body, action):
        return
    actor = job.actor
    job.reply.replace_original(rendering.confirmed(f"Tag {value['v']}", actor))
    job.reply.title = f"tag {value['s']} {value['v']}"
    result = tag_release(job.ctx, actor, str(value["v"]), service=str(value["s"]),
                         expected_sha=str(value["sha"]), request_id=job.request_id,
                         progress=job.reply.progress)
    job.reply.post(rendering.tagged(result, actor, job.reply.steps))


def _window(job: Job, body: dict[str, Any], action: dict[str, Any]) -> None:
    """An emergency load-test window, confirmed: recorded once (the press is claimed)."""
    value = decode_value(str(action.get("value", "")))
    if not {"s", "v", "from", "to", "r"} <= value.keys() or not _claimed(job, body, action):
        return
    label = f"Override load-test window {value['v']}"
    job.reply.replace_original(rendering.confirmed(label, job.actor))
    record_window(job, str(value["s"]), str(value["v"]),
                  dt.datetime.fromisoformat(str(value["from"])),
                  dt.datetime.fromisoformat(str(value["to"])),
                  [str(p) for p in value.get("p") or []], override_reason=str(value["r"]))


def _step(job: Job, body: dict[str, Any], action: dict[str, Any]) -> None:
    value = decode_value(str(action.get("value", "")))
    try:
        step = Action(value.get("a"))
    except ValueError:
        raise Refusal("this button is not one of mine any more",
                      hint="`/loop help` lists the commands") from None
    if not {"s", "v"} <= value.keys() or not _claimed(job, body, action):
        return
    reason = value.get("r")
    label = rendering.step_label(step, str(value["v"]), override=reason is not None)
    single_use = str(action.get("block_id", "")).startswith(SINGLE_USE)
    if single_use:
        job.reply.replace_original(rendering.confirmed(label, job.actor))
    run_step(job, step, str(value["s"]), str(value["v"]),
             override_reason=str(reason) if reason is not None else None)
    if not single_use:
        job.reply.replace_original(_pressed(body, action, label, job))


def _pressed(body: dict[str, Any], action: dict[str, Any], label: str, job: Job) -> Rendered:
    """The channel message as it was, its pressed button replaced by who pressed it."""
    message = body.get("message") or {}
    kept = [b for b in message.get("blocks") or [] if b.get("block_id") != action.get("block_id")]
    note = context(f"✓ *{escape(label)}* — pressed by {job.actor.mention}")
    return Rendered(str(message.get("text") or label), [*kept, note])
