"""Bugzilla's status workflows and the checks Bugzilla 5 makes on a status/resolution change.

Pure code: `check_change(workflow, bug, ...)` either returns the new (status, resolution,
dupe_of) or raises `BugzillaFault` with Bugzilla's own error code, HTTP status and message.

Two workflows, selectable per stand-in:

- "classic": the table Bugzilla 3.2-3.6 created in `Bugzilla/Install/DB.pm`
  (`_initialize_workflow`), which upgraded installations keep; bugzilla.mozilla.org is one.
  Statuses UNCONFIRMED, NEW, ASSIGNED, REOPENED (open), RESOLVED, VERIFIED (closed). CLOSED
  is in that table too but bugzilla.mozilla.org deactivated it, so it is kept here as an
  inactive status: moving a bug to it is refused with 123, as Bugzilla refuses any status
  that is not among the bug's available transitions. Resolutions are BMO's.
- "default": `STATUS_WORKFLOW` in `Bugzilla/Install.pm` (Bugzilla >= 4.0 new installs):
  UNCONFIRMED, CONFIRMED, IN_PROGRESS (open), RESOLVED, VERIFIED (closed). CLOSED does not
  exist there: Bugzilla answers 51 "There is no status called 'CLOSED'" (HTTP 404).

Error codes are `Bugzilla/WebService/Constants.pm`'s (WS_ERROR_CODE) and HTTP statuses its
REST_STATUS_CODE_MAP (404 for 51, 101, 32614; 401 for auth and access codes; else 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DOCUMENTATION = "https://bugzilla.readthedocs.org/en/5.0/api/"

NOT_FOUND_CODES = frozenset({51, 101, 32614})
NOT_AUTHORIZED_CODES = frozenset(
    {102, 106, 109, 110, 113, 115, 120, 300, 301, 302, 303, 304, 410, 504, 505}
)


class BugzillaFault(Exception):
    """An error Bugzilla reports as {"error": true, "code": N, "message": ...}."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        if self.code in NOT_FOUND_CODES:
            return 404
        if self.code in NOT_AUTHORIZED_CODES:
            return 401
        return 400


@dataclass(frozen=True)
class Workflow:
    name: str
    open_statuses: tuple[str, ...]
    closed_statuses: tuple[str, ...]
    inactive: frozenset[str]
    initial: tuple[str, ...]  # statuses a new bug may be filed with
    transitions: frozenset[tuple[str, str]]
    resolutions: tuple[str, ...]
    default_new_status: str

    @property
    def statuses(self) -> tuple[str, ...]:
        return (*self.open_statuses, *self.closed_statuses)

    def is_open(self, status: str) -> bool:
        return status in self.open_statuses

    def can_change(self, old: str | None, new: str) -> bool:
        if new in self.inactive:
            return False
        if old is None:
            return new in self.initial
        return (old, new) in self.transitions

    def targets(self, old: str | None) -> list[str]:
        """Statuses reachable from `old` (None: a new bug), in the workflow's order."""
        return [s for s in self.statuses if s != old and self.can_change(old, s)]


CLASSIC = Workflow(
    name="classic",
    open_statuses=("UNCONFIRMED", "NEW", "ASSIGNED", "REOPENED"),
    closed_statuses=("RESOLVED", "VERIFIED", "CLOSED"),
    inactive=frozenset({"CLOSED"}),
    initial=("UNCONFIRMED", "NEW", "ASSIGNED"),
    transitions=frozenset(
        {
            ("UNCONFIRMED", "NEW"), ("UNCONFIRMED", "ASSIGNED"), ("UNCONFIRMED", "RESOLVED"),
            ("NEW", "ASSIGNED"), ("NEW", "RESOLVED"),
            ("ASSIGNED", "NEW"), ("ASSIGNED", "RESOLVED"),
            ("REOPENED", "NEW"), ("REOPENED", "ASSIGNED"), ("REOPENED", "RESOLVED"),
            ("RESOLVED", "UNCONFIRMED"), ("RESOLVED", "REOPENED"), ("RESOLVED", "VERIFIED"),
            ("RESOLVED", "CLOSED"),
            ("VERIFIED", "UNCONFIRMED"), ("VERIFIED", "REOPENED"), ("VERIFIED", "CLOSED"),
            ("CLOSED", "UNCONFIRMED"), ("CLOSED", "REOPENED"),
        }
    ),
    resolutions=(
        "FIXED", "INVALID", "WONTFIX", "DUPLICATE", "WORKSFORME", "INCOMPLETE", "EXPIRED",
        "MOVED",
    ),
    default_new_status="NEW",
)

