"""The lifecycle's vocabulary: roles, actions, actors, facts, side effects, decisions and
the refusals the lifecycle raises. Pure values, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.errors import Refusal
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.release import Env, State


class Role(StrEnum):
    DEV = "DEV"
    OPS = "OPS"
    QA = "QA"
    EMERGENCY = "emergency"


class Action(StrEnum):
    REQUEST_STAGE = "request stage"
    RERELEASE = "rerelease"
    DEPLOYED_STAGE = "deployed stage"
    VERIFY_STAGE = "verify stage"
    REJECT = "reject"
    REQUEST_PROD = "request prod"
    BLOCK = "block"
    UNBLOCK = "unblock"
    GREENLIGHT = "greenlight"
    DEPLOYED_PROD = "deployed prod"
    VERIFY_PROD = "verify prod"
    BACKOFF = "backoff prod"

    @property
    def outcome(self) -> str:
        """What the action does to a release, for refusals: "it can't {outcome} now"."""
        return _OUTCOMES[self]


_OUTCOMES = {
    Action.REQUEST_STAGE: "get a stage ticket",
    Action.RERELEASE: "be re-released on stage",
    Action.DEPLOYED_STAGE: "be marked deployed on stage",
    Action.VERIFY_STAGE: "be verified on stage",
    Action.REJECT: "be rejected on stage",
    Action.REQUEST_PROD: "get a prod ticket",
    Action.BLOCK: "be blocked from prod",
    Action.UNBLOCK: "be unblocked",
    Action.GREENLIGHT: "be greenlit",
    Action.DEPLOYED_PROD: "be marked deployed on prod",
    Action.VERIFY_PROD: "be verified on prod",
    Action.BACKOFF: "be backed off from prod",
}


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

    stage_ticket: Bug | None = None
    prod_ticket: Bug | None = None
    open_blockers: tuple[Bug, ...] = ()  # open bugs blocking the prod ticket
    environment: EnvironmentState | None = None  # the environment the action concerns
    qa_files_prod_ticket: bool = False
    bug: Bug | None = None  # the bug the command names (reject, block, unblock)
    load_test_required: bool = False  # the service's workflow.require_load_test
    load_test_passed: bool = False  # QA recorded a passed load test (latest result)
    signoffs_missing: tuple[str, ...] = ()  # teams yet to sign prod off (verify prod)


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
