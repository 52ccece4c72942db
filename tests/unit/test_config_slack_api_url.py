"""`slack.api_url`: Slack's Web API address (GovSlack, or the sandbox's stand-in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import SLACK_API_URL, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def settings_with(tmp_path: Path, slack: str) -> Path:
    text = (ROOT / "app.yaml").read_text(encoding="utf-8")
    path = tmp_path / "app.yaml"
    path.write_text(text.replace('slack:\n  channel: "#loop"\n',
                                 f'slack:\n  channel: "#loop"\n{slack}'), encoding="utf-8")
    return path


def test_slack_api_url_defaults_to_slack() -> None:
    assert load_settings(ROOT / "app.yaml", environ={}).slack.api_url == SLACK_API_URL


def test_slack_api_url_takes_govslack_with_its_trailing_slash(tmp_path: Path) -> None:
    path = settings_with(tmp_path, "  api_url: https://slack-gov.com/api\n")
    assert load_settings(path, environ={}).slack.api_url == "https://slack-gov.com/api/"


def test_a_slack_api_url_that_is_no_url_is_refused_with_its_key(tmp_path: Path) -> None:
    path = settings_with(tmp_path, "  api_url: slack.com/api\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={})
    assert str(refused.value) == (f"{path}: key 'slack.api_url': 'slack.com/api' is not an "
                                  "http(s) URL, e.g. https://loop.stage.mozaws.net")
