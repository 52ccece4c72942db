"""The settings of each service released by the bot (app.yaml's `services`), its own
channel and people, and the partner URLs: validated like the rest (bot/config/settings.py).

Roles: `roles` (top level, and per service) map DEV/OPS/QA/emergency to Slack user IDs
(U.../W...) or user-group IDs (S...). A role a service's own `roles` names replaces the
top-level list for that service; the roles it does not name come from the top level.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from bot.config.notes import NotesSettings
from bot.config.options import (
    ReleaseCommitSettings,
    ServiceWorkflow,
)
from bot.config.options import (
    StrictModel as _Strict,
)
from bot.config.values import SlackId, WebUrl
from bot.domain.pipeline import (
    DEV,
    PROD,
    Environment,
    Pipeline,
    default_pipeline,
    environment_from,
    pipeline_from,
)

RoleName = Literal["DEV", "OPS", "QA", "emergency"]
Roles = dict[RoleName, tuple[SlackId, ...]]

SLACK_API_URL = "https://slack.com/api/"


class SlackSettings(_Strict):
    channel: str = "#loop"
    mailing_list: str | None = None
    # Slack's Web API base URL: GovSlack's, or the sandbox's stand-in for `loopbot run`.
    api_url: WebUrl = SLACK_API_URL

    @field_validator("api_url")
    @classmethod
    def _ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"  # slack_sdk appends methods


class PartnerSettings(_Strict):
    url: WebUrl


class GitHubSettings(PartnerSettings):
    """GitHub's address, and the pauses PyGithub makes before each request and each write:
    its defaults keep clear of GitHub's secondary rate limits; a stand-in needs none."""

    seconds_between_requests: float = Field(default=0.25, ge=0, le=10)
    seconds_between_writes: float = Field(default=1.0, ge=0, le=10)


class BugzillaProduct(_Strict):
    product: str = "Cloud Services"
    component: str = "Operations: Deployment Requests"


class EnvironmentSettings(_Strict):
    """One environment of the pipeline (bot/domain/pipeline.py says what each key means)."""

    url: WebUrl
    ticket: str | Literal[False] | None = None
    follows: str | Literal[False] | None = None
    deploys: Literal["DEV", "OPS", "QA"] = "OPS"
    verifies: Literal["DEV", "OPS", "QA"] = "QA"
    gates: tuple[Literal["load_test", "signoffs"], ...] = ()
    greenlight: bool = False
    monitor_minutes: int | None = Field(default=None, ge=1)
    mocked_partner: bool | None = None
    aliases: tuple[str, ...] | None = None


class ServiceSettings(_Strict):
    name: str
    repo: str
    tag_pattern: str = "{version}"
    branch_pattern: str = "{major}.{minor}.x"
    main_branch: str = "master"
    bugzilla: BugzillaProduct = BugzillaProduct()
    environments: dict[str, EnvironmentSettings] = Field(default_factory=dict)
    workflow: ServiceWorkflow = ServiceWorkflow()
    release_commit: ReleaseCommitSettings = ReleaseCommitSettings()
    # The service's own channel and mailing list (default: the top-level `slack`).
    slack: SlackSettings | None = None
    # The service's own people for the roles it names (the others: the top-level `roles`).
    roles: Roles = Field(default_factory=dict)
    # Per API version, the path patterns of the files serving it ("/v1": [loop/routes/*.js]).
    api_versions: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    notes: NotesSettings = NotesSettings()  # release-note categories from files

    @property
    def pipeline(self) -> Pipeline:
        """Its environments in order and what each takes (bot/domain/pipeline.py): built
        once (load_settings builds and checks it at start), not on every access."""
        sources = self._pipeline_sources()
        cached = self.__dict__.get(_CACHE)
        if cached is not None and all(a is b for a, b in zip(cached[0], sources, strict=True)):
            return cached[1]
        return self.build_pipeline(key="")

    def build_pipeline(self, *, key: str) -> Pipeline:
        """Build (and keep) its pipeline; PipelineError's key is the dotted key under
        `key` ("services.0")."""
        pipeline = pipeline_of(self, key=key)
        # kept beside the fields like a cached_property (equality and dumps ignore it),
        # with what it was built from: a model_copy(update=...) builds it again
        self.__dict__[_CACHE] = (self._pipeline_sources(), pipeline)
        return pipeline

    def _pipeline_sources(self) -> tuple[object, ...]:
        configured = "environments" in self.model_fields_set
        return (self.environments, self.workflow, configured, self.main_branch)

    @field_validator("repo")
    @classmethod
    def _owner_slash_name(cls, value: str) -> str:
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", value):
            raise ValueError(f"expected OWNER/NAME, got {value!r}")
        return value

    @field_validator("tag_pattern")
    @classmethod
    def _has_version(cls, value: str) -> str:
        if "{version}" not in value:
            raise ValueError("must contain {version}")
        return value




_CACHE = "_pipeline_cache"


def pipeline_of(service: ServiceSettings, *, key: str) -> Pipeline:
    """The service's pipeline, with the older workflow keys kept working:
    `workflow.require_load_test` gates the first ticketed environment's (stage's)
    verification on a load test, `workflow.prod_signoffs` prod's on the teams' sign-offs,
    unless an environment already carries that gate. PipelineError's key is the dotted key
    under `key`."""
    if "environments" not in service.model_fields_set:
        return default_pipeline(service.main_branch)  # dev -> stage -> prod, none watched
    prefix = f"{key}." if key else ""
    raws = {name: settings.model_dump(exclude_unset=True)
            for name, settings in service.environments.items()}
    carried = {g for raw in raws.values() for g in raw.get("gates", ()) or ()}
    ticketed = [name for name, raw in raws.items()  # null: the default (dev has none)
                if raw.get("ticket") is not False and (name != DEV or raw.get("ticket"))]
    legacy = {"load_test": ticketed[0] if ticketed and service.workflow.require_load_test
              else None,
              "signoffs": PROD if service.workflow.prod_signoffs else None}
    envs: list[Environment] = []
    for name, raw in raws.items():
        gates = list(raw.get("gates", ()) or ())
        gates += [g for g, on in legacy.items() if on == name and g not in carried]
        raw["gates"] = gates
        envs.append(environment_from(name, raw, key=f"{prefix}environments.{name}",
                                     main_branch=service.main_branch))
    return pipeline_from(envs, key=f"{prefix}environments")
