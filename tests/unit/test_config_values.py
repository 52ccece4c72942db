"""app.yaml values that used to pass silently are refused with the file and the dotted key
(issue 9): role entries that are no Slack ID, environment URLs that are no URL, skipped
days that change nothing; and a bad move now names its key too."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config.settings import ConfigError, load_settings

APP_YAML = Path(__file__).resolve().parents[2] / "app.yaml"


def written(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load(APP_YAML.read_text())
    for dotted, value in change.items():
        *path, last = dotted.split(".")
        node = raw
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    file = tmp_path / "team.yaml"
    file.write_text(yaml.safe_dump(raw, sort_keys=False))
    return file


@pytest.mark.parametrize(("change", "said"), [
    ({"roles.QA": ["U0QA00001", "alice"]},
     "key 'roles.QA.1': 'alice' is not a Slack user ID (U... or W...) or user-group ID (S...)"),
    ({"services.0.environments.stage.url": "not a url"},
     "key 'services.0.environments.stage.url': 'not a url' is not an http(s) URL"),
    ({"github.url": "api.github.com"}, "key 'github.url': 'api.github.com' is not an http(s)"),
    ({"calendar.skip": ["2026-12-22", "2026-12-26"]},
     "key 'calendar.skip': 2026-12-26 is a Saturday, neither a tagging nor a prod-push date: "
     "skipping it changes nothing"),
    ({"calendar.skip": ["2026-11-24"]},
     "key 'calendar.skip': 2026-11-24 is before the first cycle (2026-12-08)"),
    ({"calendar.moves": {"2026-12-09": "2026-12-10"}},
     "key 'calendar.moves': 2026-12-09 is not a tagging or prod-push date"),
])
def test_a_bad_value_is_refused_with_the_file_and_the_dotted_key(
    tmp_path: Path, change: dict[str, object], said: str,
) -> None:
    file = written(tmp_path, change)
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ={})
    assert str(caught.value).startswith(f"{file}: {said}")


@pytest.mark.parametrize("change", [
    {"roles.QA": ["U0QA00001", "W0ENTERPRISE1", "S0QAGROUP1"]},
    {"calendar.skip": ["2026-12-22", "2026-12-24", "2027-01-04"]},  # tagging day, holidays
    {"services.0.environments.stage.url": "http://127.0.0.1:8080"},
])
def test_good_values_still_load(tmp_path: Path, change: dict[str, object]) -> None:
    load_settings(written(tmp_path, change), environ={})
