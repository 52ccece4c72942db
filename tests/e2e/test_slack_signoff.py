"""Other teams' sign-off on prod, through signed Slack requests: `verify prod` waits for
every team loop-server lists (here the loop-dev user group, standing for the client team,
and QA), saying who is missing; a team signs with the command or the button on the
prod-deployed message."""

from __future__ import annotations

import json

import pytest

from bot.config.settings import ServiceWorkflow, Settings
from bot.domain.release import Env, State
from bot.sandbox.slack.signed import buttons
from tests.fixtures.app import (
    DEV,
    LEAD,
    OPS,
    QA,
    LoopWorld,
    assert_refused_in_one_line,
    forged_version,
)

TEAMS = {"loop-client": ("S0DEVS0001",), "QA": (QA,)}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    server, *others = settings.services
    server = server.model_copy(update={"workflow": ServiceWorkflow(prod_signoffs=TEAMS)})
    return settings.model_copy(update={"services": (server, *others)})


def to_prod(world: LoopWorld, version: str) -> None:
    world.to_prod_requested(version)
    world.command(QA, f"greenlight prod {version}")
    world.click(QA, world.last_ephemeral(QA), f"Greenlight {version}")
    world.deploy("prod", version)
    world.command(OPS, f"deployed prod {version}")


def test_verify_prod_waits_for_every_team_and_says_who_is_missing(
    loop_world: LoopWorld
) -> None:
    loop_world.command(QA, "signoff prod 0.13.0")
    assert "loop-server has no release 0.13.0" in loop_world.last_ephemeral(QA).text
    to_prod(loop_world, "0.13.0")
    deployed = loop_world.channel()[-1]
    assert "Prod sign-off needed from loop-client, QA" in json.dumps(deployed.blocks)

    loop_world.command(QA, "verify prod 0.13.0")
    refused = loop_world.last_ephemeral(QA).text
    assert "prod sign-off missing from loop-client, QA" in refused
    loop_world.command(OPS, "signoff prod 0.13.0")
    assert "is for loop-client, QA; <@U0OPS0001> is in none of them" in \
        loop_world.last_ephemeral(OPS).text

    loop_world.click(DEV, deployed, "Sign off 0.13.0")  # DEV is in the loop-dev group
    signed = loop_world.channel()[-1]
    assert "loop-client signed off" in signed.text and "Still missing: QA" in signed.text
    loop_world.command(DEV, "signoff prod 0.13.0")
    assert "loop-client had already signed off" in loop_world.last_ephemeral(DEV).text
    loop_world.command(QA, "verify prod 0.13.0")
    assert "prod sign-off missing from QA:" in loop_world.last_ephemeral(QA).text

    loop_world.command(QA, "signoff prod 0.13.0")
    assert "Every sign-off is in" in loop_world.channel()[-1].text
    loop_world.command(QA, "verify prod 0.13.0")
    release = loop_world.release("0.13.0")
    assert release.state is State.DONE
    prod_bug = release.ticket(Env.PROD).bug_id
    comments = json.dumps(loop_world.sandbox.bugzilla.comments(prod_bug))
    assert "Signed off on prod for loop-client" in comments and "for QA" in comments


def test_an_emergency_verify_lists_the_missing_sign_offs_it_skipped(
    loop_world: LoopWorld
) -> None:
    to_prod(loop_world, "0.13.0")
    loop_world.command(LEAD, 'verify prod 0.13.0 --emergency "client team is on holiday"')
    loop_world.click(LEAD, loop_world.last_ephemeral(LEAD), "Override verify prod")
    done = json.dumps(loop_world.channel()[-1].blocks)
    assert "prod sign-off missing from loop-client, QA" in done
    assert loop_world.release("0.13.0").state is State.DONE


def test_a_sign_off_button_whose_version_is_not_a_label_is_refused_in_one_line(
    loop_world: LoopWorld,
) -> None:
    """Issue 21: the Sign off button's version is read as a release label at the edge; a
    forged multi-line `v` was looked up as it came and repeated whole in the refusal."""
    to_prod(loop_world, "0.13.3")
    deployed = loop_world.channel()[-1]
    button = next(b for b in buttons(deployed) if b["text"]["text"].startswith("Sign off"))
    loop_world.signed.click(DEV, deployed, forged_version(button, "0.13.3"))
    assert loop_world.app.drain(30)
    assert_refused_in_one_line(loop_world.last_ephemeral(DEV).text, "0.13.3")
    assert "loop-client signed off" not in loop_world.channel()[-1].text
