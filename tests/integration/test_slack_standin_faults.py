"""The Slack stand-in's response URLs (via slack_sdk's WebhookClient) and injected faults,
as slack_sdk's own exceptions and retry handlers see them."""

from __future__ import annotations

import time
from http.client import RemoteDisconnected
from urllib.error import URLError

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN, SlackStandIn

LOOP = "C0LOOP0001"


def test_response_url_answers_ephemerally_by_default(slack_standin: SlackStandIn) -> None:
    url = slack_standin.new_response_url(channel="#loop", user="U0QA00001")
    answer = WebhookClient(url).send(text="couldn't read `0.13` as a version")
    assert answer.status_code == 200
    [seen] = slack_standin.ephemerals("U0QA00001")
    assert (seen.channel, seen.via, seen.text) == (
        LOOP, "response_url", "couldn't read `0.13` as a version")
    assert slack_standin.messages() == []


def test_response_url_in_channel_then_replace_original(slack_standin: SlackStandIn) -> None:
    hook = WebhookClient(slack_standin.new_response_url(user="U0DEV0001"))
    hook.send(text="tagging 0.13.4…", response_type="in_channel")
    hook.send(text="tagged 0.13.4", replace_original=True)
    [posted] = slack_standin.messages("#loop")
    assert posted.text == "tagged 0.13.4"
    assert [e["text"] for e in posted.edits] == ["tagging 0.13.4…"]


def test_action_response_url_replaces_then_deletes_the_clicked_message(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    ts = slack_client.chat_postMessage(channel=LOOP, text="Green light for 0.13.5?")["ts"]
    hook = WebhookClient(slack_standin.new_response_url(user="U0QA00001", message_ts=ts))
    hook.send(text="Green light given by <@U0QA00001>", replace_original=True)
    posted = slack_standin.message(LOOP, ts)
    assert posted is not None and posted.text == "Green light given by <@U0QA00001>"
    assert hook.send_dict({"delete_original": True}).status_code == 200
    assert slack_standin.messages(LOOP) == []
    assert slack_standin.messages(LOOP, include_deleted=True)[0].deleted


def test_response_url_refuses_bad_content_and_expires_after_five_uses(
    slack_standin: SlackStandIn,
) -> None:
    hook = WebhookClient(slack_standin.new_response_url(user="U0OPS0001"))
    bad = hook.send(text="x", blocks=[{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}])
    assert (bad.status_code, "invalid_blocks" in bad.body) == (400, True)
    for n in range(4):
        assert hook.send(text=f"step {n}").status_code == 200
    expired = hook.send(text="one too many")
    assert (expired.status_code, "expired_url" in expired.body) == (404, True)
    assert len(slack_standin.ephemerals("U0OPS0001")) == 4


def test_injected_500_surfaces_as_slack_api_error(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.faults.fail_next(500, path="chat.postMessage")
    with pytest.raises(SlackApiError) as error_info:
        slack_client.chat_postMessage(channel=LOOP, text="announce 0.13.6")
    assert error_info.value.response.status_code == 500
    assert error_info.value.response["error"] == "internal_error"
    assert slack_client.chat_postMessage(channel=LOOP, text="announce 0.13.6")["ok"]
    assert [m.text for m in slack_standin.messages()] == ["announce 0.13.6"]


def test_rate_limit_is_slack_shaped(slack_client: WebClient, slack_standin: SlackStandIn) -> None:
    slack_standin.rate_limit(method="chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        slack_client.chat_postMessage(channel=LOOP, text="calendar for 2026-12-08")
    response = caught.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "7"


def test_rate_limit_retry_handler_gets_through(slack_standin: SlackStandIn) -> None:
    client = WebClient(token=SANDBOX_BOT_TOKEN, base_url=slack_standin.api_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    slack_standin.rate_limit(method="chat.postMessage", retry_after=0)
    assert client.chat_postMessage(channel=LOOP, text="reminder: QA window")["ok"]
    assert slack_standin.count("POST", r"chat\.postMessage") == 2


def test_rate_limit_every_second_call_answers_429_with_retry_after(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    requests.post(slack_standin.url + "/__sandbox__/faults", json={"status": 429, "every": 2},
                  timeout=5)
    outcomes = []
    for n in range(4):
        try:
            slack_client.chat_postMessage(channel=LOOP, text=f"QA window, day {n + 1}")
            outcomes.append("ok")
        except SlackApiError as exc:
            assert exc.response.headers["Retry-After"] == "1"
            outcomes.append(exc.response["error"])
    assert outcomes == ["ok", "ratelimited", "ok", "ratelimited"]
    assert [m.text for m in slack_standin.messages("#loop")] == ["QA window, day 1",
                                                                 "QA window, day 3"]


def test_dropped_connections_surface_after_the_default_retry(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.faults.drop_next(2)  # slack_sdk retries a connection error once
    with pytest.raises((URLError, RemoteDisconnected, ConnectionError)):
        slack_client.chat_postMessage(channel=LOOP, text="tagged 0.13.7")
    assert slack_standin.messages() == []


def test_latency_beyond_the_client_timeout_raises(slack_standin: SlackStandIn) -> None:
    client = WebClient(token=SANDBOX_BOT_TOKEN, base_url=slack_standin.api_url, timeout=1)
    client.retry_handlers = []
    slack_standin.faults.latency = 1.6
    started = time.monotonic()
    with pytest.raises((TimeoutError, URLError)):
        client.auth_test()
    assert time.monotonic() - started < 1.5
