"""One bot, several teams: loop-client names its own DEV and QA (its QA as a user group),
OPS and emergency come from the top level. Signed Slack requests to the running bot,
the stand-ins behind it: each person acts, is refused and is mentioned for the services
they hold a role in, and App Home shows those services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.domain.release import State
from bot.sandbox.slack.workspace import SlackUser, UserGroup
from bot.usecases.context import load_release
from tests.e2e.test_sandbox_chat import play, texts
from tests.e2e.test_slack_more_commands import _open_home
from tests.fixtures.app import DEV, LEAD, OPS, QA, LoopWorld

CLIENT = "#loop-client"
CLIENT_DEV, CLIENT_QA = "U0CLDEV01", "U0CLQA001"
CLIENT_QA_GROUP = "S0CLQA0001"
STRANGER = "U0STRANGE9"


@pytest.fixture
def settings(settings: Settings, shipped_settings: Settings) -> Settings:
    """The plain settings with loop-client as shipped (own channel, own DEV), its QA a
    user group."""
    server, _ = settings.services
    client = shipped_settings.services[1]
    roles = {**client.roles, "QA": (CLIENT_QA_GROUP, LEAD)}
    return settings.model_copy(update={
        "services": (server, client.model_copy(update={"roles": roles}))})


@pytest.fixture
def world(loop_world: LoopWorld) -> LoopWorld:
    workspace = loop_world.slack.workspace
    workspace.add_user(SlackUser(STRANGER, "stranger", "Sam Stranger"))
    workspace.add_usergroup(UserGroup(CLIENT_QA_GROUP, "loop-client-qa", (CLIENT_QA,)))
    return loop_world


def client_state(world: LoopWorld, version: str) -> State:
    return load_release(world.app.ctx, "loop-client", version).state


def tag_client(world: LoopWorld, version: str = "0.1.0") -> None:
    world.command(CLIENT_DEV, f"tag {version}", channel=CLIENT)
    world.click(CLIENT_DEV, world.last_ephemeral(CLIENT_DEV), f"Tag {version}")


def client_on_stage(world: LoopWorld, version: str = "0.1.0") -> None:
    tag_client(world, version)
    world.command(CLIENT_DEV, f"request stage {version}", channel=CLIENT)
    world.sandbox.environment("loop-client", "stage").deploy(version, "c" * 40)
    world.command(OPS, f"deployed stage {version}", channel=CLIENT)


def test_a_dev_of_loop_server_is_refused_on_loop_client_and_nothing_changes(
    world: LoopWorld
) -> None:
    world.command(DEV, "tag", channel=CLIENT)
    refused = world.last_ephemeral(DEV)
    assert ("tagging needs the DEV role for loop-client; <@U0DEV0001> is not DEV for "
            "loop-client (holds no role there)") in refused.text
    assert "ask someone with the DEV role for loop-client" in json.dumps(refused.blocks)
    assert world.slack.messages(CLIENT) == []
    with world.app.ctx.store.unit_of_work() as uow:
        assert uow.releases.find("loop-client") == []

    tag_client(world)  # loop-client's own DEV may
    assert client_state(world, "0.1.0") is State.TAGGED
    world.command(CLIENT_DEV, "tag service:loop-server")  # ...and not loop-server
    assert "tagging needs the DEV role for loop-server" in world.last_ephemeral(
        CLIENT_DEV).text


def test_a_per_service_qa_verifies_their_service_only(world: LoopWorld) -> None:
    client_on_stage(world)
    world.command(QA, "verify stage 0.1.0", channel=CLIENT)
    refused = world.last_ephemeral(QA)
    assert ("`verify stage` needs the QA role for loop-client; <@U0QA00001> is not QA for "
            "loop-client (holds no role there)") in refused.text
    assert client_state(world, "0.1.0") is State.STAGE_DEPLOYED

    world.command(CLIENT_QA, "verify stage 0.1.0", channel=CLIENT)  # through the group
    assert client_state(world, "0.1.0") is State.PROD_REQUESTED

    world.to_stage("0.13.0")
    world.command(CLIENT_QA, "verify stage 0.13.0")
    assert "needs the QA role for loop-server" in world.last_ephemeral(CLIENT_QA).text
    assert world.release("0.13.0").state is State.STAGE_DEPLOYED


def test_a_button_pressed_by_someone_without_the_services_role_changes_nothing(
    world: LoopWorld
) -> None:
    """The stage-deployed message's button offers QA's step; loop-server's QA pressing it
    on loop-client's message is refused, loop-client's QA pressing it verifies."""
    client_on_stage(world)
    deployed = world.slack.messages(CLIENT)[-1]
    world.click(QA, deployed, "Verify")
    assert "needs the QA role for loop-client" in world.last_ephemeral(QA).text
    assert client_state(world, "0.1.0") is State.STAGE_DEPLOYED


def test_mentions_name_the_services_own_people(world: LoopWorld) -> None:
    client_on_stage(world)
    deployed = world.slack.messages(CLIENT)[-1].text  # QA's move next
    assert f"<!subteam^{CLIENT_QA_GROUP}>" in deployed and f"<@{LEAD}>" in deployed
    assert f"<@{QA}>" not in deployed
    world.to_stage("0.13.0")
    server_deployed = world.channel()[-1].text
    assert f"<@{QA}>" in server_deployed and CLIENT_QA_GROUP not in server_deployed


def home_headers(world: LoopWorld, user: str, event_id: str) -> list[str]:
    _open_home(world, user, event_id)
    blocks = world.slack.home_view(user)["blocks"]
    return [b["text"]["text"] for b in blocks if b["type"] == "header"]


def test_app_home_lists_the_services_the_viewer_has_a_role_in(world: LoopWorld) -> None:
    assert home_headers(world, CLIENT_QA, "Ev0ROLES001") == ["loop-client releases"]
    assert "You are <@U0CLQA001>: QA for loop-client" in json.dumps(
        world.slack.home_view(CLIENT_QA)["blocks"])
    assert home_headers(world, DEV, "Ev0ROLES002") == ["loop-server releases"]
    assert home_headers(world, OPS, "Ev0ROLES003") == ["loop-server releases",
                                                       "loop-client releases"]
    assert home_headers(world, STRANGER, "Ev0ROLES004") == ["loop-server releases"]
    assert "You are <@U0STRANGE9>: no role for loop-server" in json.dumps(
        world.slack.home_view(STRANGER)["blocks"])


def test_app_home_offers_a_step_only_in_the_service_the_viewer_may_take_it(
    world: LoopWorld
) -> None:
    """Both releases wait for QA. The lead is QA for loop-client (named there) but not for
    loop-server (the tests' top-level QA is U0QA00001 alone): one button, loop-client's."""
    client_on_stage(world)
    world.to_stage("0.13.0")
    _open_home(world, LEAD, "Ev0ROLES005")
    blocks = json.dumps(world.slack.home_view(LEAD)["blocks"])
    assert "home:loop-client:0.1.0" in blocks and "home:loop-server" not in blocks
    assert "DEV, OPS, emergency for loop-server" in blocks
    _open_home(world, QA, "Ev0ROLES006")
    blocks = json.dumps(world.slack.home_view(QA)["blocks"])
    assert "home:loop-server:0.13.0" in blocks and "loop-client" not in blocks


def test_help_says_the_callers_roles_per_service(world: LoopWorld) -> None:
    world.command(CLIENT_QA, "help")
    assert "Your roles: QA for loop-client" in json.dumps(world.last_ephemeral(
        CLIENT_QA).blocks)
    world.command(OPS, "help")
    assert "Your roles: OPS for loop-server; OPS for loop-client" in json.dumps(
        world.last_ephemeral(OPS).blocks)
    world.command(STRANGER, "help")
    assert "Your roles: no role" in json.dumps(world.last_ephemeral(STRANGER).blocks)


def test_the_sandbox_has_loop_clients_own_team(tmp_path: Path) -> None:
    """`loopbot sandbox` with the shipped app.yaml: @dev is refused on loop-client,
    @client-dev tags it, and App Home shows @client-qa loop-client alone."""
    out = play("@dev /loop tag service:loop-client\n"
               "@client-dev /loop tag service:loop-client\n"
               "!click Tag 0.1.0\n"
               "@client-qa !home\n", tmp_path, "--start", "2026-12-01 10:00")
    refused = texts(out, user="@dev")
    assert any("tagging needs the DEV role for loop-client" in t for t in refused), refused
    client_channel = "\n".join(texts(out, channel="C0LOOPCL01"))
    assert "loop-client 0.1.0 tagged" in client_channel
    home = "\n".join(json.dumps(i) for i in out if i.get("sandbox") == "home")
    assert "QA for loop-client" in home and "loop-server releases" not in home, home
