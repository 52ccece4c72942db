"""Independent partner calls go out together (issue 11), seen from the stand-ins: with
every partner slow, the requests a step does not chain arrive within one partner latency
of each other (in a serial read each would arrive a whole latency after the one before).
And 12 commands reading the environments at once never overflow a connection pool."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.domain.actions import Action
from bot.domain.version import ReleaseLabel, Version
from bot.sandbox.server import LoggedRequest, StandIn
from bot.usecases.queries import environments
from bot.usecases.release import advance, check_step
from bot.usecases.tagging import preview_tag, tag_release
from tests.fixtures.world import DEV, OPS, QA, World

LATENCY = 0.6  # every request waits this long: a serial chain of n takes n x LATENCY


def slow(*stand_ins: StandIn) -> None:
    for stand_in in stand_ins:
        stand_in.faults.latency = LATENCY
        stand_in.reset_log()


def arrivals(*stand_ins: StandIn) -> list[LoggedRequest]:
    return sorted((r for s in stand_ins for r in s.requests), key=lambda r: r.received)


def spread(requests: list[LoggedRequest]) -> float:
    return requests[-1].received - requests[0].received


def service_environments(world: World) -> list[StandIn]:
    names = world.ctx.settings.service().environments
    return [world.sandbox.environment(world.service, name) for name in names]


def test_envs_reads_every_root_and_heartbeat_at_once(world: World) -> None:
    envs = service_environments(world)
    slow(*envs)
    states = environments(world.ctx, world.ctx.settings.service())
    seen = arrivals(*envs)
    assert [s.name for s in states] == list(world.ctx.settings.service().environments)
    assert all(s.reachable and s.version for s in states)
    assert sorted(r.path for r in seen) == sorted(["/", "/__heartbeat__"] * len(envs))
    assert spread(seen) < LATENCY / 2, [(r.path, r.received) for r in seen]


def test_tag_preview_reads_tags_and_branch_heads_together(world: World) -> None:
    github, bugzilla = world.sandbox.github, world.sandbox.bugzilla
    world.land("Bug 1100203 — rooms keep their participants on reconnect")
    slow(github, bugzilla)
    preview = preview_tag(world.ctx, world.ctx.service(), DEV, version=Version.parse("0.13.0"))
    assert preview.version == "0.13.0"
    first_wave = [r for r in arrivals(github) if r.path.endswith("/tags")
                  or "/git/ref/heads/" in r.path]
    assert {r.path.rsplit("/", 1)[-1] for r in first_wave} >= {"tags", "master", "0.13.x"}
    assert spread(first_wave) < LATENCY / 2, [(r.path, r.received) for r in first_wave]
    # the chain is three waits: the first wave, one comparison, one Bugzilla read
    compare = [r for r in arrivals(github) if "/compare/" in r.path]
    bugs = arrivals(bugzilla)
    assert len(compare) == 1 and [r.path for r in bugs][-1] == "/rest/bug"
    assert compare[0].received - first_wave[0].received >= LATENCY * 0.9
    assert bugs[-1].received - compare[0].received >= LATENCY * 0.9


def test_a_steps_ticket_and_environment_reads_go_out_together(world: World) -> None:
    world.land("Bug 1100204 — the hawk session survives a token refresh")
    ports = world.ctx.service()
    tag_release(world.ctx, ports, DEV, preview_tag(world.ctx, ports, DEV).plan.version)
    advance(world.ctx, world.ctx.service(), Action.REQUEST_STAGE, ReleaseLabel.parse("0.13.0"), QA)
    world.deploy("stage", "0.13.0")
    stage = world.sandbox.environment(world.service, "stage")
    bugzilla = world.sandbox.bugzilla
    slow(stage, bugzilla)
    check_step(world.ctx, world.ctx.service(),
               Action.DEPLOYED_STAGE, ReleaseLabel.parse("0.13.0"), OPS)
    seen = arrivals(stage, bugzilla)
    assert {r.path for r in seen} >= {"/", "/__heartbeat__"}
    assert any(r.path.startswith("/rest/bug/") for r in seen)
    assert spread(seen) < LATENCY / 2, [(r.path, r.received) for r in seen]


def test_twelve_commands_reading_environments_at_once_keep_every_connection(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    envs = service_environments(world)
    for stand_in in envs:
        stand_in.faults.latency = 0.3  # so the twelve reads overlap
    start = threading.Barrier(12)
    results: list[int] = []

    def command() -> None:
        start.wait()
        config = world.ctx.settings.service()
        results.append(sum(s.reachable for s in environments(world.ctx, config)))

    with caplog.at_level(logging.WARNING, logger="urllib3"):
        threads = [threading.Thread(target=command) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert results == [len(envs)] * 12
    full = [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()]
    assert full == []
