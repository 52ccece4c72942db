"""`github.seconds_between_requests` and `github.seconds_between_writes`: the pauses
PyGithub makes before each GitHub request and each write. The defaults are PyGithub's
(clear of GitHub's secondary rate limits); the sandbox's stand-in has no such limits, so
the settings pointed at it pause for nothing (a whole tag used to take seconds there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import ConfigError, load_settings
from bot.entrypoints.wiring import build_context
from bot.partners.github import GitHubForge
from bot.sandbox.world import Sandbox

ROOT = Path(__file__).resolve().parents[2]
GITHUB = "github:\n  url: https://api.github.com\n"


def settings_with(tmp_path: Path, github: str) -> Path:
    text = (ROOT / "app.yaml").read_text(encoding="utf-8")
    assert GITHUB in text
    path = tmp_path / "app.yaml"
    path.write_text(text.replace(GITHUB, GITHUB + github), encoding="utf-8")
    return path


def pauses(forge: object) -> tuple[float, float]:
    assert isinstance(forge, GitHubForge)
    options = forge._client._options  # what PyGithub's Github(...) is built with
    return options["seconds_between_requests"], options["seconds_between_writes"]


def test_the_pauses_default_to_pygithubs() -> None:
    github = load_settings(ROOT / "app.yaml", environ={}).github
    assert (github.seconds_between_requests, github.seconds_between_writes) == (0.25, 1.0)


def test_the_pauses_set_in_app_yaml_reach_the_forge(tmp_path: Path) -> None:
    path = settings_with(tmp_path, "  seconds_between_requests: 0\n"
                                   "  seconds_between_writes: 0.5\n")
    settings = load_settings(path, environ={"GITHUB_TOKEN": "ghp_pauses0001",
                                            "BUGZILLA_API_KEY": "bz-pauses-0001"})
    ctx = build_context(settings)
    try:
        assert pauses(ctx.service().forge) == (0, 0.5)
    finally:
        ctx.close()


def test_a_negative_pause_is_refused_with_its_key(tmp_path: Path) -> None:
    path = settings_with(tmp_path, "  seconds_between_writes: -1\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={})
    assert "key 'github.seconds_between_writes'" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_sandboxs_settings_pause_for_nothing(tmp_path: Path) -> None:
    base = load_settings(ROOT / "app.yaml", environ={})
    with Sandbox.start(base, state_dir=tmp_path / "sandbox") as sandbox:
        github = sandbox.settings(base).github
    assert github.url == sandbox.github.url
    assert (github.seconds_between_requests, github.seconds_between_writes) == (0, 0)
