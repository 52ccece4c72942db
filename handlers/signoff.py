"""`/loop signoff ENV VERSION` and the "Sign off" button: the teams the person belongs
to (app.yaml's `workflow.prod_signoffs`, user groups resolved by the directory) sign the
release off where the signoffs gate sits (prod by default), announced in the channel with
who is still missing."""

from __future__ import annotations

from bot.domain.version import ReleaseLabel
from bot.messages import signoff as rendering
from bot.usecases.signoff import required_teams, sign_off
from handlers.work import Job


def do_signoff(job: Job, service_name: str | None, label: ReleaseLabel) -> None:
    ports = job.ctx.service(service_name)
    service = ports.config.name
    job.reply.channel = job.ctx.settings.channel_of(service)
    where = ports.config.pipeline.signed_off.name
    job.reply.title = f"signoff {where} {service} {label}"
    required = required_teams(ports.config)
    teams = [team for team, ids in required.items()
             if job.directory.member(job.request.user, ids)]
    result = sign_off(job.ctx, ports, job.actor, teams, label,
                      request_id=job.request_id)
    rendered = rendering.signed(result, job.actor)
    if result.signed:
        job.reply.post(rendered)
    else:
        job.reply.ephemeral(rendered)
