"""The scheduler's voice: `Chat` over slack_sdk's WebClient against the Slack stand-in.
Posts land in the configured channel and can be updated; Slack's
errors become PartnerError naming the method and Slack's code, never the token."""

from __future__ import annotations

import pytest

from bot.config.settings import ConfigError, Settings, load_settings
from bot.partners.slack import Chat
from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN, SlackStandIn
from bot.usecases.ports import PartnerError
from tests.fixtures.standins import REPO_ROOT

ROLES = {"DEV": ("U0DEV0001", "S0DEVS0001"), "OPS": ("U0OPS0001",),
         "QA": ("U0QA00001",), "emergency": ("U0LEAD001", "U0OPS0001")}


def chat_on(stand_in: SlackStandIn, channel: str = "#loop",
            token: str = SANDBOX_BOT_TOKEN) -> Chat:
    settings = load_settings(REPO_ROOT / "app.yaml", environ={"SLACK_BOT_TOKEN": token},
                             overrides={"slack": {"channel": channel}, "roles": ROLES})
    return Chat.from_settings(settings, base_url=stand_in.api_url, timeout=5)


def test_post_lands_in_the_channel_and_can_be_updated(slack_standin: SlackStandIn) -> None:
    chat = chat_on(slack_standin)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*0.13.0* is tagged"}}]
    posted = chat.post("0.13.0 is tagged", blocks)
    assert posted.channel == "C0LOOP0001"
    chat.update(posted, "0.13.0 is tagged and announced")
    [message] = slack_standin.messages("#loop")
    assert (message.ts, message.text) == (posted.ts, "0.13.0 is tagged and announced")
    assert message.edits[0]["blocks"] == blocks


def test_slack_errors_name_the_method_and_code_never_the_token(
    slack_standin: SlackStandIn,
) -> None:
    with pytest.raises(PartnerError) as missing:
        chat_on(slack_standin, channel="#no-such-channel").post("hello")
    assert str(missing.value) == "Slack: chat.postMessage failed: channel_not_found"
    bad_token = "xoxb-not-the-sandbox-token-4242"
    with pytest.raises(PartnerError) as refused:
        chat_on(slack_standin, token=bad_token).post("hello")
    assert str(refused.value) == "Slack: chat.postMessage failed: invalid_auth"
    assert bad_token not in str(refused.value)


def test_a_server_error_is_not_retried_so_nothing_is_posted_twice(
    slack_standin: SlackStandIn,
) -> None:
    slack_standin.faults.lose_next(1, path="chat.postMessage", status=500)
    with pytest.raises(PartnerError) as failed:
        chat_on(slack_standin).post("posted once")
    assert str(failed.value) == "Slack: chat.postMessage failed: internal_error"
    assert [m.text for m in slack_standin.messages("#loop")] == ["posted once"]


def test_a_rate_limit_is_waited_out_once(slack_standin: SlackStandIn) -> None:
    slack_standin.rate_limit(1, method="chat.postMessage", retry_after=0)
    chat_on(slack_standin).post("after the rate limit")
    assert [m.text for m in slack_standin.messages("#loop")] == ["after the rate limit"]


def test_no_chat_without_a_bot_token(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        Chat.from_settings(settings)


def test_an_unreachable_slack_is_a_partner_error(slack_standin: SlackStandIn) -> None:
    chat = chat_on(slack_standin)
    slack_standin.faults.drop_next(5)
    with pytest.raises(PartnerError, match=r"^Slack: chat.postMessage failed"):
        chat.post("into the void")
