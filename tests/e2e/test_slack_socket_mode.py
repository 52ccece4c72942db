"""Socket Mode: the same app reached through slack_sdk's Socket Mode client, against a
local WebSocket server (the `websockets` package) standing in for Slack's. The client
finds it through apps.connections.open on the Slack stand-in, as it would find Slack's."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode import SocketModeHandler
from websockets.sync.server import ServerConnection, serve

from bot.config.settings import Settings
from bot.domain.release import State
from bot.entrypoints import socket_mode
from bot.entrypoints.app import LoopApp, create_app
from bot.entrypoints.production import run
from bot.entrypoints.wiring import build_context
from bot.sandbox.slack.api import SANDBOX_APP_TOKEN
from bot.sandbox.world import Sandbox
from tests.fixtures.app import OPS, ROLES, LoopWorld, start_world
from tests.fixtures.sandbox import start_sandbox
from tests.fixtures.store import migrated_sqlite_url


def _envelope(world_slack: Any, text: str) -> dict[str, Any]:
    return {
        "envelope_id": "5e1d0c8a-socket-0001", "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "deprecated", "team_id": "T0LOOP0001", "team_domain": "loop",
            "channel_id": "C0LOOP0001", "channel_name": "loop", "user_id": OPS,
            "user_name": "ops", "command": "/loop", "text": text, "api_app_id": "A0LOOPBOT1",
            "is_enterprise_install": "false",
            "response_url": world_slack.new_response_url("C0LOOP0001", OPS),
            "trigger_id": "1765180800.socket.0001",
        },
    }


def _connected(world: LoopWorld, sandbox: Sandbox) -> tuple[LoopApp, SocketModeHandler]:
    """The bot in Socket Mode on the world's store, connected to the socket server."""
    secrets = world.settings.secrets.model_copy(update={
        "slack_app_token": SecretStr(SANDBOX_APP_TOKEN), "slack_signing_secret": None})
    socket_settings = world.settings.model_copy(update={"secrets": secrets, "roles": ROLES})
    app = create_app(socket_settings, socket_mode=True, slack_api_url=sandbox.slack.api_url,
                     ctx=build_context(socket_settings, store=world.app.ctx.store))
    handler = SocketModeHandler(app.bolt, SANDBOX_APP_TOKEN)
    handler.connect()
    return app, handler


@pytest.fixture
def socket_server() -> Iterator[tuple[str, queue.Queue[Any], list[dict[str, Any]]]]:
    received: queue.Queue[Any] = queue.Queue()
    outbox: list[dict[str, Any]] = []

    def handler(ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0LOOPBOT1"}}))
        for envelope in outbox:
            ws.send(json.dumps(envelope))
        for message in ws:
            received.put(json.loads(message))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        yield f"ws://127.0.0.1:{port}/link/?ticket=sandbox", received, outbox
        server.shutdown()


@dataclass
class SocketSession:
    """The world's bot, its HTTP server stopped, reached over Socket Mode instead."""

    sandbox: Sandbox
    world: LoopWorld
    received: queue.Queue[Any]
    outbox: list[dict[str, Any]]

    def play(self, *envelopes: dict[str, Any]) -> set[str]:
        """Connect, let the socket server send `envelopes`, wait for the bot to ack each
        and finish its work, disconnect; the envelope ids acknowledged."""
        self.outbox.extend(envelopes)
        app, handler = _connected(self.world, self.sandbox)
        try:
            acks = {self.received.get(timeout=10)["envelope_id"] for _ in envelopes}
            assert app.drain(30)
        finally:
            socket_mode.close(handler)
            app.close()
        return acks


@pytest.fixture
def socket_world(
    settings: Settings, tmp_path: Path,
    socket_server: tuple[str, queue.Queue[Any], list[dict[str, Any]]],
) -> Iterator[SocketSession]:
    url, received, outbox = socket_server
    sandbox, world = start_world(settings, tmp_path)
    world.server.stop()
    world.app.close()
    try:
        sandbox.slack.open_socket_mode(url)
        yield SocketSession(sandbox, world, received, outbox)
    finally:
        world.app.ctx.store.dispose()
        sandbox.stop()


def test_a_slash_command_over_socket_mode_is_acked_and_answered(
    socket_world: SocketSession,
) -> None:
    sandbox, world = socket_world.sandbox, socket_world.world
    acks = socket_world.play(_envelope(sandbox.slack, 'change "Raise the worker count to 16"'))
    assert acks == {"5e1d0c8a-socket-0001"}
    posted = sandbox.slack.messages("#loop")[-1]
    assert "change-1" in posted.text and "Raise the worker count to 16" in posted.text
    assert [c.ok for c in sandbox.slack.calls("apps.connections.open")] == [True]
    assert world.release("change-1").state is State.TAGGED


def test_a_malformed_socket_mode_payload_is_acknowledged_and_reaches_no_listener(
    socket_world: SocketSession, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="loopbot")
    sandbox, world = socket_world.sandbox, socket_world.world
    malformed = _envelope(sandbox.slack, "status")
    malformed["envelope_id"] = "5e1d0c8a-socket-bad1"
    malformed["payload"]["text"] = ["status", {"nested": True}]  # not text
    acks = socket_world.play(malformed, _envelope(sandbox.slack, 'change "Raise the workers"'))
    assert acks == {"5e1d0c8a-socket-bad1", "5e1d0c8a-socket-0001"}
    # `change` posts in the channel; the malformed `status` was answered nowhere
    assert [c for c in sandbox.slack.calls() if c.method == "response_url"] == []
    assert world.release("change-1").state is State.TAGGED
    assert "refused a malformed Socket Mode payload" in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("loopbot")
                and (r.exc_info or r.levelno >= logging.ERROR)]


