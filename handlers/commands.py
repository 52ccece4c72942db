"""The `/loop` slash command: ack, then parse and one use case on the app's executor.

The listener only acks and submits the work (nothing is read before Slack has its answer:
a hostile line costs the ack nothing); the work reads the line (pure, handlers/grammar/parser.py,
which refuses a line over 4,000 characters unread), then each `_do_*` function below
calls one use case and renders its answer. Bad input is
answered ephemerally with the usage and changes nothing. State changes are posted as one
channel message updated as each step finishes; everything else is ephemeral.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltRequest
from slack_bolt.context.respond import Respond

from bot.config.settings import ConfigError, ServiceSettings, Settings
from bot.domain.actions import Action
from bot.domain.errors import Refusal, echoed
from bot.domain.next_steps import next_action
from bot.domain.offer import TAG, StepArguments
from bot.domain.permissions import roles_summary
from bot.domain.pipeline import Pipeline
from bot.domain.release import Release
from bot.domain.rules import check_step_exists, next_owners
from bot.domain.version import ReleaseLabel
from bot.messages import release as rendering
from bot.messages import reply as replies
from bot.messages.blocks import mentions
from bot.messages.gonogo import render_gonogo
from bot.messages.help import help_topic
from bot.messages.metrics import metrics_reply
from bot.messages.signoff import with_signoff_button
from bot.usecases.calendar_feed import calendar_from_settings, select_cycles
from bot.usecases.context import ServicePorts, load_release
from bot.usecases.dev_lag import environments_and_lag
from bot.usecases.gonogo import gonogo
from bot.usecases.metrics import metrics
from bot.usecases.offer import offer_confirmation
from bot.usecases.push_day import push_day_note
from bot.usecases.queries import history, releases_in_flight
from bot.usecases.release import advance, check_step, gate_pending, start_service_change
from bot.usecases.signoff import required_teams
from bot.usecases.step_messages import record_message, recorded_message, step_message_key
from bot.usecases.tagging import backport, preview_tag
from handlers import loadtest, signoff
from handlers.grammar import help
from handlers.grammar import parser as grammar
from handlers.grammar.intents import (
    Backport,
    CalendarDates,
    Command,
    Envs,
    GoNoGoQuestion,
    Help,
    History,
    LoadTestResult,
    LoadTestWindow,
    Metrics,
    ProdSignoff,
    ServiceChange,
    Status,
    Step,
    TagPreview,
)
from handlers.work import Job, Runtime, SlackRequest

log = logging.getLogger("loopbot.slack")
CALENDAR_CYCLES = 4


def register(app: App, runtime: Runtime) -> None:
    @app.command(grammar.COMMAND)
    def loop_command(ack: Ack, command: dict[str, Any], respond: Respond,
                     request: BoltRequest) -> None:
        ack()  # first: even reading the line waits until Slack has its answer
        text = str(command.get("text", ""))
        shown = f"{grammar.COMMAND} {echoed(unescape(text[:grammar.MAX_TEXT]), 200)}"
        settings = runtime.ctx.settings
        home = settings.service_for_channel(str(command.get("channel_id", "")),
                                            str(command.get("channel_name", "")))
        slack = SlackRequest(str(command.get("user_id", "")), shown,
                             command.get("trigger_id"), respond, retry_number(request),
                             settings.channel_of(home or settings.service().name))

        def work(job: Job) -> None:
            parsed = grammar.parse(unescape(text), lambda named: _pipeline(settings,
                                                                           named or home))
            if parsed.service is None and home is not None:
                parsed = replace(parsed, service=home)  # a service's channel is its default
            elif parsed.service is not None:  # a named service's news goes to its channel
                job.reply.channel = settings.channel_of(parsed.service)
            execute(parsed, job)

        runtime.submit(slack, work)


def _pipeline(settings: Settings, service: str | None) -> Pipeline:
    """The pipeline whose words a line is read in; an unknown service is refused later."""
    try:
        return settings.pipeline(service)
    except ConfigError:
        return settings.pipeline()


def retry_number(request: BoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    return int(values[0]) if re.fullmatch(r"[0-9]{1,6}", values[0]) else 0


def unescape(text: str) -> str:
    """Slack sends &, < and > in a command's text as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def execute(parsed: Command, job: Job) -> None:
    match parsed.intent:
        case Help(topic=topic):
            _do_help(job, topic, parsed.service)
        case TagPreview() as intent:
            _do_tag_preview(job, parsed, intent)
        case Step() as intent:
            _do_step(job, parsed, intent)
        case Backport() as intent:
            _do_backport(job, parsed, intent)
        case ServiceChange(summary=summary):
            change = start_service_change(job.ctx, job.ctx.service(parsed.service).config,
                                          job.actor, summary, request_id=job.request_id)
            job.reply.post(rendering.change_started(
                change, job.actor, pipeline=job.ctx.settings.pipeline(change.service)))
        case Status(version=version):
            _do_status(job, parsed.service, version)
        case History(version=version):
            ports = job.ctx.service(parsed.service)
            service = ports.config.name
            entries = history(job.ctx, ports, version)
            job.reply.ephemeral(replies.history(service, str(version), entries, job.ctx.settings.tz,
                                                job.ctx.settings.board_url))
        case Envs():
            config = job.ctx.service(parsed.service).config
            mocked = {e.name: e.mocked_partner for e in config.pipeline.environments}
            job.reply.ephemeral(replies.environments(
                config.name, *environments_and_lag(job.ctx, config), mocked))
        case CalendarDates():
            _do_calendar(job, parsed.service)
        case GoNoGoQuestion(version=version):
            job.reply.ephemeral(render_gonogo(gonogo(job.ctx, job.ctx.service(parsed.service),
                                                     label=version)))
        case LoadTestWindow() as intent:
            loadtest.do_window(job, parsed, intent)
        case LoadTestResult() as intent:
            loadtest.do_result(job, parsed, intent)
        case ProdSignoff(version=version):
            signoff.do_signoff(job, parsed.service, version)
        case Metrics(cycles=cycles):
            found = metrics(job.ctx, job.ctx.service(parsed.service), cycles=cycles)
            job.reply.ephemeral(metrics_reply(found, job.ctx.settings.board_url))


