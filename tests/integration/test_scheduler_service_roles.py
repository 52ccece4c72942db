"""The scheduler mentions the people of the release's service: loop-client names its own
QA, so its late-step reminder mentions them and not loop-server's QA (real Slack client
against the stand-in, the scheduler's own jobs)."""

from __future__ import annotations

import pytest

from bot.config.settings import Settings
from bot.domain.actions import Action, Actor, Role
from bot.domain.version import ReleaseLabel, Version
from bot.messages.blocks import role_mentions
from bot.usecases.release import advance
from bot.usecases.tagging import tag_release
from tests.fixtures.scheduler import Rehearsal
from tests.fixtures.world import OPS

CLIENT = "loop-client"
CLIENT_DEV = Actor("U0CLDEV01", frozenset(), "client-dev", {CLIENT: frozenset({Role.DEV})})


@pytest.fixture
def settings(settings: Settings) -> Settings:
    server, client = settings.services
    own = client.model_copy(update={"roles": {"DEV": ("U0CLDEV01",), "QA": ("U0CLQA001",)}})
    return settings.model_copy(update={"services": (server, own)})


def test_a_late_step_of_loop_client_mentions_loop_clients_qa(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.at("2026-12-08 09:40")
    tag_release(r.ctx, r.ctx.service(CLIENT), CLIENT_DEV, Version.parse("0.1.0"))
    advance(r.ctx, r.ctx.service(CLIENT),
            Action.REQUEST_STAGE, ReleaseLabel.parse("0.1.0"), CLIENT_DEV)
    r.sandbox.environment(CLIENT, "stage").deploy("0.1.0", "c" * 40)
    advance(r.ctx, r.ctx.service(CLIENT), Action.DEPLOYED_STAGE, ReleaseLabel.parse("0.1.0"), OPS)
    late = [p for p in r.run("2026-12-11 10:00") if " is late: " in p]
    assert len(late) == 1 and late[0].startswith("loop-client 0.1.0 is late: QA was to verify")
    assert late[0].endswith("<@U0CLQA001>") and "<@U0QA00001>" not in late[0]


def test_the_chat_mentions_a_services_people_and_the_top_level_ones_elsewhere(
    rehearsal: Rehearsal
) -> None:
    def mention(*roles: str, service: str | None = None) -> str:
        return role_mentions(rehearsal.settings, *roles, service=service)

    assert mention("QA", service=CLIENT) == "<@U0CLQA001>"
    assert mention("QA", "OPS", service=CLIENT) == "<@U0CLQA001> " + mention("OPS")
    assert mention("QA", service="loop-server") == mention("QA")
    assert "<@U0CLQA001>" not in mention("QA")
