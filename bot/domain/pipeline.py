"""A service's release pipeline: its environments in order (app.yaml order, dev first,
prod last) and what each takes. Pure values; the lifecycle's states, steps, advice and
buttons are derived from it, so adding an environment touches app.yaml only.

Per environment (app.yaml `services[].environments.NAME`, every key optional but `url`):
- `ticket`: the word the deployment ticket's summary uses ("Stage", "Real Stage",
  "Production"); `false`: no ticket (the environment is only watched). Default: none for
  dev, "Production" for prod, else the name in title case ("real-stage" -> "Real Stage").
- `follows`: a branch the environment follows instead of taking releases (dev: the
  service's `main_branch`).
- `deploys` / `verifies`: the roles that mark it deployed / verify it (OPS / QA).
- `gates`: what verifying it waits for: `load_test` (a passed load test: this environment
  takes the load-test windows and results), `signoffs` (the teams of
  `workflow.prod_signoffs` sign it off; prod's by default). Each gate sits on one
  environment at most (results and sign-offs are kept per release).
- `greenlight`: true on each environment whose verification the prod green light waits
  for. Default: every ticketed environment before prod.
- `monitor_minutes`: how long OPS watches it after a push (prod: `workflow.monitor_minutes`).
- `mocked_partner`: whether it is expected to run a mocked partner (loop-server's
  fakeTokBox); unset: whatever it reports.
- `aliases`: other words `/loop` reads as its name (stage: staging, prod: production).

A service's settings carry its pipeline (`ServiceSettings.pipeline`); the domain's
functions are given it. `default_pipeline(main_branch)` is dev -> stage -> prod, a
service's with no `environments` configured; `DEFAULT` is that with master.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

GATES = ("load_test", "signoffs")
# The `/loop` steps that name an environment (`Pipeline.takes`).
STEPS = ("request", "deployed", "verify", "reject", "rerelease", "loadtest", "signoff",
         "block", "unblock", "greenlight", "backoff")
ROLES = ("DEV", "OPS", "QA")
COMMAND_WORD = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PROD = "prod"
DEV = "dev"


class PipelineError(ValueError):
    """A pipeline that can't be run; `key` is the dotted key under the environments."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Environment:
    name: str
    url: str = ""
    ticket: str | None = None  # the ticket summary's word; None: no deployment ticket
    follows: str | None = None  # a branch it follows instead of taking releases
    deploys: str = "OPS"
    verifies: str = "QA"
    gates: tuple[str, ...] = ()
    greenlight: bool = False
    monitor_minutes: int | None = None
    mocked_partner: bool | None = None
    aliases: tuple[str, ...] = ()

    @property
    def has_ticket(self) -> bool:
        return self.ticket is not None

    @property
    def label(self) -> str:
        """How people call it in sentences: "real-stage"."""
        return self.name


@dataclass(frozen=True)
class Pipeline:
    environments: tuple[Environment, ...]

    def env(self, name: str) -> Environment | None:
        return next((e for e in self.environments if e.name == name), None)

    def named(self, word: str) -> str | None:
        """The environment `word` names (its name or an alias, any case), else None."""
        lowered = word.lower()
        return next((e.name for e in self.environments
                     if lowered == e.name or lowered in e.aliases), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.environments)

    @property
    def ticketed(self) -> tuple[Environment, ...]:
        """The environments a release passes with a ticket, in order; prod last."""
        return tuple(e for e in self.environments if e.has_ticket)

    @property
    def ticketed_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.ticketed)

    @property
    def before_prod(self) -> tuple[Environment, ...]:
        return self.ticketed[:-1]

    @property
    def first(self) -> Environment:
        """Where a release goes first (stage)."""
        return self.ticketed[0]

    def after(self, name: str) -> Environment | None:
        """The ticketed environment a release goes to after `name`."""
        names = self.ticketed_names
        return self.ticketed[names.index(name) + 1] if name in names[:-1] else None

    def before(self, name: str) -> Environment | None:
        names = self.ticketed_names
        return self.ticketed[names.index(name) - 1] if name in names[1:] else None

    @property
    def greenlight_waits_for(self) -> tuple[Environment, ...]:
        """The environments whose verification the prod green light waits for."""
        chosen = tuple(e for e in self.before_prod if e.greenlight)
        return chosen or self.before_prod

    def monitor_minutes(self, default: int) -> int:
        """How long OPS watches prod after a push: prod's `monitor_minutes`, else `default`
        (app.yaml's workflow.monitor_minutes)."""
        minutes = self.environments[-1].monitor_minutes
        return default if minutes is None else minutes

    @property
    def load_tested(self) -> Environment:
        """Where QA load-tests (windows and results): the environment with the load_test
        gate, else the first one (stage), where a service without the gate may still
        record load tests."""
        return next(iter(self.gated("load_test")), self.first)

    @property
    def signed_off(self) -> Environment:
        """Where the teams sign a release off: the environment with the signoffs gate,
        else prod."""
        return next(iter(self.gated("signoffs")), self.ticketed[-1])

    def takes(self, step: str) -> tuple[str, ...]:
        """The environments a `/loop` step names, in order: what its usage line shows.
        request/deployed/verify: every ticketed one; reject/rerelease: the ticketed ones
        before prod; loadtest and signoff: where those gates sit."""
        if step in ("request", "deployed", "verify"):
            return self.ticketed_names
        if step in ("reject", "rerelease"):
            return tuple(e.name for e in self.before_prod)
        if step == "loadtest":
            return (self.load_tested.name,)
        if step == "signoff":
            return (self.signed_off.name,)
        if step in ("block", "unblock", "greenlight", "backoff"):
            return (PROD,)
        raise ValueError(f"no step {step!r}")

    def gated(self, gate: str) -> tuple[Environment, ...]:
        return tuple(e for e in self.environments if gate in e.gates)

    def needs(self, name: str, gate: str) -> bool:
        env = self.env(name)
        return env is not None and gate in env.gates


