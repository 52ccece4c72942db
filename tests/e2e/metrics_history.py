"""A few cycles of loop-server's life, played through signed Slack requests on a manual
clock, for the metrics' tests: commits landed at known times, 0.13.0 pushed, 0.14.0
rejected on stage, 0.14.1 pushed, then patched by 0.14.2 for a prod bug (1096605,
reported at 15:00 UTC on the day of the push)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from bot.clock import ManualClock
from bot.config.settings import load_settings
from bot.sandbox.github.gitrepo import Signature
from tests.fixtures.app import DEV, OPS, QA, LoopWorld, start_world, stop_world
from tests.fixtures.standins import REPO_ROOT, without_opt_ins

UTC = dt.UTC


def at(world: LoopWorld, moment: str) -> dt.datetime:
    clock = world.app.ctx.clock
    assert isinstance(clock, ManualClock)
    when = dt.datetime.fromisoformat(moment).replace(tzinfo=UTC)
    clock.set(when)
    return when


def land(world: LoopWorld, moment: str, *titles: str, branch: str = "master") -> list[str]:
    """DEV lands commits on `branch`, dated `moment` (a minute apart)."""
    when = dt.datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return world.sandbox.github.commit_many(
        "mozilla-services", "loop-server", branch,
        [(t, {f"loop/{t.split()[1]}.js": f"// {t}\n"}) for t in titles],
        author=Signature("Dev", "dev@example.com", int(when.timestamp())))


def to_stage(world: LoopWorld, version: str, deployed: str) -> None:
    world.command(DEV, f"request stage {version}")
    world.deploy("stage", version)
    at(world, deployed)
    world.command(OPS, f"deployed stage {version}")


def to_prod(world: LoopWorld, version: str, verified: str, pushed: str) -> None:
    at(world, verified)
    world.command(QA, f"verify stage {version}")
    world.command(QA, f"greenlight prod {version}")
    world.click(QA, world.last_ephemeral(QA), "Greenlight")
    at(world, pushed)
    world.deploy("prod", version)
    world.command(OPS, f"deployed prod {version}")


def play(world: LoopWorld) -> None:
    land(world, "2026-11-27T10:00", "Bug 1096601 — Keep the room's name")
    world.tag("0.13.0")  # Tue 2026-12-01 09:00
    to_stage(world, "0.13.0", "2026-12-01T13:00")
    to_prod(world, "0.13.0", "2026-12-03T09:00", "2026-12-07T09:00")

    land(world, "2026-12-09T10:00", "Bug 1096603 — Count the rooms per user")
    at(world, "2026-12-15T09:00")
    world.tag("0.14.0")
    to_stage(world, "0.14.0", "2026-12-15T12:00")
    at(world, "2026-12-16T10:00")
    world.command(QA, "reject stage 0.14.0 counting the rooms answers 500")
    land(world, "2026-12-16T11:00", "Bug 1096604 — Count the rooms without a 500")
    at(world, "2026-12-16T14:00")
    world.tag("0.14.1")
    to_stage(world, "0.14.1", "2026-12-16T16:00")
    to_prod(world, "0.14.1", "2026-12-18T09:00", "2026-12-21T09:00")

    world.sandbox.bugzilla.add_bug(  # reported in prod the afternoon after the push
        "Hawk sessions expire after an hour in prod", "RESOLVED", "FIXED", id=1096605,
        creation_time=dt.datetime(2026, 12, 21, 15, 0, tzinfo=UTC))
    fix = land(world, "2026-12-22T10:00", "Bug 1096605 — Keep Hawk sessions for 30 days")
    at(world, "2026-12-22T11:00")
    world.command(DEV, f"backport {fix[0][:12]} to 0.14")
    world.command(DEV, "tag on 0.14")
    world.click(DEV, world.last_ephemeral(DEV), "Tag 0.14.2")
    to_stage(world, "0.14.2", "2026-12-22T13:00")
    to_prod(world, "0.14.2", "2026-12-22T16:00", "2026-12-23T09:00")


def played_world(root: Path) -> Iterator[LoopWorld]:
    """A world (as `loop_world`) that has played the history, its clock on 2026-12-28 09:00.
    For a module's tests that only read it: the board servers they start keep their own
    caches, so none of them sees what another one read."""
    base = without_opt_ins(load_settings(REPO_ROOT / "app.yaml", environ={}))
    sandbox, world = start_world(base, root)
    try:
        play(world)
        at(world, "2026-12-28T09:00")
        yield world
    finally:
        stop_world(sandbox, world)
