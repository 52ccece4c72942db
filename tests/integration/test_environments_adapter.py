"""HttpEnvironments (requests) against the environment stand-ins: what runs, and every way
an environment can fail to say so."""

from __future__ import annotations

import time

import pytest

from bot.partners.environments import HttpEnvironments
from bot.sandbox.environments import EnvironmentStandIn
from bot.sandbox.routes import Request, Response, route
from bot.sandbox.server import StandIn


class StaticSite(StandIn):
    """A root URL that serves an HTML page, as a misrouted load balancer would."""

    @route("GET", r"/")
    def _page(self, request: Request) -> Response:
        return Response(200, "<html><body>It works!</body></html>",
                        {"Content-Type": "text/html"})


def test_reads_what_each_environment_runs(
    environments: HttpEnvironments, environment_standins: dict[str, EnvironmentStandIn]
) -> None:
    states = {n: environments.read(n, s.url) for n, s in environment_standins.items()}
    assert {n: s.version for n, s in states.items()} == {
        "dev": "0.14.0", "stage": "0.13.1", "prod": "0.13.0"}
    stage = states["stage"]
    assert (stage.reachable, stage.healthy, stage.fake_partner, stage.branch) == (
        True, True, True, "0.13.x")
    assert stage.rev == "b7e4a2f19c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"
    assert states["prod"].fake_partner is False and states["prod"].error is None


def test_a_new_deploy_is_seen_on_the_next_read(
    environments: HttpEnvironments, environment_standins: dict[str, EnvironmentStandIn]
) -> None:
    prod = environment_standins["prod"]
    prod.deploy("0.13.1", "b7e4a2f19c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f", "0.13.x")
    assert environments.read("prod", prod.url + "/").version == "0.13.1"


def test_heartbeat_503_means_unhealthy_but_reachable(
    environments: HttpEnvironments, environment_standins: dict[str, EnvironmentStandIn]
) -> None:
    prod = environment_standins["prod"]
    prod.set_healthy(provider=False)
    state = environments.read("prod", prod.url)
    assert (state.reachable, state.healthy, state.version) == (True, False, "0.13.0")
    assert state.details["heartbeat"] == {
        "storage": True, "provider": False, "message": "provider unavailable"}


def test_without_heartbeat_only_what_runs_is_read(
    environments: HttpEnvironments, environment_standins: dict[str, EnvironmentStandIn]
) -> None:
    prod = environment_standins["prod"]
    prod.set_healthy(provider=False)
    before = prod.count("GET", r"^/__heartbeat__")
    state = environments.read("prod", prod.url, heartbeat=False)
    assert (state.reachable, state.healthy, state.version) == (True, None, "0.13.0")
    assert prod.count("GET", r"^/__heartbeat__") == before


def test_hidden_version_falls_back_to_dockerflow(environments: HttpEnvironments) -> None:
    rev = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
    with EnvironmentStandIn("prod", version="0.12.3", rev=rev, hide_version=True) as prod:
        state = environments.read("prod", prod.url)
    assert (state.version, state.rev, state.reachable) == ("0.12.3", rev, True)


def test_down_environment_is_unreachable_with_the_reason(environments: HttpEnvironments) -> None:
    with EnvironmentStandIn("stage") as gone:
        url = gone.url
    state = environments.read("stage", url)
    assert (state.reachable, state.version, state.healthy) == (False, None, None)
    assert state.error == f"stage ({url}): connection refused"


def test_slow_environment_times_out_within_the_timeout(
    environment_standins: dict[str, EnvironmentStandIn],
) -> None:
    stage = environment_standins["stage"]
    stage.faults.latency = 1.0
    started = time.monotonic()
    state = HttpEnvironments(timeout=0.2).read("stage", stage.url)
    assert time.monotonic() - started < 0.9
    assert state.error == f"stage ({stage.url}): timed out after 0.2 s"
    assert not state.reachable


@pytest.mark.parametrize("status", [500, 502])
def test_server_error_is_named(
    status: int, environments: HttpEnvironments,
    environment_standins: dict[str, EnvironmentStandIn],
) -> None:
    dev = environment_standins["dev"]
    dev.faults.fail_next(status, path="^/$")
    state = environments.read("dev", dev.url)
    assert (state.reachable, state.error) == (False, f"dev ({dev.url}): answered {status}")
    assert environments.read("dev", dev.url).version == "0.14.0"


def test_non_json_root_is_named(environments: HttpEnvironments) -> None:
    with StaticSite() as site:
        state = environments.read("stage", site.url)
    assert state.error == f"stage ({site.url}): answered something that is not JSON"


def test_dropped_connection_is_named(
    environments: HttpEnvironments, environment_standins: dict[str, EnvironmentStandIn]
) -> None:
    dev = environment_standins["dev"]
    dev.faults.drop_next(1)
    state = environments.read("dev", dev.url)
    assert state.error == f"dev ({dev.url}): closed the connection without answering"


def test_heartbeat_failure_alone_keeps_the_version(
    environments: HttpEnvironments, environment_standins: dict[str, EnvironmentStandIn]
) -> None:
    stage = environment_standins["stage"]
    stage.faults.fail_next(500, path="__heartbeat__")
    state = environments.read("stage", stage.url)
    assert (state.reachable, state.version, state.healthy) == (True, "0.13.1", False)


def test_credentials_in_a_url_never_reach_the_error(environments: HttpEnvironments) -> None:
    with EnvironmentStandIn("prod") as gone:
        port = gone.port
    state = environments.read("prod", f"http://deployer:s3cr3t-pw@127.0.0.1:{port}")
    assert state.error == f"prod (http://127.0.0.1:{port}): connection refused"
    assert "s3cr3t" not in repr(state)
