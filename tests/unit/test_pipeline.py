"""The pipeline as configuration (issue 19): each service's environments, in app.yaml
order, with what each takes; today's app.yaml gives today's dev -> stage -> prod, and a
pipeline that can't run is refused at start with the file and the dotted key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config.settings import ConfigError, load_settings
from bot.domain.pipeline import environment_from

ROOT = Path(__file__).resolve().parents[2]
APP_YAML = ROOT / "app.yaml"


def _written(tmp_path: Path, environments: dict[str, object] | str) -> Path:
    raw = yaml.safe_load(APP_YAML.read_text())
    file = tmp_path / "team.yaml"
    if isinstance(environments, str):
        text = yaml.safe_dump(raw, sort_keys=False)
        file.write_text(text.replace("  environments:\n", environments, 1))
        return file
    raw["services"][0]["environments"] = environments
    file.write_text(yaml.safe_dump(raw, sort_keys=False))
    return file


def test_todays_app_yaml_is_dev_stage_prod_with_its_gates() -> None:
    settings = load_settings(APP_YAML, environ={})
    pipeline = settings.pipeline("loop-server")
    assert pipeline.names == ("dev", "stage", "prod")
    assert pipeline.ticketed_names == ("stage", "prod")
    dev, stage, prod = pipeline.environments
    assert (dev.follows, dev.ticket) == ("master", None)
    assert (stage.ticket, stage.gates, stage.deploys, stage.verifies) == (
        "Stage", ("load_test",), "OPS", "QA")
    assert (prod.ticket, prod.gates) == ("Production", ())
    assert [e.name for e in pipeline.greenlight_waits_for] == ["stage"]
    client = settings.pipeline("loop-client")
    assert client.names == ("stage", "prod") and client.env("stage").gates == ()  # type: ignore[union-attr]


def test_the_real_stage_example_has_four_environments() -> None:
    settings = load_settings(ROOT / "examples" / "real-stage.yaml", environ={})
    pipeline = settings.pipeline("loop-server")
    assert pipeline.names == ("dev", "stage", "real-stage", "prod")
    real = pipeline.env("real-stage")
    assert real is not None and real.ticket == "Real Stage" and real.mocked_partner is False
    assert pipeline.after("stage") == real and pipeline.before("prod") == real
    assert [e.name for e in pipeline.greenlight_waits_for] == ["stage", "real-stage"]


URL = {"url": "https://loop.example.com"}


@pytest.mark.parametrize(("environments", "said"), [
    ({}, "key 'services.0.environments': no environment: a service needs at least prod"),
    ({"dev": URL, "prod": URL, "stage": URL},
     "key 'services.0.environments': prod must be the last environment (the last is stage)"),
    ({"stage": URL, "live": URL},
     "key 'services.0.environments': no prod environment"),
    ({"dev": {**URL, "gates": ["load_test"]}, "stage": URL, "prod": URL},
     "key 'services.0.environments.dev.gates': dev has no deployment ticket"),
    ({"ci": {**URL, "ticket": False}, "qa": {**URL, "gates": ["signoffs"]},
      "prod": {**URL, "gates": ["signoffs"]}},
     "key 'services.0.environments.prod.gates': the signoffs gate is already on qa: one "
     "environment per gate"),
    ({"Real_Stage": URL, "prod": URL},
     "key 'services.0.environments.Real_Stage': 'Real_Stage' is not a valid command word"),
    ({"stage": {**URL, "gates": ["smoke"]}, "prod": URL},
     "key 'services.0.environments.stage.gates.0': Input should be 'load_test' or 'signoffs'"),
    ({"stage": {**URL, "aliases": ["prod"]}, "prod": URL},
     "key 'services.0.environments.stage.aliases': 'prod' already names prod"),
    ({"stage": URL, "loadstage": {**URL, "aliases": ["ls"]}, "qa": {**URL, "aliases": ["ls"]},
      "prod": URL},
     "key 'services.0.environments.qa.aliases': 'ls' already names loadstage"),
    ({"stage": {**URL, "aliases": ["Load Stage"]}, "prod": URL},
     "key 'services.0.environments.stage.aliases': 'load stage' is not a valid command word"),
])
def test_a_pipeline_that_cannot_run_is_refused_with_file_and_key(
    tmp_path: Path, environments: dict[str, object], said: str
) -> None:
    file = _written(tmp_path, environments)
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ={})
    assert str(caught.value).startswith(f"{file}: {said}")


def test_two_environments_with_one_name_are_refused_not_merged(tmp_path: Path) -> None:
    twice = ("  environments:\n    stage:\n      url: https://a.example.com\n"
             "    stage:\n      url: https://b.example.com\n")
    file = _written(tmp_path, twice)
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ={})
    assert str(caught.value).startswith(f"{file}: line ")
    assert "key 'stage' appears twice" in str(caught.value)


def test_a_refused_pipeline_leaves_the_running_one_unchanged(tmp_path: Path) -> None:
    settings = load_settings(APP_YAML, environ={})
    with pytest.raises(ConfigError):
        load_settings(_written(tmp_path, {"prod": URL, "stage": URL}), environ={})
    assert settings.pipeline("loop-server").names == ("dev", "stage", "prod")


def test_null_keys_mean_the_defaults_as_a_settings_object_written_back_out_has_them() -> None:
    """Found in the full suite: configurations written from Settings (every key, unset ones
    null) were refused ("prod takes a deployment ticket") and dev stopped following master."""
    url = "https://loop.example"
    prod = environment_from("prod", {"url": url, "ticket": None}, key="environments.prod",
                            main_branch="master")
    dev = environment_from("dev", {"url": url, "ticket": None, "follows": None},
                           key="environments.dev", main_branch="master")
    assert prod.ticket == "Production" and dev.follows == "master" and dev.ticket is None
    watched = environment_from("stage", {"url": url, "ticket": False},
                               key="environments.stage", main_branch="master")
    assert watched.ticket is None


def test_dev_follows_the_services_main_branch_unless_it_says_otherwise(tmp_path: Path) -> None:
    raw = yaml.safe_load(APP_YAML.read_text())
    raw["services"][0]["main_branch"] = "main"
    configured = dict(raw["services"][0])
    unconfigured = {k: v for k, v in configured.items() if k != "environments"}
    raw["services"] = [configured, {**unconfigured, "name": "loop-bare", "slack": None}]
    file = tmp_path / "main.yaml"
    file.write_text(yaml.safe_dump(raw, sort_keys=False))
    settings = load_settings(file, environ={})
    for service in ("loop-server", "loop-bare"):
        dev = settings.pipeline(service).env("dev")
        assert dev is not None and dev.follows == "main", service


def test_an_environment_named_like_a_default_alias_keeps_its_name(tmp_path: Path) -> None:
    """stage's default alias `staging` yields to an environment called staging."""
    url = "https://loop.example.com"
    file = _written(tmp_path, {"stage": {"url": url}, "staging": {"url": url},
                               "prod": {"url": url}})
    pipeline = load_settings(file, environ={}).pipeline("loop-server")
    assert pipeline.named("staging") == "staging" and pipeline.named("Stage") == "stage"
    assert pipeline.named("production") == "prod"
    said = _written(tmp_path, {"stage": {"url": url}, "loadstage": {"url": url,
                               "aliases": ["staging"]}, "prod": {"url": url}})
    assert load_settings(said, environ={}).pipeline("loop-server").named("staging") == \
        "loadstage"
