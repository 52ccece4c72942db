"""Late-step reminders follow the pipeline (issue 19): with examples/real-stage.yaml, a
release waiting on real-stage is reminded like one waiting on stage, naming real-stage
and its ticket, and mentioning only that step's owners."""

from __future__ import annotations

import pytest

from bot.config.settings import Settings, load_settings
from bot.domain.actions import Action
from bot.domain.release import State
from tests.fixtures.scheduler import SERVICE, Rehearsal
from tests.fixtures.standins import REPO_ROOT, without_opt_ins
from tests.fixtures.world import DEV, OPS, QA

OPS_MENTION = "<@U0OPS0001>"


@pytest.fixture
def settings() -> Settings:
    example = load_settings(REPO_ROOT / "examples" / "real-stage.yaml", environ={})
    plain = without_opt_ins(example)
    server, *others = plain.services
    environments = dict(server.environments)
    environments["stage"] = environments["stage"].model_copy(update={"gates": ()})
    server = server.model_copy(update={"environments": environments})
    return plain.model_copy(update={"services": (server, *others)})


def test_a_release_waiting_on_real_stage_is_reminded_to_ops(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.at("2026-12-08 09:40")
    r.tag(DEV, "0.13.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.13.0")
    r.deploy("stage", "0.13.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    r.step(QA, Action.VERIFY_STAGE, "0.13.0")
    with r.ctx.store.unit_of_work() as uow:
        release = uow.releases.get(SERVICE, "0.13.0")
    assert release is not None and release.state is State("real-stage-requested")
    ticket = release.ticket("real-stage")
    assert ticket is not None
    late = [p for p in r.run("2026-12-09 10:00") if " is late: " in p]
    assert late == [
        f"loop-server 0.13.0 is late: OPS was to deploy it to real-stage (real-stage bug "
        f"{ticket.bug_id}) by Wed 2026-12-09. Next: OPS: deploy 0.13.0 to real-stage, then "
        f"`/loop deployed real-stage 0.13.0` {OPS_MENTION}"]
