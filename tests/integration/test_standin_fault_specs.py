"""`POST /__sandbox__/faults` over HTTP: a good spec plans the fault, a bad one is answered
400 naming the field and plans nothing (issue 9: a non-JSON body or `{"status": "abc"}`
dropped the connection with a traceback, and `{"bogus": 1}` answered ok)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from bot.sandbox.environments import EnvironmentStandIn


@pytest.fixture
def stage() -> Iterator[EnvironmentStandIn]:
    stand_in = EnvironmentStandIn("stage", version="0.13.0").start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def plan(stand_in: EnvironmentStandIn, body: bytes) -> requests.Response:
    return requests.post(stand_in.url + "/__sandbox__/faults", data=body, timeout=5,
                         headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(("body", "named"), [
    (b"status=500", "the body is not JSON"),
    (b'["status", 500]', "the body must be a JSON object"),
    (b'{"status": "abc"}', "field `status`"),
    (b'{"status": 200}', "field `status`"),
    (b'{"bogus": 1}', "field `bogus`: unknown field"),
    (b'{"status": 500, "count": 0}', "field `count`"),
    (b'{"status": 500, "path": "(unclosed"}', "field `path`: Value error, not a regular"),
    (b'{"latency": "slow"}', "field `latency`"),
    (b'{"count": 3}', "field `count` applies only with `status`"),
    (b"{}", "name a fault"),
])
def test_a_bad_spec_is_refused_naming_the_field(stage: EnvironmentStandIn, body: bytes,
                                                named: str) -> None:
    answer = plan(stage, body)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False
    assert named in answer.json()["error"]
    assert requests.get(stage.url + "/", timeout=5).status_code == 200  # nothing planned


def test_a_good_spec_plans_exactly_that(stage: EnvironmentStandIn) -> None:
    answer = plan(stage, b'{"status": 503, "count": 2, "path": "^/$", "method": "get"}')
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    statuses = [requests.get(stage.url + "/", timeout=5).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert plan(stage, b'{"clear": true}').status_code == 200
