"""`GET /__sandbox__/activity` on a stand-in: the partner requests it received and is still
answering, and the writes among them: what `loopbot sandbox chat --url` watches to know
that the bot is at work."""

from __future__ import annotations

import threading

import requests

from bot.sandbox.environments import EnvironmentStandIn


def activity(stand_in: EnvironmentStandIn) -> dict[str, int]:
    return dict(requests.get(f"{stand_in.url}/__sandbox__/activity", timeout=5).json())


def test_activity_counts_partner_requests_and_those_being_answered(
    environment_standins: dict[str, EnvironmentStandIn],
) -> None:
    stage = environment_standins["stage"]
    before, writes = activity(stage)["received"], activity(stage)["writes"]
    requests.get(stage.url + "/__heartbeat__", timeout=5)
    assert activity(stage) == {"received": before + 1, "busy": 0, "writes": writes}

    stage.faults.latency = 1.0  # a slow answer is the bot still at work
    slow = threading.Thread(target=requests.get, args=(stage.url + "/",), kwargs={"timeout": 5})
    slow.start()
    try:
        seen = next(found for found in (activity(stage) for _ in range(1000))
                    if found["received"] == before + 2)  # once the slow request came
        assert seen == {"received": before + 2, "busy": 1, "writes": writes}
    finally:
        slow.join()
    assert activity(stage) == {"received": before + 2, "busy": 0, "writes": writes}
    stage.faults.latency = 0
    requests.post(f"{stage.url}/__sandbox__/deploy", timeout=5,  # a control call: not counted
                  json={"version": "0.12.2", "rev": "0" * 40, "branch": "0.12.2"})
    requests.post(stage.url + "/", timeout=5)  # a write, whatever the answer
    assert activity(stage) == {"received": before + 3, "busy": 0, "writes": writes + 1}
