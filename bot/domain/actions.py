"""The lifecycle's vocabulary: roles, actions, actors, facts, side effects, decisions and
the refusals the lifecycle raises. Pure values, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from bot.domain.errors import Refusal
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.release import Env, State, _Word


class Role(StrEnum):
    DEV = "DEV"
    OPS = "OPS"
    QA = "QA"
    EMERGENCY = "emergency"


class Action(_Word):
    """A step of the lifecycle: per environment of the pipeline "request ENV",
    "deployed ENV", "verify ENV", and the fixed steps (reject, greenlight, backoff ...)."""

    _kind = "step"
    REQUEST_STAGE: ClassVar[Action]
    RERELEASE: ClassVar[Action]
    DEPLOYED_STAGE: ClassVar[Action]
    VERIFY_STAGE: ClassVar[Action]
    REJECT: ClassVar[Action]
    REQUEST_PROD: ClassVar[Action]
    BLOCK: ClassVar[Action]
    UNBLOCK: ClassVar[Action]
    GREENLIGHT: ClassVar[Action]
    DEPLOYED_PROD: ClassVar[Action]
    VERIFY_PROD: ClassVar[Action]
    BACKOFF: ClassVar[Action]

    @classmethod
    def _valid(cls, value: str) -> bool:
        if value in _FIXED_ACTIONS:
            return True
        verb, _, env = value.partition(" ")
        return verb in ENV_VERBS and State._valid(f"{env}-requested")

    @classmethod
    def of(cls, verb: str, env: str) -> Action:
        return cls(f"{verb} {env}")

    @property
    def verb(self) -> str:
        return self.value.partition(" ")[0]

    @property
    def env(self) -> Env | None:
        """The environment of a "request|deployed|verify ENV" step (backoff: prod)."""
        rest = self.value.partition(" ")[2]
        return Env(rest) if rest else None

    @property
    def outcome(self) -> str:
        """What the action does to a release, for refusals: "it can't {outcome} now"."""
        fixed = _OUTCOMES.get(self.value)
        if fixed is not None:
            return fixed
        env = self.env
        return {"request": f"get a {env} ticket", "deployed": f"be marked deployed on {env}",
                "verify": f"be verified on {env}"}[self.verb]


ENV_VERBS = ("request", "deployed", "verify")
_FIXED_ACTIONS = ("rerelease", "reject", "block", "unblock", "greenlight", "backoff prod")
_OUTCOMES = {
    "rerelease": "be re-released",
    "reject": "be rejected",
    "block": "be blocked from prod",
    "unblock": "be unblocked",
    "greenlight": "be greenlit",
    "backoff prod": "be backed off from prod",
}
Action.REQUEST_STAGE, Action.REQUEST_PROD = Action("request stage"), Action("request prod")
Action.DEPLOYED_STAGE, Action.DEPLOYED_PROD = Action("deployed stage"), Action("deployed prod")
Action.VERIFY_STAGE, Action.VERIFY_PROD = Action("verify stage"), Action("verify prod")
Action.RERELEASE, Action.REJECT = Action("rerelease"), Action("reject")
Action.BLOCK, Action.UNBLOCK = Action("block"), Action("unblock")
Action.GREENLIGHT, Action.BACKOFF = Action("greenlight"), Action("backoff prod")


@dataclass(frozen=True)
class Actor:
    """Someone asking, with the roles they hold per service: a service's own `roles` in
    app.yaml replace the top-level ones for that service, so the roles that count are
    always those of the release's service (`roles_in`)."""

    user_id: str
    default_roles: frozenset[Role]  # app.yaml's top-level roles: a service that says nothing
    name: str = ""
    service_roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    @property
    def mention(self) -> str:
        return f"<@{self.user_id}>"

    def roles_in(self, service: str) -> frozenset[Role]:
        return self.service_roles.get(service, self.default_roles)

    def role_values(self, service: str) -> tuple[str, ...]:
        """The names of the roles held for `service`, sorted: what the audit log keeps."""
        return tuple(sorted(r.value for r in self.roles_in(service)))

    def roles_by_service(self, services: Iterable[str]) -> dict[str, frozenset[Role]]:
        """The roles held in each of `services`, in order, leaving out those with none."""
        return {s: roles for s in services if (roles := self.roles_in(s))}


@dataclass(frozen=True)
class Facts:
    """What the outside says right now, read afresh before deciding."""

    tickets: Mapping[str, Bug] = field(default_factory=dict)  # by environment, as read now
    open_blockers: tuple[Bug, ...] = ()  # open bugs blocking the prod ticket
    environment: EnvironmentState | None = None  # the environment the action concerns
    qa_files_prod_ticket: bool = False
    bug: Bug | None = None  # the bug the command names (reject, block, unblock)
    load_test_required: bool = False  # the service's workflow.require_load_test
    load_test_passed: bool = False  # QA recorded a passed load test (latest result)
    signoffs_missing: tuple[str, ...] = ()  # teams yet to sign prod off (verify prod)
    load_test_window_set: bool = False  # QA agreed a window for the load test

    def ticket(self, env: str) -> Bug | None:
        """The current deployment ticket of env, as Bugzilla says it now."""
        return self.tickets.get(env)


# -- side effects, performed by the use case in order ----------------------------------
@dataclass(frozen=True)
class FileTicket:
    env: Env


@dataclass(frozen=True)
class SetTicket:
    env: Env
    status: str
    resolution: str = ""


@dataclass(frozen=True)
class CloseTicketInvalid:
    """Close the current ticket of env INVALID (an OPS re-release files a new one)."""

    env: Env


@dataclass(frozen=True)
class CommentOnTicket:
    env: Env


@dataclass(frozen=True)
class ReopenTicket:
    """Reopen the current ticket of env with the step's reason (a prod back-off)."""

    env: Env


@dataclass(frozen=True)
class AddBlocker:
    bug_id: int


@dataclass(frozen=True)
class RemoveBlocker:
    bug_id: int


@dataclass(frozen=True)
class StartMonitoring:
    pass


Effect = (
    FileTicket | SetTicket | CloseTicketInvalid | CommentOnTicket | ReopenTicket | AddBlocker
    | RemoveBlocker | StartMonitoring
)


@dataclass(frozen=True)
class Decision:
    action: Action
    from_state: State
    to_state: State
    effects: tuple[Effect, ...] = ()
    skipped_guards: tuple[str, ...] = ()  # only for overrides
    override_reason: str | None = None

    @property
    def is_override(self) -> bool:
        return self.override_reason is not None


class MissingRole(Refusal):
    pass


class WrongState(Refusal):
    pass


class GuardFailed(Refusal):
    pass
