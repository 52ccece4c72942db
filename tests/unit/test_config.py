from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import ConfigError, load_settings, settings_from_dict

APP_YAML = Path(__file__).resolve().parents[2] / "app.yaml"


def test_shipped_app_yaml_loads_with_loop_server_first() -> None:
    settings = load_settings(APP_YAML, environ={})
    assert settings.service().name == "loop-server"
    assert settings.service("loop-client").tag_pattern == "v{version}"
    assert settings.calendar.prod_offset_days == 6
    assert settings.db_url == "sqlite:///loopbot.db"


def test_unknown_key_is_named_with_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(APP_YAML.read_text() + "\ncalender: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(bad, environ={})
    assert str(caught.value) == f"{bad}: key 'calender': unknown key"


def test_bad_nested_value_names_the_dotted_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  - name: x\n    repo: not-a-repo\n")
    with pytest.raises(ConfigError, match=r"key 'services\.0\.repo': .*OWNER/NAME"):
        load_settings(bad, environ={})


def test_missing_file_and_bad_yaml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "absent.yaml", environ={})
    broken = tmp_path / "broken.yaml"
    broken.write_text("services: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(broken, environ={})


def test_secrets_come_from_the_environment_and_never_print() -> None:
    token = "xoxb-1234-very-secret"
    settings = load_settings(
        APP_YAML, environ={"SLACK_BOT_TOKEN": token, "DATABASE_URL": "sqlite:///x.db"}
    )
    assert settings.secrets.slack_bot_token is not None
    assert settings.secrets.slack_bot_token.get_secret_value() == token
    assert token not in repr(settings) and token not in str(settings)
    assert settings.db_url == "sqlite:///x.db"
    assert settings.secrets.missing("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") == [
        "SLACK_SIGNING_SECRET"
    ]


def test_secrets_in_the_file_are_refused() -> None:
    with pytest.raises(ConfigError, match="secrets come only from the environment"):
        settings_from_dict({"services": [], "secrets": {"github_token": "x"}})


def test_unknown_service_lists_the_configured_ones() -> None:
    settings = load_settings(APP_YAML, environ={})
    with pytest.raises(ConfigError, match="the services are: loop-server, loop-client"):
        settings.service("loop-serve")


def test_bad_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"key 'timezone': .*unknown time zone"):
        settings_from_dict({"timezone": "Mars/Olympus", "services": [{"name": "a", "repo": "o/a"}]})
