"""`/loop loadtest ...`: the work after the ack, one use case each (bot/usecases/loadtest.py).

A window set is announced in the channel (and mailed by the use case); a result is one
channel message updated as each step finishes (the ticket comment, then the rejection of
a failed build with its bug).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from bot.domain.offer import LOADTEST_WINDOW
from bot.domain.version import ReleaseLabel
from bot.messages import loadtest as rendering
from bot.usecases.context import ServicePorts
from bot.usecases.loadtest import record_result, set_window
from bot.usecases.offer import offer_confirmation
from handlers.grammar.intents import Command, LoadTestResult, LoadTestWindow
from handlers.work import Job


def do_window(job: Job, parsed: Command, intent: LoadTestWindow) -> None:
    ports = job.ctx.service(parsed.service)
    service = ports.config.name
    if parsed.emergency is not None:  # breaking glass is confirmed with a button first
        found = set_window(job.ctx, ports, job.actor, intent.version, intent.start, intent.end,
                           intent.partners, override_reason=parsed.emergency, record=False)
        span = {"from": found.window.start.isoformat(), "to": found.window.end.isoformat(),
                "p": list(found.window.partners)}
        offer = offer_confirmation(job.ctx, job.actor, LOADTEST_WINDOW, service,
                                   str(intent.version), reason=parsed.emergency,
                                   detail=json.dumps(span))
        job.reply.ephemeral(rendering.window_confirmation(found, job.ctx.settings.tz, offer.id))
        return
    record_window(job, ports, intent.version, intent.start, intent.end, intent.partners)


def record_window(job: Job, ports: ServicePorts, label: ReleaseLabel, start: dt.datetime,
                  end: dt.datetime, partners: Sequence[str],
                  override_reason: str | None = None) -> None:
    """Record the window and announce it (the command, or the override's button)."""
    job.reply.title = f"load-test window {ports.config.name} {label}"
    found = set_window(job.ctx, ports, job.actor, label, start, end, partners,
                       override_reason=override_reason, request_id=job.request_id)
    rendered = rendering.window_set(found, job.actor, job.ctx.settings.tz)
    if found.new:
        job.reply.post(rendered)
    else:
        job.reply.ephemeral(rendered)


def do_result(job: Job, parsed: Command, intent: LoadTestResult) -> None:
    ports = job.ctx.service(parsed.service)
    service = ports.config.name
    job.reply.title = f"load test {service} {intent.version}"
    actor = job.actor
    with job.locks(f"{service}:{intent.version}"):
        found = record_result(job.ctx, ports, actor, intent.version, intent.passed,
                              reason=intent.reason, bug_id=intent.bug_id,
                              override_reason=parsed.emergency, request_id=job.request_id,
                              progress=job.reply.progress)
    job.reply.post(rendering.result_recorded(found, actor, job.reply.steps,
                                             pipeline=job.ctx.settings.pipeline(service)))
