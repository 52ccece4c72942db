"""slack_sdk's WebClient, WebhookClient and slack_bolt's App against the Slack stand-in."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN, SlackStandIn

LOOP = "C0LOOP0001"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(action_id: str, text: str = "Verify", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "value": "0.13.1",
            "text": {"type": "plain_text", "text": text}, **extra}


def release_blocks(version: str) -> list[dict[str, Any]]:
    """Blocks shaped like the bot's release card."""
    return [
        {"type": "header", "text": {"type": "plain_text", "text": f"loop-server {version}"}},
        section(f"*Stage*: bug 1094662 RESOLVED FIXED, deployed `{version}`"),
        {"type": "divider"},
        {"type": "actions", "block_id": f"release-{version}", "elements": [
            button("verify_stage"),
            button("reject_stage", "Reject", style="danger", confirm={
                "title": {"type": "plain_text", "text": "Reject this build?"},
                "text": {"type": "mrkdwn", "text": f"Stage goes back to DEV for {version}."},
                "confirm": {"type": "plain_text", "text": "Reject"},
                "deny": {"type": "plain_text", "text": "Cancel"},
            }),
        ]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "filed by <@U0QA00001>"}]},
    ]


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def test_auth_test_names_the_bot(slack_client: WebClient) -> None:
    answer = slack_client.auth_test()
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == (
        "U0BOT0001", "B0BOT0001", "T0LOOP0001")
    assert answer["url"].startswith("https://")


def test_bolt_app_verifies_its_token_against_the_standin(slack_standin: SlackStandIn) -> None:
    # Given a client, Bolt ignores token=: the token travels on the WebClient.
    client = WebClient(token=SANDBOX_BOT_TOKEN, base_url=slack_standin.api_url)
    App(token=SANDBOX_BOT_TOKEN, signing_secret="0f1e2d3c4b5a", client=client)
    assert [c.ok for c in slack_standin.calls("auth.test")] == [True]
    revoked = WebClient(token="xoxb-revoked-1234", base_url=slack_standin.api_url)
    with pytest.raises(BoltError, match="invalid_auth"):
        App(signing_secret="0f1e2d3c4b5a", client=revoked)


def test_unknown_token_is_invalid_auth_and_missing_is_not_authed(
    slack_standin: SlackStandIn,
) -> None:
    bad = WebClient(token="xoxb-not-ours-5678", base_url=slack_standin.api_url)
    error = api_error(lambda: bad.chat_postMessage(channel=LOOP, text="hello"))
    assert (error.response.status_code, error.response["error"]) == (200, "invalid_auth")
    anonymous = WebClient(base_url=slack_standin.api_url)
    assert api_error(anonymous.auth_test).response["error"] == "not_authed"
    assert slack_standin.messages() == []
    assert "xoxb-not-ours-5678" not in repr(slack_standin.calls())


