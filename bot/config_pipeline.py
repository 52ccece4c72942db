"""Each service's pipeline from its `environments` (bot/domain/pipeline.py), with the
older workflow keys kept working: `workflow.require_load_test` gates stage's verification
on a load test, `workflow.prod_signoffs` gates prod's on the teams' sign-offs."""

from __future__ import annotations

from bot.config_services import ServiceSettings
from bot.domain.pipeline import DEFAULT, Environment, Pipeline, environment_from, pipeline_from


def pipeline_of(service: ServiceSettings, *, key: str) -> Pipeline:
    """The service's pipeline; PipelineError's key is the full dotted key under `key`."""
    if "environments" not in service.model_fields_set:
        return DEFAULT  # nothing configured: dev -> stage -> prod, none of them watched
    envs: list[Environment] = []
    for name, settings in service.environments.items():
        raw = settings.model_dump(exclude_unset=True)
        gates = list(raw.get("gates", ()))
        if name == "stage" and service.workflow.require_load_test and "load_test" not in gates:
            gates.append("load_test")
        if name == "prod" and service.workflow.prod_signoffs and "signoffs" not in gates:
            gates.append("signoffs")
        raw["gates"] = gates
        envs.append(environment_from(name, raw, key=f"{key}.environments.{name}"))
    return pipeline_from(envs, key=f"{key}.environments")