def _do_help(job: Job, topic: str | None, service: str | None = None) -> None:
    if topic is None:
        services = [s.name for s in job.ctx.settings.services]
        pipeline = job.ctx.service(service).config.pipeline
        job.reply.ephemeral(replies.help_text(help.lines(pipeline), help.emergency_steps(),
                                              roles_summary(job.actor, services),
                                              help.PROCESS_DOC))
        return
    if topic in help.OPTION_TOPICS:
        services = [s.name for s in job.ctx.settings.services]
        job.reply.ephemeral(help_topic(help.option_topic(topic, services)))
        return
    declared = grammar.SUBCOMMANDS.get(grammar.ALIASES.get(topic, topic))
    if declared is None:
        raise grammar.unknown(topic, job.ctx.service(service).config.pipeline)
    job.reply.ephemeral(help_topic(help.topic(declared, job.ctx.service(service).config)))


def _do_tag_preview(job: Job, parsed: Command, intent: TagPreview) -> None:
    preview = preview_tag(job.ctx, job.ctx.service(parsed.service), job.actor,
                          version=intent.version, line=intent.line)
    offer = offer_confirmation(job.ctx, job.actor, TAG, preview.service, preview.version,
                               sha=preview.head_sha)
    job.reply.ephemeral(rendering.tag_preview(preview, offer.id))


def _do_step(job: Job, parsed: Command, intent: Step) -> None:
    ports = job.ctx.service(parsed.service)
    service = ports.config.name
    label = intent.version or _awaiting_green_light(job, ports.config)
    version = str(label)
    if parsed.emergency is not None or intent.action in rendering.CONFIRMED_ACTIONS:
        # A refusal comes now, not after the click: only an allowed step is confirmed.
        check_step(job.ctx, ports, intent.action, label, job.actor,
                   bug_id=intent.bug_id, override_reason=parsed.emergency, env=intent.env)
        release = load_release(job.ctx, service, version)
        given = StepArguments(intent.bug_id, intent.reason)  # the press does all of it
        offer = offer_confirmation(job.ctx, job.actor, intent.action.value, service, version,
                                   reason=parsed.emergency, detail=given.detail())
        note = push_day_note(job.ctx, intent.action, service, version,
                             emergency=parsed.emergency is not None)
        job.reply.ephemeral(rendering.step_confirmation(
            release, intent.action, parsed.emergency, offer.id, given, note,
            pipeline=job.ctx.settings.pipeline(service)))
        return
    run_step(job, intent.action, ports, label, bug_id=intent.bug_id, reason=intent.reason,
             env=intent.env)