def test_post_message_is_stored_with_its_ts(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    answer = slack_client.chat_postMessage(
        channel="#loop", text="Tagged 0.13.1", blocks=release_blocks("0.13.1"))
    assert answer["channel"] == LOOP
    assert answer["message"]["text"] == "Tagged 0.13.1"
    assert answer["message"]["bot_id"] == "B0BOT0001"
    [stored] = slack_standin.messages(LOOP)
    assert (stored.ts, stored.text, stored.blocks) == (
        answer["ts"], "Tagged 0.13.1", release_blocks("0.13.1"))
    assert slack_standin.messages("#general") == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_errors(slack_client: WebClient) -> None:
    lost = api_error(lambda: slack_client.chat_postMessage(channel="#lopo", text="x"))
    assert lost.response["error"] == "channel_not_found"
    empty = api_error(lambda: slack_client.chat_postMessage(channel=LOOP, text=""))
    assert empty.response["error"] == "no_text"


def test_form_encoded_blocks_are_read_like_json(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    blocks = [section("Prod runs *0.12.3*")]
    slack_client.api_call("chat.postMessage", params={
        "channel": LOOP, "text": "prod is 0.12.3", "blocks": json.dumps(blocks)})
    assert slack_standin.messages()[0].blocks == blocks


def too_many_elements() -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": [button(f"b{i}") for i in range(26)]}]


INVALID = {
    "51 blocks": ([section("x")] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
    "long section": ([section("x" * 3001)], "3001 characters [json-pointer:/blocks/0/text/text]"),
    "long header": ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
                    "less than 151 characters [json-pointer:/blocks/0/text/text]"),
    "long button": ([{"type": "actions", "elements": [button("v", "b" * 76)]}],
                    "[json-pointer:/blocks/0/elements/0/text/text]"),
    "long action_id": ([{"type": "actions", "elements": [button("a" * 256)]}],
                       "less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"),
    "long block_id": ([{**section("x"), "block_id": "b" * 256}], "/blocks/0/block_id]"),
    "26 elements": (too_many_elements(), "no more than 25 items allowed"),
    "duplicate action": ([{"type": "actions", "elements": [button("go"), button("go", "Go")]}],
                         "duplicate action_id: go [json-pointer:/blocks/0/elements/1/action_id]"),
    "unknown type": ([{"type": "sectoin", "text": {"type": "mrkdwn", "text": "x"}}],
                     "unsupported type: sectoin"),
    "button no text": ([{"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}],
                       "missing required field: text"),
    "button no action_id": ([{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Go"}}]}],
        "missing required field: action_id [json-pointer:/blocks/0/elements/0]"),
    "confirm no deny": ([{"type": "actions", "elements": [button("go", confirm={
        "title": {"type": "plain_text", "text": "Sure?"},
        "text": {"type": "plain_text", "text": "Really."},
        "confirm": {"type": "plain_text", "text": "Yes"}})]}],
        "missing required field: deny [json-pointer:/blocks/0/elements/0/confirm]"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_blocks_beyond_block_kit_limits_are_invalid_blocks(
    case: str, slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    blocks, expected = INVALID[case]
    error = api_error(lambda: slack_client.chat_postMessage(channel=LOOP, text="x", blocks=blocks))
    assert error.response["error"] == "invalid_blocks"
    assert any(expected in m for m in error.response["response_metadata"]["messages"])
    assert all(m.startswith("[ERROR] ") for m in error.response["response_metadata"]["messages"])
    assert slack_standin.messages() == []


def test_fifty_blocks_at_the_limits_are_accepted(slack_client: WebClient) -> None:
    blocks = [section("s" * 3000)] * 48 + [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        {"type": "actions", "elements": [button(f"a{i:0>250}", "b" * 75) for i in range(25)]},
    ]
    assert slack_client.chat_postMessage(channel=LOOP, text="x", blocks=blocks)["ok"]


def test_update_replaces_the_message_and_keeps_its_history(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    ts = slack_client.chat_postMessage(channel=LOOP, text="tagging 0.13.2…")["ts"]
    slack_client.chat_update(channel=LOOP, ts=ts, text="tagged 0.13.2")
    answer = slack_client.chat_update(channel=LOOP, ts=ts, text="tagged 0.13.2, filed bug 1101234")
    assert answer["ts"] == ts and answer["message"]["edited"]["user"] == "U0BOT0001"
    [stored] = slack_standin.messages(LOOP)
    assert stored.text == "tagged 0.13.2, filed bug 1101234"
    assert [e["text"] for e in stored.edits] == ["tagging 0.13.2…", "tagged 0.13.2"]
    missing = api_error(lambda: slack_client.chat_update(channel=LOOP, ts="1.000001", text="x"))
    assert missing.response["error"] == "message_not_found"


def test_ephemeral_messages_are_kept_per_user(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    answer = slack_client.chat_postEphemeral(
        channel=LOOP, user="U0QA00001", text="stage bug 1094662 is RESOLVED, not VERIFIED")
    [seen] = slack_standin.ephemerals("U0QA00001")
    assert (seen.ts, seen.channel) == (answer["message_ts"], LOOP)
    assert slack_standin.ephemerals("U0DEV0001") == [] and slack_standin.messages() == []
    ghost = api_error(lambda: slack_client.chat_postEphemeral(
        channel=LOOP, user="U0NOBODY1", text="x"))
    assert ghost.response["error"] == "user_not_found"
    not_updatable = api_error(lambda: slack_client.chat_update(
        channel=LOOP, ts=answer["message_ts"], text="x"))
    assert not_updatable.response["error"] == "message_not_found"


def test_home_view_is_published_per_user(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    view = {"type": "home", "blocks": release_blocks("0.13.3")}
    first = slack_client.views_publish(user_id="U0OPS0001", view=view)["view"]
    home = slack_standin.home_view("U0OPS0001")
    assert home is not None and home["blocks"] == release_blocks("0.13.3")
    second = slack_client.views_publish(user_id="U0OPS0001", view=view, hash=first["hash"])
    assert second["view"]["id"] == first["id"] and second["view"]["hash"] != first["hash"]
    stale = api_error(lambda: slack_client.views_publish(
        user_id="U0OPS0001", view=view, hash=first["hash"]))
    assert stale.response["error"] == "hash_conflict"
    big = api_error(lambda: slack_client.views_publish(
        user_id="U0OPS0001", view={"type": "home", "blocks": [section("x")] * 101}))
    assert big.response["error"] == "invalid_arguments"
    assert "[json-pointer:/view/blocks]" in big.response["response_metadata"]["messages"][0]
    assert slack_standin.home_view("U0QA00001") is None


def test_users_groups_and_channels(slack_client: WebClient) -> None:
    assert slack_client.users_info(user="U0QA00001")["user"]["name"] == "qa"
    lead_groups = slack_client.usergroups_users_list(usergroup="S0OPS0001")["users"]
    assert lead_groups == ["U0OPS0001", "U0LEAD001"]
    assert slack_client.conversations_info(channel=LOOP)["channel"]["name"] == "loop"
    assert api_error(lambda: slack_client.users_info(user="U0GONE001")).response[
        "error"] == "user_not_found"
    assert api_error(lambda: slack_client.conversations_info(channel="C0NOPE0001")).response[
        "error"] == "channel_not_found"
    assert api_error(lambda: slack_client.usergroups_users_list(usergroup="S0NOPE001")).response[
        "error"] == "no_such_subteam"


def test_configured_workspace_members_are_known(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.add_user("U0REL0001", "relman", "Rita Release")
    slack_standin.add_channel("C0HELLO001", "hello-dev")
    slack_standin.add_usergroup("S0REL0001", "relman", ("U0REL0001",))
    assert slack_client.users_info(user="U0REL0001")["user"]["real_name"] == "Rita Release"
    assert slack_client.chat_postMessage(channel="#hello-dev", text="hi")["channel"] == (
        "C0HELLO001")
    assert slack_client.usergroups_users_list(usergroup="S0REL0001")["users"] == ["U0REL0001"]


def test_concurrent_posts_get_distinct_ordered_ts(
    slack_client: WebClient, slack_standin: SlackStandIn
) -> None:
    def post(n: int) -> None:
        slack_client.chat_postMessage(channel=LOOP, text=f"reminder {n}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m.ts for m in slack_standin.messages(LOOP)]
    assert len(set(stamps)) == 12
    assert stamps == sorted(stamps, key=float)


def test_messages_persist_in_the_state_dir(tmp_path: Path) -> None:
    with SlackStandIn(state_dir=tmp_path) as first:
        client = WebClient(token=SANDBOX_BOT_TOKEN, base_url=first.url + "/api/")
        old_ts = client.chat_postMessage(channel=LOOP, text="0.13.0 is in prod")["ts"]
    second = SlackStandIn(state_dir=tmp_path)
    with second:
        client = WebClient(token=SANDBOX_BOT_TOKEN, base_url=second.api_url)
        new_ts = client.chat_postMessage(channel=LOOP, text="tagged 0.13.1")["ts"]
        assert [m.text for m in second.messages(LOOP)] == ["0.13.0 is in prod", "tagged 0.13.1"]
    assert float(new_ts) > float(old_ts)
    assert SANDBOX_BOT_TOKEN not in (tmp_path / "slack.json").read_text()