DEFAULT = Workflow(
    name="default",
    open_statuses=("UNCONFIRMED", "CONFIRMED", "IN_PROGRESS"),
    closed_statuses=("RESOLVED", "VERIFIED"),
    inactive=frozenset(),
    initial=("UNCONFIRMED", "CONFIRMED", "IN_PROGRESS"),
    transitions=frozenset(
        {
            ("UNCONFIRMED", "CONFIRMED"), ("UNCONFIRMED", "IN_PROGRESS"),
            ("UNCONFIRMED", "RESOLVED"),
            ("CONFIRMED", "IN_PROGRESS"), ("CONFIRMED", "RESOLVED"),
            ("IN_PROGRESS", "CONFIRMED"), ("IN_PROGRESS", "RESOLVED"),
            ("RESOLVED", "UNCONFIRMED"), ("RESOLVED", "CONFIRMED"), ("RESOLVED", "VERIFIED"),
            ("VERIFIED", "UNCONFIRMED"), ("VERIFIED", "CONFIRMED"),
        }
    ),
    resolutions=("FIXED", "INVALID", "WONTFIX", "DUPLICATE", "WORKSFORME"),
    default_new_status="CONFIRMED",
)

WORKFLOWS: Mapping[str, Workflow] = {"classic": CLASSIC, "default": DEFAULT}


@dataclass(frozen=True)
class StatusChange:
    status: str
    resolution: str
    dupe_of: int | None


def illegal_transition(old: str | None, new: str) -> BugzillaFault:
    if old is None:
        return BugzillaFault(123, f"You are not allowed to file new bugs with the {new} status.")
    return BugzillaFault(
        123, f"You are not allowed to change the bug status from {old} to {new}."
    )


def check_status_name(workflow: Workflow, status: str) -> None:
    if status not in workflow.statuses:
        raise BugzillaFault(51, f"There is no status called '{status}'.")


def check_resolution_name(workflow: Workflow, resolution: str) -> None:
    if resolution and resolution not in workflow.resolutions:
        raise BugzillaFault(104, "A legal Resolution was not set.")


def check_new_bug(workflow: Workflow, status: str | None, resolution: str) -> str:
    """The status a new bug gets; refuses what Bugzilla refuses at creation."""
    status = status or workflow.default_new_status
    check_status_name(workflow, status)
    if not workflow.can_change(None, status):
        raise illegal_transition(None, status)
    if resolution:
        raise BugzillaFault(122, "You cannot set a resolution for open bugs.")
    return status


def check_change(
    workflow: Workflow,
    bug: Mapping[str, object],
    *,
    status: str | None = None,
    resolution: str | None = None,
    dupe_of: int | None = None,
) -> StatusChange:
    """Validate a status/resolution/dupe_of update of `bug` like Bugzilla's Bug::set_all."""
    old_status = str(bug["status"])
    old_resolution = str(bug.get("resolution") or "")
    old_dupe = bug.get("dupe_of")
    if dupe_of is not None:
        return _mark_duplicate(workflow, bug, status, dupe_of)
    new_status = status or old_status
    check_status_name(workflow, new_status)
    if new_status != old_status and not workflow.can_change(old_status, new_status):
        raise illegal_transition(old_status, new_status)
    if workflow.is_open(new_status):
        if resolution:
            raise BugzillaFault(122, "You cannot set a resolution for open bugs.")
        return StatusChange(new_status, "", None)
    new_resolution = old_resolution if resolution is None else resolution
    if not new_resolution:
        raise BugzillaFault(
            121, f"A valid resolution is required to mark bugs as {new_status}."
        )
    check_resolution_name(workflow, new_resolution)
    if new_resolution == "DUPLICATE" and old_resolution != "DUPLICATE":
        raise BugzillaFault(
            119, "You must specify a bug number of which this bug is a duplicate."
        )
    keep = old_dupe if new_resolution == "DUPLICATE" and isinstance(old_dupe, int) else None
    return StatusChange(new_status, new_resolution, keep or None)


def _mark_duplicate(
    workflow: Workflow, bug: Mapping[str, object], status: str | None, dupe_of: int
) -> StatusChange:
    """Bugzilla's set_dup_id: resolution DUPLICATE, and RESOLVED if the bug was open."""
    if dupe_of == bug["id"]:
        raise BugzillaFault(118, "You can't mark a bug as a duplicate of itself.")
    old_status = str(bug["status"])
    new_status = status or (old_status if not workflow.is_open(old_status) else "RESOLVED")
    check_status_name(workflow, new_status)
    if new_status != old_status and not workflow.can_change(old_status, new_status):
        raise illegal_transition(old_status, new_status)
    if workflow.is_open(new_status):
        raise BugzillaFault(122, "You cannot set a resolution for open bugs.")
    return StatusChange(new_status, "DUPLICATE", dupe_of)