def test_a_socket_mode_command_from_another_workspace_is_acknowledged_and_ignored(
    socket_world: SocketSession, caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 18: the workspace check holds over Socket Mode too (acked: Slack would only
    send it again); the bot's own workspace is still served on the same connection."""
    caplog.set_level(logging.INFO, logger="loopbot")
    sandbox, world = socket_world.sandbox, socket_world.world
    evil = _envelope(sandbox.slack, 'change "Evil change"')
    evil["envelope_id"] = "5e1d0c8a-socket-evil"
    evil["payload"]["team_id"] = "T0EVIL0001"
    acks = socket_world.play(evil, _envelope(sandbox.slack, 'change "Raise the workers"'))
    assert acks == {"5e1d0c8a-socket-evil", "5e1d0c8a-socket-0001"}
    posted = [m.text for m in sandbox.slack.messages("#loop")]
    assert not [t for t in posted if "Evil change" in t]
    assert world.release("change-1").state is State.TAGGED
    assert caplog.text.count("refused a request from workspace") == 1


def test_loopbot_run_in_socket_mode_serves_a_command_then_stops_cleanly(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    socket_server: tuple[str, queue.Queue[Any], list[dict[str, Any]]],
) -> None:
    """`loopbot run --socket-mode` as it runs for real (bot/entrypoints/production.py):
    its stop closes the Socket Mode connection (bot/entrypoints/socket_mode.py) and ends."""
    caplog.set_level(logging.INFO, logger="loopbot")
    url, received, outbox = socket_server
    with start_sandbox(settings, tmp_path / "sandbox") as sandbox:
        sandbox.slack.open_socket_mode(url)
        pointed = sandbox.settings(settings, migrated_sqlite_url(tmp_path / "bot.db"))
        secrets = pointed.secrets.model_copy(update={
            "slack_app_token": SecretStr(SANDBOX_APP_TOKEN), "slack_signing_secret": None})
        outbox.append(_envelope(sandbox.slack, 'change "Raise the worker count to 16"'))
        stop = threading.Event()
        serving = threading.Thread(target=run, kwargs={
            "settings": pointed.model_copy(update={"secrets": secrets, "roles": ROLES}),
            "socket_mode": True, "port": 0, "stop": stop})
        serving.start()
        try:
            assert received.get(timeout=30)["envelope_id"] == "5e1d0c8a-socket-0001"
            deadline = time.monotonic() + 30
            while not sandbox.slack.messages("#loop") and time.monotonic() < deadline:
                time.sleep(0.02)  # the command's work, after its ack
        finally:
            stop.set()
            serving.join(timeout=30)
        assert not serving.is_alive()
        assert "Raise the worker count to 16" in sandbox.slack.messages("#loop")[-1].text
    said = [r.getMessage() for r in caplog.records if r.name == "loopbot.run"]
    assert any(m.startswith("connected to Slack in Socket Mode") for m in said), said
    assert said[-1] == "stopped", said
    assert not [r for r in caplog.records if r.name.startswith("loopbot")
                and (r.exc_info or r.levelno >= logging.ERROR)]
