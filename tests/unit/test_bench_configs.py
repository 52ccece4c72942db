"""The configuration bench/idle_cpu.py writes for `loopbot run` is one the bot accepts:
its environments stay in app.yaml's order, which is the pipeline's (found running the
bench: the file written with sorted keys put prod before stage, and `db upgrade` refused
it, "prod must be the last environment")."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml

from bot.config.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_idle_cpu_points_app_yaml_at_the_stand_ins_keeping_the_pipeline(tmp_path: Path) -> None:
    shipped = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
    environments = {f"{s['name']}/{env}": f"http://127.0.0.1:{40000 + i}/{env}"
                    for s in shipped["services"]
                    for i, env in enumerate(s["environments"])}
    where = {"github": {"url": "http://127.0.0.1:41001"},
             "bugzilla": {"url": "http://127.0.0.1:41002/rest"},
             "slack": {"url": "http://127.0.0.1:41003/api/"},
             "environments": environments}

    written = bench("idle_cpu").config_for(where, tmp_path / "app.yaml")
    settings = load_settings(written, environ={})

    for service, raw in zip(settings.services, shipped["services"], strict=True):
        assert list(service.environments) == list(raw["environments"])
        assert {name: str(env.url) for name, env in service.environments.items()} == {
            env: environments[f"{raw['name']}/{env}"] for env in raw["environments"]}
    assert settings.github.url == "http://127.0.0.1:41001"
