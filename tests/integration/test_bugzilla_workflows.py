"""Every status transition of both Bugzilla workflows, allowed or refused as Bugzilla does,
driven through python-bugzilla's update_bugs; and the resolution rules around them.

The expected tables are written out here from Bugzilla's sources (classic: Bugzilla 3.2's
Install/DB.pm `_initialize_workflow`, CLOSED deactivated as on bugzilla.mozilla.org;
default: Bugzilla 4.0+'s Install.pm STATUS_WORKFLOW), independently of the stand-in's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations

import bugzilla
import pytest
import requests

from bot.sandbox.bugzilla.standin import BugzillaStandIn
from tests.fixtures.bugzilla import BUGZILLA_KEY, rest_client

CLASSIC_STATUSES = ("UNCONFIRMED", "NEW", "ASSIGNED", "REOPENED", "RESOLVED", "VERIFIED",
                    "CLOSED")
CLASSIC_ALLOWED = {
    "UNCONFIRMED>NEW", "UNCONFIRMED>ASSIGNED", "UNCONFIRMED>RESOLVED",
    "NEW>ASSIGNED", "NEW>RESOLVED",
    "ASSIGNED>NEW", "ASSIGNED>RESOLVED",
    "REOPENED>NEW", "REOPENED>ASSIGNED", "REOPENED>RESOLVED",
    "RESOLVED>UNCONFIRMED", "RESOLVED>REOPENED", "RESOLVED>VERIFIED",
    "VERIFIED>UNCONFIRMED", "VERIFIED>REOPENED",
    "CLOSED>UNCONFIRMED", "CLOSED>REOPENED",
}
DEFAULT_STATUSES = ("UNCONFIRMED", "CONFIRMED", "IN_PROGRESS", "RESOLVED", "VERIFIED")
DEFAULT_ALLOWED = {
    "UNCONFIRMED>CONFIRMED", "UNCONFIRMED>IN_PROGRESS", "UNCONFIRMED>RESOLVED",
    "CONFIRMED>IN_PROGRESS", "CONFIRMED>RESOLVED",
    "IN_PROGRESS>CONFIRMED", "IN_PROGRESS>RESOLVED",
    "RESOLVED>UNCONFIRMED", "RESOLVED>CONFIRMED", "RESOLVED>VERIFIED",
    "VERIFIED>UNCONFIRMED", "VERIFIED>CONFIRMED",
}
CLOSED_STATUSES = {"RESOLVED", "VERIFIED", "CLOSED"}


def _stand_in(workflow: str) -> Iterator[tuple[BugzillaStandIn, bugzilla.Bugzilla]]:
    stand_in = BugzillaStandIn({BUGZILLA_KEY: "qa@mozilla.com"}, workflow=workflow).start()
    try:
        yield stand_in, rest_client(stand_in)
    finally:
        stand_in.stop()


# One stand-in per module and workflow: each test files its own bug, so tests stay
# independent of each other and of their order.
@pytest.fixture(scope="module")
def classic() -> Iterator[tuple[BugzillaStandIn, bugzilla.Bugzilla]]:
    yield from _stand_in("classic")


@pytest.fixture(scope="module")
def default() -> Iterator[tuple[BugzillaStandIn, bugzilla.Bugzilla]]:
    yield from _stand_in("default")


def _seed(stand_in: BugzillaStandIn, status: str, summary: str) -> int:
    resolution = "FIXED" if status in CLOSED_STATUSES else ""
    return stand_in.add_bug(summary, status, resolution)


def _move(bz: bugzilla.Bugzilla, bug_id: int, old: str, new: str) -> None:
    resolution = "FIXED" if new in CLOSED_STATUSES and old not in CLOSED_STATUSES else None
    bz.update_bugs([bug_id], bz.build_update(status=new, resolution=resolution,
                                              comment=f"{old} -> {new}"))


def _check_transition(stand_in: BugzillaStandIn, bz: bugzilla.Bugzilla, old: str, new: str,
                      allowed: bool) -> None:
    bug_id = _seed(stand_in, old, f"Loop — transition {old} to {new}")
    if allowed:
        _move(bz, bug_id, old, new)
        assert stand_in.bug(bug_id)["status"] == new
        return
    with pytest.raises(bugzilla.BugzillaError) as refused:
        _move(bz, bug_id, old, new)
    assert refused.value.code == 123
    assert f"You are not allowed to change the bug status from {old} to {new}." in str(
        refused.value)
    assert stand_in.bug(bug_id)["status"] == old


@pytest.mark.parametrize(("old", "new"), list(permutations(CLASSIC_STATUSES, 2)))
def test_classic_transition(classic: tuple[BugzillaStandIn, bugzilla.Bugzilla], old: str,
                            new: str) -> None:
    stand_in, bz = classic
    _check_transition(stand_in, bz, old, new, f"{old}>{new}" in CLASSIC_ALLOWED)


@pytest.mark.parametrize(("old", "new"), list(permutations(DEFAULT_STATUSES, 2)))
def test_default_transition(default: tuple[BugzillaStandIn, bugzilla.Bugzilla], old: str,
                            new: str) -> None:
    stand_in, bz = default
    _check_transition(stand_in, bz, old, new, f"{old}>{new}" in DEFAULT_ALLOWED)


@pytest.mark.parametrize(
    ("workflow", "statuses", "allowed", "initial"),
    [
        ("classic", CLASSIC_STATUSES, CLASSIC_ALLOWED, {"UNCONFIRMED", "NEW", "ASSIGNED"}),
        ("default", DEFAULT_STATUSES, DEFAULT_ALLOWED,
         {"UNCONFIRMED", "CONFIRMED", "IN_PROGRESS"}),
    ],
)
def test_field_endpoint_lists_can_change_to_as_bugzilla(
    request: pytest.FixtureRequest, workflow: str, statuses: tuple[str, ...],
    allowed: set[str], initial: set[str],
) -> None:
    stand_in, _ = request.getfixturevalue(workflow)
    answer = requests.get(f"{stand_in.url}/rest/field/bug/bug_status", timeout=5).json()
    values = answer["fields"][0]["values"]
    table = {v["name"]: {t["name"] for t in v["can_change_to"]} for v in values}
    assert table.pop("") == initial  # the nameless entry: statuses a new bug may have
    assert set(table) == set(statuses)
    for old in statuses:
        assert table[old] == {new for new in statuses if f"{old}>{new}" in allowed}, old
    same = requests.get(f"{stand_in.url}/rest/field/bug", params={"names": "bug_status"},
                        timeout=5).json()
    assert same == answer


def test_closing_without_resolution_is_121(classic: tuple[BugzillaStandIn, bugzilla.Bugzilla]
                                           ) -> None:
    stand_in, bz = classic
    bug_id = stand_in.add_bug("Loop — Please deploy loop-server 0.13.2 to Stage")
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.update_bugs([bug_id], bz.build_update(status="RESOLVED"))
    assert refused.value.code == 121
    assert stand_in.bug(bug_id)["status"] == "NEW"


def test_resolution_on_open_bug_is_122(classic: tuple[BugzillaStandIn, bugzilla.Bugzilla]
                                       ) -> None:
    stand_in, bz = classic
    bug_id = stand_in.add_bug("Loop — Please deploy loop-server 0.13.3 to Stage")
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.update_bugs([bug_id], bz.build_update(resolution="FIXED"))
    assert refused.value.code == 122
    with pytest.raises(bugzilla.BugzillaError) as reopening:
        bz.update_bugs([bug_id], bz.build_update(status="ASSIGNED", resolution="FIXED"))
    assert reopening.value.code == 122
    assert stand_in.bug(bug_id)["resolution"] == ""


@pytest.mark.parametrize(("workflow", "resolution", "legal"), [
    ("classic", "INCOMPLETE", True), ("classic", "WORKSFORME", True),
    ("classic", "NOTABUG", False), ("default", "INCOMPLETE", False),
    ("default", "WONTFIX", True),
])
def test_resolution_must_be_legal(request: pytest.FixtureRequest, workflow: str,
                                  resolution: str, legal: bool) -> None:
    stand_in, bz = request.getfixturevalue(workflow)
    bug_id = stand_in.add_bug(f"Bug 1071244 — resolve as {resolution}")
    update = bz.build_update(status="RESOLVED", resolution=resolution)
    if legal:
        bz.update_bugs([bug_id], update)
        assert stand_in.bug(bug_id)["resolution"] == resolution
        return
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.update_bugs([bug_id], update)
    assert refused.value.code == 104
    assert stand_in.bug(bug_id)["status"] != "RESOLVED"


def test_duplicate_needs_dupe_of(classic: tuple[BugzillaStandIn, bugzilla.Bugzilla]) -> None:
    stand_in, bz = classic
    original = stand_in.add_bug("Bug 1087041 — rooms: participants not refreshed")
    copy = stand_in.add_bug("Bug 1087042 — rooms participants not refreshed (again)")
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.update_bugs([copy], bz.build_update(status="RESOLVED", resolution="DUPLICATE"))
    assert refused.value.code == 119
    bz.update_bugs([copy], bz.build_update(dupe_of=original))
    marked = stand_in.bug(copy)
    assert (marked["status"], marked["resolution"], marked["dupe_of"]) == (
        "RESOLVED", "DUPLICATE", original)
    with pytest.raises(bugzilla.BugzillaError) as itself:
        bz.update_bugs([original], bz.build_update(dupe_of=original))
    assert itself.value.code == 118


def test_reopening_clears_resolution_and_verifying_keeps_it(
    classic: tuple[BugzillaStandIn, bugzilla.Bugzilla],
) -> None:
    stand_in, bz = classic
    bug_id = stand_in.add_bug("Bug 1095006 — hawk session expiry", "RESOLVED", "FIXED")
    bz.update_bugs([bug_id], bz.build_update(status="VERIFIED"))
    assert (stand_in.bug(bug_id)["status"], stand_in.bug(bug_id)["resolution"]) == (
        "VERIFIED", "FIXED")
    answer = bz.update_bugs([bug_id], bz.build_update(status="REOPENED"))
    assert answer["bugs"][0]["changes"]["resolution"] == {"added": "", "removed": "FIXED"}
    assert stand_in.bug(bug_id)["resolution"] == ""
    assert stand_in.bug(bug_id)["is_open"] is True


def test_resolution_of_a_closed_bug_can_change(
    classic: tuple[BugzillaStandIn, bugzilla.Bugzilla],
) -> None:
    stand_in, bz = classic
    bug_id = stand_in.add_bug("Loop — Please deploy loop-server 0.13.4 to Stage",
                              "RESOLVED", "FIXED")
    bz.update_bugs([bug_id], bz.build_update(resolution="INVALID",
                                              comment="Superseded by 0.13.5"))
    assert stand_in.bug(bug_id)["resolution"] == "INVALID"
    with pytest.raises(bugzilla.BugzillaError) as cleared:
        bz.update_bugs([bug_id], bz.build_update(resolution=""))
    assert cleared.value.code == 121


@pytest.mark.parametrize(("workflow", "code"), [("classic", 123), ("default", 51)])
def test_bug_close_sends_closed_which_both_workflows_refuse(
    request: pytest.FixtureRequest, workflow: str, code: int,
) -> None:
    stand_in, bz = request.getfixturevalue(workflow)
    bug_id = stand_in.add_bug("Bug 1069654 — push URL not updated")
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.getbug(bug_id).close("FIXED")
    assert refused.value.code == code
    assert stand_in.bug(bug_id)["resolution"] == ""


@pytest.mark.parametrize(("workflow", "status", "allowed"), [
    ("classic", "UNCONFIRMED", True), ("classic", "ASSIGNED", True),
    ("classic", "REOPENED", False), ("classic", "RESOLVED", False),
    ("default", "IN_PROGRESS", True), ("default", "VERIFIED", False),
])
def test_new_bug_status_follows_the_workflow(request: pytest.FixtureRequest, workflow: str,
                                             status: str, allowed: bool) -> None:
    stand_in, bz = request.getfixturevalue(workflow)
    data = bz.build_createbug(product="Loop", component="Server", version="unspecified",
                              summary=f"Bug 1094663 — filed as {status}",
                              description="steps", status=status)
    if allowed:
        assert stand_in.bug(bz.createbug(data).id)["status"] == status
        return
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.createbug(data)
    assert refused.value.code == 123
    assert f"file new bugs with the {status} status" in str(refused.value)


@pytest.mark.parametrize(("workflow", "reopened"), [("classic", "REOPENED"),
                                                    ("default", "CONFIRMED")])
@pytest.mark.parametrize("closed", ["RESOLVED", "VERIFIED"])
def test_a_backed_off_prod_ticket_is_reopened_in_either_workflow(
    workflow: str, reopened: str, closed: str,
) -> None:
    from bot.partners.bugzilla import BugzillaTracker
    from tests.fixtures.bugzilla import TICKET_COMPONENT, TICKET_PRODUCT

    for stand_in, _ in _stand_in(workflow):
        tracker = BugzillaTracker(f"{stand_in.url}/rest", BUGZILLA_KEY, TICKET_PRODUCT,
                                  TICKET_COMPONENT, timeout=5.0)
        ticket = stand_in.add_bug("Loop — Please deploy loop-server 0.13.0 to Production",
                                  closed, "FIXED")
        tracker.reopen(ticket, "backoff prod by ops via loopbot: rooms drop")
        bug = stand_in.bug(ticket)
        assert (bug["status"], bug["resolution"]) == (reopened, "")
        assert stand_in.comments(ticket)[-1]["text"].endswith("rooms drop")