def _default_ticket(name: str) -> str | None:
    if name == DEV:
        return None
    if name == PROD:
        return "Production"
    return name.replace("-", " ").title()


ALIASES = {"stage": ("staging",), PROD: ("production",)}  # the defaults: today's words


def _given(raw: Mapping[str, object], key: str, default: object) -> object:
    value = raw.get(key)
    return default if value is None else value


def environment_from(name: str, raw: Mapping[str, object], *, key: str,
                     main_branch: str) -> Environment:
    """One environment from its app.yaml mapping (dev follows `main_branch` unless it says
    otherwise); PipelineError names the bad key."""
    if not COMMAND_WORD.fullmatch(name):
        raise PipelineError(key, f"{name!r} is not a valid command word (lowercase letters, "
                                 "digits and dashes, starting with a letter)")
    # null is "not said" (a settings object written back out has every key): the default;
    # `false` is what turns a ticket (or dev's following master) off
    ticket = _given(raw, "ticket", _default_ticket(name))
    if ticket is False:
        ticket = None
    if ticket is not None and (not isinstance(ticket, str) or not ticket.strip()):
        raise PipelineError(f"{key}.ticket", "expected the ticket summary's word or false")
    for role_key in ("deploys", "verifies"):
        if raw.get(role_key, "OPS") not in ROLES:
            raise PipelineError(f"{key}.{role_key}", f"expected one of {', '.join(ROLES)}")
    gates = tuple(str(g) for g in _as_list(raw.get("gates", ()), f"{key}.gates"))
    for gate in gates:
        if gate not in GATES:
            raise PipelineError(f"{key}.gates", f"unknown gate {gate!r}; gates: "
                                                f"{', '.join(GATES)}")
    if gates and ticket is None:
        raise PipelineError(f"{key}.gates", f"{name} has no deployment ticket, so nothing "
                                            "to verify behind a gate")
    follows = _given(raw, "follows", main_branch if name == DEV else None)
    aliases = tuple(str(a).lower() for a in _as_list(_given(raw, "aliases", ALIASES.get(
        name, ())), f"{key}.aliases"))
    for alias in aliases:
        if not COMMAND_WORD.fullmatch(alias):
            raise PipelineError(f"{key}.aliases", f"{alias!r} is not a valid command word")
    return Environment(
        name=name, url=str(raw.get("url", "")), ticket=ticket,
        follows=None if follows in (None, False) else str(follows),
        deploys=str(raw.get("deploys", "OPS")), verifies=str(raw.get("verifies", "QA")),
        gates=gates, greenlight=bool(raw.get("greenlight", False)),
        monitor_minutes=_minutes(raw.get("monitor_minutes"), f"{key}.monitor_minutes"),
        mocked_partner=_flag(raw.get("mocked_partner"), f"{key}.mocked_partner"),
        aliases=aliases,
    )


def pipeline_from(envs: list[Environment], *, key: str = "environments") -> Pipeline:
    """Check the order and names of `envs`; PipelineError names the bad key."""
    if not envs:
        raise PipelineError(key, "no environment: a service needs at least prod")
    seen: set[str] = set()
    for env in envs:
        if env.name in seen:
            raise PipelineError(f"{key}.{env.name}", f"two environments named {env.name}")
        seen.add(env.name)
    words: dict[str, str] = {e.name: e.name for e in envs}
    # the aliases said first, the defaults after: a default yields to a word said
    for i, env in sorted(enumerate(envs), key=lambda p: p[1].aliases == ALIASES.get(p[1].name)):
        taken = [a for a in env.aliases if words.setdefault(a, env.name) != env.name]
        if taken and env.aliases == ALIASES.get(env.name):  # a default: one named so wins
            envs[i] = replace(env, aliases=tuple(a for a in env.aliases if a not in taken))
        elif taken:
            raise PipelineError(f"{key}.{env.name}.aliases", f"{taken[0]!r} already names "
                                                             f"{words[taken[0]]}")
    if envs[-1].name != PROD:
        raise PipelineError(key, f"prod must be the last environment (the last is "
                                 f"{envs[-1].name})" if PROD in seen else "no prod environment")
    if envs[-1].ticket is None:
        raise PipelineError(f"{key}.prod.ticket", "prod takes a deployment ticket")
    if len([e for e in envs if e.has_ticket]) < 2:
        raise PipelineError(key, "a release needs a ticketed environment before prod "
                                 "(stage)")
    for gate in GATES:
        carrying = [e.name for e in envs if gate in e.gates]
        if len(carrying) > 1:
            raise PipelineError(f"{key}.{carrying[1]}.gates", f"the {gate} gate is already "
                                f"on {carrying[0]}: one environment per gate")
    return Pipeline(tuple(envs))


def _as_list(value: object, key: str) -> list[object]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise PipelineError(key, "expected a list")


def _minutes(value: object, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PipelineError(key, "expected a whole number of minutes, at least 1")
    return value


def _flag(value: object, key: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise PipelineError(key, "expected true or false")


def default_pipeline(main_branch: str) -> Pipeline:
    """dev (following `main_branch`) -> stage -> prod."""
    return Pipeline((Environment(DEV, ticket=None, follows=main_branch),
                     Environment("stage", ticket="Stage", aliases=ALIASES["stage"]),
                     Environment(PROD, ticket="Production", aliases=ALIASES[PROD])))


DEFAULT = default_pipeline("master")
