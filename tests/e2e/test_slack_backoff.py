"""PROCESS.md, "if any regression backed off": after OPS returns prod to the release
before, `/loop backoff prod VERSION [bug N] REASON` (or `rollback`) records it: the prod
ticket is reopened with the reason, the release is backed off (DEV's move: a patch), and
the next `/loop tag` offers that patch, saying in its notes what it replaces and why.
Over signed Slack requests, against the stand-ins."""

from __future__ import annotations

import json

from bot.domain.release import Env, State
from bot.jobs import run_due
from bot.partners.slack import Chat
from tests.e2e.test_slack_signoff import to_prod
from tests.fixtures.app import DEV, OPS, QA, SERVICE, LoopWorld

REASON = "rooms drop after an hour"


def _prod_ticket(world: LoopWorld, version: str) -> dict[str, object]:
    ticket = world.release(version).ticket(Env.PROD)
    assert ticket is not None
    return world.sandbox.bugzilla.bug(ticket.bug_id)


def test_backoff_reopens_the_prod_ticket_and_the_next_tag_is_the_patch(
    loop_world: LoopWorld,
) -> None:
    world = loop_world
    to_prod(world, "0.13.0")
    regression = world.sandbox.bugzilla.add_bug("Rooms drop after an hour on 0.13.0", "NEW")

    world.command(OPS, f"backoff prod 0.13.0 bug {regression} {REASON}")
    refused = world.last_ephemeral(OPS).text
    assert "prod still reports 0.13.0: OPS backs the build off to 0.12.2 first" in refused
    assert world.release("0.13.0").state is State.PROD_DEPLOYED
    assert _prod_ticket(world, "0.13.0")["status"] == "RESOLVED"

    world.deploy("prod", "0.12.2")  # OPS backs the build off
    posted = len(world.channel())
    world.command(OPS, f"rollback prod 0.13.0 bug {regression} {REASON}")
    said = world.channel()[posted:]
    assert said, world.slack.ephemerals(OPS)
    text = json.dumps([m.blocks for m in said]) + " ".join(m.text for m in said)
    assert "backed off from prod" in text and "0.13.0" in text
    assert "S0DEVS0001" in text  # DEV's move: the patch
    release = world.release("0.13.0")
    assert release.state is State.BACKED_OFF and release.rejected_for == regression
    ticket = _prod_ticket(world, "0.13.0")
    assert ticket["status"] == "REOPENED"
    comments = world.sandbox.bugzilla.comments(int(str(ticket["id"])))
    assert any(REASON in c["text"] and f"bug {regression}" in c["text"] for c in comments)

    world.command(QA, "status 0.13.0")
    assert "backed-off" in json.dumps(world.last_ephemeral(QA).blocks)
    world.command(OPS, f"backoff prod 0.13.0 {REASON}")
    assert "0.13.0 is already backed-off" in world.last_ephemeral(OPS).text
    assert _prod_ticket(world, "0.13.0")["status"] == "REOPENED"

    owner, name = world.settings.service(SERVICE).repo.split("/")
    world.sandbox.github.commit(owner, name, "master", f"Bug {regression} - keep rooms open",
                                {"loop/rooms.js": "// kept open\n"})
    world.command(DEV, "tag")
    preview = world.last_ephemeral(DEV)
    shown = preview.text + json.dumps(preview.blocks)
    assert "0.13.1" in shown and "0.13.0 was backed off from prod" in shown
    world.click(DEV, preview, "Tag 0.13.1")
    replaced = f"Replaces 0.13.0, backed off from prod: bug {regression}; {REASON}"
    assert replaced in world.release("0.13.1").notes


def test_backoff_is_refused_before_prod_and_while_prod_runs_a_third_version(
    loop_world: LoopWorld,
) -> None:
    world = loop_world
    world.to_prod_requested("0.13.0")
    world.command(OPS, f"backoff prod 0.13.0 {REASON}")
    refused = world.last_ephemeral(OPS).text
    assert "0.13.0 never reached prod (prod-requested): there is nothing to back off" in refused

    world.command(QA, "greenlight prod 0.13.0")
    world.click(QA, world.last_ephemeral(QA), "Greenlight 0.13.0")
    world.deploy("prod", "0.13.0")
    world.command(OPS, "deployed prod 0.13.0")
    world.deploy("prod", "0.12.1")
    world.command(OPS, f"backoff prod 0.13.0 {REASON}")
    refused = world.last_ephemeral(OPS).text
    assert "prod reports 0.12.1, neither 0.13.0 nor the release before it (0.12.2)" in refused
    world.command(DEV, f"backoff prod 0.13.0 {REASON}")
    assert "needs the" in world.last_ephemeral(DEV).text  # DEV does not back prod off
    world.command(OPS, "backoff prod 0.13.0")
    assert "say why prod was backed off" in world.last_ephemeral(OPS).text
    assert world.release("0.13.0").state is State.PROD_DEPLOYED


def test_the_watch_offers_the_back_off_and_ops_records_it_with_the_button(
    loop_world: LoopWorld,
) -> None:
    world = loop_world
    chat = Chat.from_settings(world.settings, base_url=world.slack.api_url)
    to_prod(world, "0.13.0")
    run_due(world.app.ctx, chat)  # the watch's first look: prod runs 0.13.0
    world.deploy("prod", "0.12.2")
    run_due(world.app.ctx, chat)
    offer = world.channel()[-1]
    assert "prod runs 0.12.2 again" in offer.text
    world.click(QA, offer, "Back off prod 0.13.0")  # QA may record it too
    release = world.release("0.13.0")
    assert release.state is State.BACKED_OFF
    comments = world.sandbox.bugzilla.comments(release.ticket(Env.PROD).bug_id)  # type: ignore[union-attr]
    assert any("the environment watch saw it" in c["text"] for c in comments)
