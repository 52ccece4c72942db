"""One bot, several teams: loop-client has its own channel (shipped app.yaml). Commands
typed there are about loop-client, its steps are posted there, App Home shows every
service to people with a role; signed Slack requests to the running bot."""

from __future__ import annotations

import json

import pytest

from bot.config.settings import Settings
from tests.e2e.test_slack_more_commands import _open_home
from tests.fixtures.app import DEV, OPS, QA, LoopWorld

CLIENT = "#loop-client"


@pytest.fixture
def settings(settings: Settings, shipped_settings: Settings) -> Settings:
    """The plain settings with loop-client's own channel, as shipped (not its own team:
    tests/e2e/test_slack_service_roles.py tests that)."""
    server, _ = settings.services
    client = shipped_settings.services[1].model_copy(update={"roles": {}})
    return settings.model_copy(update={"services": (server, client)})


def test_a_command_typed_in_a_services_channel_is_about_that_service(
    loop_world: LoopWorld
) -> None:
    loop_world.tag("0.13.0")  # loop-server, from #loop
    loop_world.signed.command(QA, "status", channel=CLIENT)
    assert loop_world.app.drain(30)
    assert loop_world.last_ephemeral(QA).text == "loop-client: no release in flight"
    loop_world.signed.command(QA, "status service:loop-server", channel=CLIENT)
    assert loop_world.app.drain(30)
    assert "loop-server in flight: 0.13.0 tagged" in loop_world.last_ephemeral(QA).text

    loop_world.signed.command(DEV, "tag", channel=CLIENT)
    assert loop_world.app.drain(30)
    preview = loop_world.last_ephemeral(DEV)
    assert "loop-client 0.1.0" in preview.text
    loop_world.click(DEV, preview, "Tag 0.1.0")
    client_posts = loop_world.slack.messages(CLIENT)
    assert len(client_posts) == 1 and "loop-client 0.1.0 tagged" in client_posts[0].text
    assert not any("loop-client" in m.text for m in loop_world.channel())


def test_app_home_shows_every_service_to_someone_with_a_role(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    _open_home(loop_world, OPS, "Ev0HOMESVC1")
    blocks = loop_world.slack.home_view(OPS)["blocks"]
    headers = [b["text"]["text"] for b in blocks if b["type"] == "header"]
    assert headers == ["loop-server releases", "loop-client releases"]
    assert "0.13.0" in json.dumps(blocks)
