"""The environment stand-in over plain HTTP (requests), as loop-server answers."""

from __future__ import annotations

from pathlib import Path

import requests

from bot.sandbox.environments import EnvironmentStandIn

REV_0_13_2 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"


def get(stand_in: EnvironmentStandIn, path: str) -> requests.Response:
    return requests.get(stand_in.url + path, timeout=5)


def test_root_url_answers_like_loop_server(
    environment_standins: dict[str, EnvironmentStandIn],
) -> None:
    stage = environment_standins["stage"]
    body = get(stage, "/").json()
    assert body["name"] == "mozilla-loop-server"
    assert (body["version"], body["branch"], body["fakeTokBox"]) == ("0.13.1", "0.13.x", True)
    assert set(body) >= {"description", "homepage", "endpoint", "fxaOAuth", "i18n", "rev"}
    assert get(environment_standins["prod"], "/").json()["fakeTokBox"] is False


def test_dockerflow_endpoints(environment_standins: dict[str, EnvironmentStandIn]) -> None:
    prod = environment_standins["prod"]
    version = get(prod, "/__version__").json()
    assert (version["version"], version["commit"]) == (
        "0.13.0", "4f2c1b9e8d7a6f5e4d3c2b1a09f8e7d6c5b4a392")
    assert set(version) == {"source", "version", "commit", "build"}
    assert get(prod, "/__lbheartbeat__").status_code == 200


def test_heartbeat_turns_503_when_a_dependency_is_down(
    environment_standins: dict[str, EnvironmentStandIn],
) -> None:
    prod = environment_standins["prod"]
    assert get(prod, "/__heartbeat__").status_code == 200
    prod.set_healthy(storage=False)
    beat = get(prod, "/__heartbeat__")
    assert beat.status_code == 503
    assert beat.json() == {"storage": False, "provider": True, "message": "storage unavailable"}


def test_hidden_version_is_omitted_from_root_only() -> None:
    with EnvironmentStandIn("prod", version="0.12.3", hide_version=True) as prod:
        assert "version" not in requests.get(prod.url + "/", timeout=5).json()
        assert requests.get(prod.url + "/__version__", timeout=5).json()["version"] == "0.12.3"


def test_deploy_and_health_over_http(environment_standins: dict[str, EnvironmentStandIn]) -> None:
    stage = environment_standins["stage"]
    deployed = requests.post(stage.url + "/__sandbox__/deploy", timeout=5,
                             json={"version": "0.13.2", "rev": REV_0_13_2, "branch": "0.13.x"})
    assert deployed.status_code == 200
    assert (get(stage, "/").json()["version"], stage.state.rev) == ("0.13.2", REV_0_13_2)
    requests.post(stage.url + "/__sandbox__/health", json={"provider": False}, timeout=5)
    assert get(stage, "/__heartbeat__").json()["provider"] is False
    refused = requests.post(stage.url + "/__sandbox__/deploy", json={"rev": "abc"}, timeout=5)
    assert refused.status_code == 400
    assert get(stage, "/").json()["version"] == "0.13.2"


def test_state_persists_in_the_state_dir(tmp_path: Path) -> None:
    with EnvironmentStandIn("stage", version="0.13.1", state_dir=tmp_path) as stage:
        stage.deploy("0.13.2", REV_0_13_2, "0.13.x")
        stage.set_healthy(provider=False)
    with EnvironmentStandIn("stage", version="0.13.1", state_dir=tmp_path) as again:
        assert requests.get(again.url + "/", timeout=5).json()["version"] == "0.13.2"
        assert requests.get(again.url + "/__heartbeat__", timeout=5).status_code == 503
    assert (tmp_path / "environment-stage.json").exists()