def run_step(job: Job, action: Action, ports: ServicePorts, label: ReleaseLabel, *,
             bug_id: int | None = None, reason: str = "", override_reason: str | None = None,
             env: str | None = None) -> Release:
    """One lifecycle step, shown as one channel message (commands and buttons share it)."""
    service = ports.config.name
    version = str(label)
    job.reply.title = f"{action.value} {service} {version}"
    pipeline = job.ctx.settings.pipeline(service)
    check_step_exists(action, service, pipeline=pipeline)  # before the release is looked up
    actor = job.actor
    with job.locks(f"{service}:{version}"):
        _in_one_message(job, step_message_key(service, version, action.value, load_release(
            job.ctx, service, version).state.value, bug_id))
        result = advance(job.ctx, ports, action, label, actor, bug_id=bug_id,
                         reason=reason, override_reason=override_reason,
                         request_id=job.request_id, progress=job.reply.progress, env=env)
    owners = (role.value for role in next_owners(result.release, pipeline=pipeline))
    people = mentions(job.ctx.settings.roles_of(service), owners)
    note = push_day_note(job.ctx, action, service, version,
                         emergency=override_reason is not None)
    rendered = rendering.step_done(result, actor, job.reply.steps, people, note,
                                   pipeline=pipeline)
    teams = list(required_teams(ports.config))
    signed_off = pipeline.signed_off.name
    if action == Action.of("deployed", signed_off) and teams:
        rendered = with_signoff_button(rendered, result.release, teams, signed_off)
    job.reply.post(rendered)
    return result.release


def _in_one_message(job: Job, key: str) -> None:
    """A step cut short carries on in the message it left behind (bot/usecases/
    step_messages.py); otherwise the message it posts is recorded for such a repeat."""
    where = recorded_message(job.ctx, key)
    if where is not None:
        job.reply.continue_in(*where)
    else:
        job.reply.on_posted = lambda channel, ts: record_message(job.ctx, key, channel, ts)


def _awaiting_green_light(job: Job, config: ServiceSettings) -> ReleaseLabel:
    service, pipeline = config.name, config.pipeline
    waiting = [r for r in releases_in_flight(job.ctx, config)
               if next_action(r, pipeline=pipeline) is Action.GREENLIGHT]
    if not waiting:
        raise Refusal(f"no release of {service} is waiting for the green light",
                      hint="`/loop status` shows where each release stands")
    if len(waiting) > 1:
        listed = ", ".join(r.version for r in waiting)
        raise Refusal(f"several releases wait for the green light ({listed})",
                      hint="name one: `/loop greenlight prod VERSION`")
    return ReleaseLabel.parse(waiting[0].version)


def _do_backport(job: Job, parsed: Command, intent: Backport) -> None:
    job.reply.title = f"backport to {intent.line}"
    actor = job.actor
    result = backport(job.ctx, job.ctx.service(parsed.service), actor, intent.line,
                      shas=intent.shas, bug_id=intent.bug_id, request_id=job.request_id,
                      progress=job.reply.progress)
    job.reply.post(rendering.backported(result, actor, job.reply.steps))


def _do_status(job: Job, service_name: str | None, version: ReleaseLabel | None) -> None:
    config = job.ctx.service(service_name).config
    service, pipeline = config.name, config.pipeline
    if version is None:
        in_flight = releases_in_flight(job.ctx, config)
        gates = {r.version: gate for r in in_flight if (gate := gate_pending(job.ctx, r))}
        job.reply.ephemeral(replies.status_list(service, in_flight, gates, pipeline=pipeline))
        return
    release = load_release(job.ctx, service, str(version))
    job.reply.ephemeral(replies.status_one(release, gate_pending(job.ctx, release),
                                           pipeline=pipeline))


def _do_calendar(job: Job, service_name: str | None) -> None:
    settings = job.ctx.settings
    config = job.ctx.service(service_name).config
    service = config.name
    calendar = calendar_from_settings(settings)
    today = job.ctx.clock().astimezone(settings.tz).date()
    cycles = select_cycles(calendar, today - dt.timedelta(days=1), count=CALENDAR_CYCLES)
    flying = releases_in_flight(job.ctx, config)
    job.reply.ephemeral(replies.calendar(calendar, cycles, service, today, flying))
