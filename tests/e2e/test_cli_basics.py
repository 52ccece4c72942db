"""`loopbot --version` and `loopbot manifest --url`, as a newcomer types them (issue 9)."""

from __future__ import annotations

import pytest
import yaml

from tests.e2e.test_slack_cli import loopbot


def test_version_prints_the_installed_version() -> None:
    done = loopbot("--version")
    assert done.returncode == 0
    assert done.stdout.strip().startswith("loopbot ")
    assert done.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize(("url", "reason"), [
    ("http://bot.example.org/slack/events", "Slack sends requests only to https:// URLs"),
    ("bot.example.org/slack/events", "Slack sends requests only to https:// URLs"),
    ("https://bot.example.org/", "the URL must end with /slack/events"),
    ("https://bot.example.org/slack/events?x=1", "the URL must end with /slack/events"),
    ("https:///slack/events", "no host name"),
    # `loopbot run` answers exactly /slack/events: Slack would get 404s at /slack/events/
    ("https://bot.example.org/slack/events/", "the URL must end with /slack/events"),
])
def test_manifest_refuses_a_url_slack_or_the_bot_cannot_use(url: str, reason: str) -> None:
    done = loopbot("manifest", "--url", url)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"loopbot: --url {url}: ")
    assert reason in done.stderr and "Traceback" not in done.stderr


def test_manifest_takes_a_good_url_and_refuses_url_with_socket_mode() -> None:
    done = loopbot("manifest", "--url", "https://loopbot.team.example/slack/events")
    manifest = yaml.safe_load(done.stdout)
    assert manifest["settings"]["interactivity"]["request_url"] == (
        "https://loopbot.team.example/slack/events")
    refused = loopbot("manifest", "--socket-mode", "--url", "https://a.example/slack/events")
    assert refused.returncode == 2 and "no use with --socket-mode" in refused.stderr


def test_dash_capital_v_is_the_version_too() -> None:
    short, long = loopbot("-V"), loopbot("--version")
    assert short.returncode == 0 and short.stdout == long.stdout
    assert short.stdout.startswith("loopbot ")


def test_manifest_without_a_url_says_what_it_needs_and_prints_nothing() -> None:
    done = loopbot("manifest")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("loopbot: the manifest needs the URL Slack sends "
                                  "requests to")
    assert "--url https://YOUR-HOST/slack/events" in done.stderr
    assert "--socket-mode" in done.stderr and "Traceback" not in done.stderr
    socket = yaml.safe_load(loopbot("manifest", "--socket-mode").stdout)
    assert socket["settings"]["socket_mode_enabled"] is True
