"""BugzillaTracker (the Tracker port over python-bugzilla) against the Bugzilla stand-in:
what it reads and writes, how many requests it costs, and how it fails."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bot.domain.facts import Bug
from bot.partners.bugzilla import BugzillaTracker
from bot.sandbox.bugzilla.standin import BugzillaStandIn
from bot.usecases.ports import Conflict, NotFound, PartnerError
from tests.fixtures.bugzilla import BUGZILLA_KEY, TICKET_COMPONENT, TICKET_PRODUCT

STAGE = "Loop — Please deploy loop-server 0.13.1 to Stage"


def _ticket(stand_in: BugzillaStandIn, summary: str, status: str | None = None,
            resolution: str = "", **extra: Any) -> int:
    return stand_in.add_bug(summary, status, resolution, product=TICKET_PRODUCT,
                            component=TICKET_COMPONENT, **extra)


def test_building_does_no_io_and_first_call_connects_once(
    bugzilla_standin: BugzillaStandIn,
) -> None:
    tracker = BugzillaTracker(f"{bugzilla_standin.url}/rest", BUGZILLA_KEY, TICKET_PRODUCT,
                              TICKET_COMPONENT)
    assert bugzilla_standin.count() == 0
    bug_id = bugzilla_standin.add_bug("Bug 1094662 — sp backwards compatibility")
    tracker.bug(bug_id)
    tracker.bug(bug_id)
    assert bugzilla_standin.count("GET", r"^/rest/version$") == 1
    assert BUGZILLA_KEY not in repr(tracker)


def test_bugs_of_100_ids_is_one_request(tracker: BugzillaTracker,
                                        bugzilla_standin: BugzillaStandIn) -> None:
    ids = [bugzilla_standin.add_bug(f"Bug {1071000 + n} — fix {n}", "RESOLVED", "FIXED",
                                    id=1071000 + n) for n in range(100)]
    tracker.bug(ids[0])  # connect first, so only the read is counted below
    with bugzilla_standin.counting() as seen:
        bugs = tracker.bugs([*reversed(ids), 1071500])
    assert len(seen) == 1
    assert sorted(bugs) == ids  # the unknown id is absent
    assert bugs[1071042] == Bug(1071042, "Bug 1071042 — fix 42", "RESOLVED", "FIXED",
                                type="defect")  # Bugzilla 5 gives every bug a type
    assert bugs[1071042].is_fixed


def test_bugs_chunks_only_above_a_few_hundred(tracker: BugzillaTracker,
                                              bugzilla_standin: BugzillaStandIn) -> None:
    ids = [bugzilla_standin.add_bug(f"Bug {1072000 + n} — fix", id=1072000 + n)
           for n in range(301)]
    tracker.bug(ids[0])
    with bugzilla_standin.counting() as seen:
        bugs = tracker.bugs(ids)
    assert len(seen) == 2 and len(bugs) == 301


def test_bugs_of_nothing_or_one_unknown(tracker: BugzillaTracker,
                                        bugzilla_standin: BugzillaStandIn) -> None:
    assert tracker.bugs([]) == {}
    assert bugzilla_standin.count() == 0
    assert tracker.bugs([1999999]) == {}


def test_bug_not_found(tracker: BugzillaTracker) -> None:
    with pytest.raises(NotFound) as missing:
        tracker.bug(1999999)
    assert "bug 1999999 does not exist" in str(missing.value)
    assert str(missing.value).startswith("Bugzilla: ")


def test_file_ticket_with_dependencies(tracker: BugzillaTracker,
                                       bugzilla_standin: BugzillaStandIn) -> None:
    fixed = [bugzilla_standin.add_bug(f"Bug {n} — fixed", "RESOLVED", "FIXED", id=n)
             for n in (1094662, 1095006)]
    with bugzilla_standin.counting() as seen:
        ticket = tracker.file_ticket(STAGE, "Changelog:\n- 1094662\n- 1095006", fixed)
    assert [(r.method, r.path) for r in seen] == [("GET", "/rest/version"),
                                                 ("POST", "/rest/bug")]
    filed = bugzilla_standin.bug(ticket)
    assert (filed["summary"], filed["product"], filed["component"], filed["status"]) == (
        STAGE, TICKET_PRODUCT, TICKET_COMPONENT, "NEW")
    assert filed["depends_on"] == fixed
    assert "- 1095006" in bugzilla_standin.comments(ticket)[0]["text"]
    assert tracker.bug(ticket).depends_on == tuple(fixed)


def test_find_ticket_returns_newest_exact_match(tracker: BugzillaTracker,
                                                bugzilla_standin: BugzillaStandIn) -> None:
    old = _ticket(bugzilla_standin, STAGE, "RESOLVED", "INVALID")
    newest = _ticket(bugzilla_standin, STAGE)
    _ticket(bugzilla_standin, f"{STAGE} (second attempt)")
    bugzilla_standin.add_bug(STAGE, product="Loop", component="Server")
    found = tracker.find_ticket(STAGE)
    assert found is not None and found.id == newest > old
    assert tracker.find_ticket("Loop — Please deploy loop-server 0.13.9 to Stage") is None


def test_set_status_through_the_deployment(tracker: BugzillaTracker,
                                           bugzilla_standin: BugzillaStandIn) -> None:
    ticket = _ticket(bugzilla_standin, STAGE)
    tracker.set_status(ticket, "RESOLVED", "FIXED", comment="Deployed 0.13.1 to stage.")
    tracker.set_status(ticket, "VERIFIED")
    bug = tracker.bug(ticket)
    assert bug.is_verified
    assert bugzilla_standin.comments(ticket)[-1]["text"] == "Deployed 0.13.1 to stage."


def test_set_status_refused_transition_is_a_conflict(
    tracker: BugzillaTracker, bugzilla_standin: BugzillaStandIn,
) -> None:
    ticket = _ticket(bugzilla_standin, STAGE)
    with pytest.raises(Conflict) as refused:
        tracker.set_status(ticket, "VERIFIED", "FIXED")
    assert "from NEW to VERIFIED" in str(refused.value)
    with pytest.raises(Conflict) as no_resolution:
        tracker.set_status(ticket, "RESOLVED")
    assert "code=121" in str(no_resolution.value)
    assert bugzilla_standin.bug(ticket)["status"] == "NEW"


def test_set_status_of_unknown_bug_is_not_found(tracker: BugzillaTracker) -> None:
    with pytest.raises(NotFound):
        tracker.set_status(1999998, "RESOLVED", "FIXED")


def test_supersede_a_stage_ticket_as_invalid(tracker: BugzillaTracker,
                                             bugzilla_standin: BugzillaStandIn) -> None:
    ticket = _ticket(bugzilla_standin, STAGE, "RESOLVED", "FIXED")
    tracker.set_status(ticket, "RESOLVED", "INVALID", comment="Replaced by bug 1100002.")
    assert tracker.bug(ticket).resolution == "INVALID"


def test_add_and_remove_blocker(tracker: BugzillaTracker,
                                bugzilla_standin: BugzillaStandIn) -> None:
    ticket = _ticket(bugzilla_standin, "Loop — Please deploy loop-server 0.13.1 to Production")
    blocker = bugzilla_standin.add_bug("Bug 1097345 — regression on /v2/rooms", id=1097345)
    tracker.add_blocker(ticket, blocker)
    assert tracker.bug(ticket).depends_on == (blocker,)
    assert tracker.bug(blocker).blocks == (ticket,)
    tracker.remove_blocker(ticket, blocker)
    assert tracker.bug(ticket).depends_on == ()
    with pytest.raises(NotFound):
        tracker.add_blocker(ticket, 1999996)


def test_comment(tracker: BugzillaTracker, bugzilla_standin: BugzillaStandIn) -> None:
    ticket = _ticket(bugzilla_standin, STAGE)
    tracker.comment(ticket, "Load tests window agreed with TokBox: Thursday 14:00 UTC.")
    assert bugzilla_standin.comments(ticket)[-1]["text"].startswith("Load tests window")
    assert bugzilla_standin.comments(ticket)[-1]["creator"] == "loopbot@mozilla.com"


def test_bug_url() -> None:
    tracker = BugzillaTracker("https://bugzilla.mozilla.org/rest", "k", "Cloud Services",
                              "Operations: Deployment Requests")
    assert tracker.bug_url(1094662) == "https://bugzilla.mozilla.org/show_bug.cgi?id=1094662"


def test_bad_key_is_partner_error_without_the_key(bugzilla_standin: BugzillaStandIn) -> None:
    secret = "dEaDbEeF-revoked-key-1234"
    tracker = BugzillaTracker(f"{bugzilla_standin.url}/rest", secret, TICKET_PRODUCT,
                              TICKET_COMPONENT)
    with pytest.raises(PartnerError) as refused:
        tracker.bugs([1094662, 1095006])
    text = str(refused.value)
    assert "API key" in text and "BUGZILLA_API_KEY" in text and "306" in text
    assert secret not in text and secret not in repr(refused.value)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_down_server_is_partner_error_without_the_key() -> None:
    secret = "s3cr3t-key-for-down-test"
    url = f"http://127.0.0.1:{_free_port()}/rest"
    tracker = BugzillaTracker(url, secret, TICKET_PRODUCT, TICKET_COMPONENT, timeout=2)
    with pytest.raises(PartnerError) as down:
        tracker.file_ticket(STAGE, "changelog", [])
    text = str(down.value)
    assert "cannot reach" in text and url in text
    assert secret not in text and secret not in repr(down.value.__context__ or "")


def test_server_error_is_partner_error_and_next_call_works(
    tracker: BugzillaTracker, bugzilla_standin: BugzillaStandIn,
) -> None:
    ticket = _ticket(bugzilla_standin, STAGE)
    bugzilla_standin.faults.fail_next(500, path=r"^/rest/bug")
    with pytest.raises(PartnerError) as failed:
        tracker.bug(ticket)
    assert "HTTP 500" in str(failed.value) and BUGZILLA_KEY not in str(failed.value)
    assert not isinstance(failed.value, NotFound | Conflict)
    assert tracker.bug(ticket).id == ticket


def test_failed_connect_is_retried_by_the_next_call(
    tracker: BugzillaTracker, bugzilla_standin: BugzillaStandIn,
) -> None:
    bugzilla_standin.faults.drop_next()
    with pytest.raises(PartnerError):
        tracker.bugs([1094662])
    ticket = _ticket(bugzilla_standin, STAGE)
    assert tracker.bug(ticket).summary == STAGE


def test_slow_server_times_out_as_partner_error(bugzilla_standin: BugzillaStandIn) -> None:
    tracker = BugzillaTracker(f"{bugzilla_standin.url}/rest", BUGZILLA_KEY, TICKET_PRODUCT,
                              TICKET_COMPONENT, timeout=0.2)
    bugzilla_standin.faults.latency = 0.6
    with pytest.raises(PartnerError) as slow:
        tracker.bug(1094662)
    assert "within 0.2 s" in str(slow.value)
