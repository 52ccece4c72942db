"""The Bugzilla stand-in through python-bugzilla (REST) and raw HTTP: requests, answers,
error codes and HTTP statuses, persistence, thread safety and injected faults."""

from __future__ import annotations

import threading
from pathlib import Path

import bugzilla
import pytest
import requests
from bugzilla.exceptions import BugzillaHTTPError

from bot.sandbox.bugzilla.standin import BugzillaStandIn
from tests.fixtures.bugzilla import BUGZILLA_KEY, TICKET_COMPONENT, TICKET_PRODUCT, rest_client

FIELDS = ["id", "summary", "status", "resolution", "depends_on", "blocks"]


def _ticket(bz: bugzilla.Bugzilla, summary: str, **extra: object) -> int:
    data = bz.build_createbug(product=TICKET_PRODUCT, component=TICKET_COMPONENT,
                              version="unspecified", summary=summary,
                              description="Changelog: https://github.com/mozilla-services/"
                              "loop-server/compare/0.13.0...0.13.1", **extra)
    return int(bz.createbug(data).id)


def test_connect_is_one_version_request(bugzilla_standin: BugzillaStandIn) -> None:
    bz = rest_client(bugzilla_standin)
    assert bugzilla_standin.count() == 1
    assert bugzilla_standin.count("GET", r"^/rest/version$") == 1
    assert bz.bz_ver_major == 5


def test_create_answers_201_with_mozilla_like_id(bugzilla_standin: BugzillaStandIn) -> None:
    answer = requests.post(
        f"{bugzilla_standin.url}/rest/bug", params={"Bugzilla_api_key": BUGZILLA_KEY},
        json={"product": "Loop", "component": "Server", "version": "unspecified",
              "summary": "Bug 1094662 — sp backwards compatibility", "description": "x"},
        timeout=5,
    )
    assert answer.status_code == 201
    assert answer.json() == {"id": 1100001}


def test_created_ticket_reads_back_with_dependencies(bz: bugzilla.Bugzilla,
                                                     bugzilla_standin: BugzillaStandIn) -> None:
    fixed = bugzilla_standin.add_bug("Bug 1094662 — sp backwards compatibility",
                                     "RESOLVED", "FIXED", id=1094662)
    ticket = _ticket(bz, "Loop — Please deploy loop-server 0.13.1 to Stage",
                     depends_on=[fixed])
    bug = bz.getbug(ticket)
    assert (bug.summary, bug.status, bug.product, bug.component) == (
        "Loop — Please deploy loop-server 0.13.1 to Stage", "NEW", TICKET_PRODUCT,
        TICKET_COMPONENT)
    assert bug.depends_on == [1094662]
    assert bz.getbug(fixed).blocks == [ticket]
    assert bug.creator == "loopbot@mozilla.com"
    comments = bugzilla_standin.comments(ticket)
    assert comments[0]["count"] == 0 and "compare/0.13.0...0.13.1" in comments[0]["text"]


def test_getbugs_is_one_request_honouring_include_fields(
    bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn,
) -> None:
    ids = [bugzilla_standin.add_bug(f"Bug {1071240 + n} — fix {n}", id=1071240 + n)
           for n in range(5)]
    with bugzilla_standin.counting() as seen:
        bugs = bz.getbugs([*ids, 1071299], include_fields=list(FIELDS))
    assert len(seen) == 1 and seen[0].path == "/rest/bug"
    assert seen[0].query["id"] == [str(i) for i in [*ids, 1071299]]
    assert [b.id for b in bugs] == ids  # the unknown id is absent
    assert set(bugs[0].get_raw_data()) == set(FIELDS)


def test_exclude_fields(bugzilla_standin: BugzillaStandIn) -> None:
    bug_id = bugzilla_standin.add_bug("Bug 1071247 — fix fxa oauth")
    answer = requests.get(f"{bugzilla_standin.url}/rest/bug/{bug_id}",
                          params={"exclude_fields": "summary,depends_on"}, timeout=5).json()
    assert "summary" not in answer["bugs"][0] and "depends_on" not in answer["bugs"][0]
    assert answer["bugs"][0]["status"] == "NEW"


def test_unknown_bug_is_101_with_404(bz: bugzilla.Bugzilla,
                                     bugzilla_standin: BugzillaStandIn) -> None:
    with pytest.raises(bugzilla.BugzillaError) as missing:
        bz.getbug(1999999)
    assert missing.value.code == 101
    answer = requests.get(f"{bugzilla_standin.url}/rest/bug/1999999", timeout=5)
    assert answer.status_code == 404
    assert answer.json() == {
        "error": True, "code": 101, "message": "Bug #1999999 does not exist.",
        "documentation": "https://bugzilla.readthedocs.org/en/5.0/api/",
    }


def test_permissive_get_reports_faults(bugzilla_standin: BugzillaStandIn) -> None:
    answer = requests.get(f"{bugzilla_standin.url}/rest/bug/1999998",
                          params={"permissive": "1"}, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["bugs"] == []
    assert answer.json()["faults"][0]["faultCode"] == 101


def test_bad_key_fails_at_connect_with_306(bugzilla_standin: BugzillaStandIn) -> None:
    with pytest.raises(bugzilla.BugzillaError) as refused:
        rest_client(bugzilla_standin, key="expired-key-0000")
    assert refused.value.code == 306
    answer = requests.get(f"{bugzilla_standin.url}/rest/version",
                          params={"Bugzilla_api_key": "expired-key-0000"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["code"] == 306


def test_anonymous_can_read_but_not_write(bugzilla_standin: BugzillaStandIn) -> None:
    bug_id = bugzilla_standin.add_bug("Bug 1087041 — rooms refresh")
    anonymous = bugzilla.Bugzilla(f"{bugzilla_standin.url}/rest", force_rest=True,
                                  use_creds=False)
    assert anonymous.getbug(bug_id).status == "NEW"
    with pytest.raises(bugzilla.BugzillaError) as refused:
        anonymous.update_bugs([bug_id], anonymous.build_update(status="ASSIGNED"))
    assert refused.value.code == 410
    answer = requests.put(f"{bugzilla_standin.url}/rest/bug/{bug_id}",
                          json={"status": "ASSIGNED"}, timeout=5)
    assert answer.status_code == 401


@pytest.mark.parametrize(("product", "component", "code", "status"), [
    ("Firefox OS", "Server", 106, 401),
    ("Loop", "Operations: Deployment Requests", 105, 400),
])
def test_invalid_product_or_component(bugzilla_standin: BugzillaStandIn, product: str,
                                      component: str, code: int, status: int) -> None:
    answer = requests.post(
        f"{bugzilla_standin.url}/rest/bug", params={"Bugzilla_api_key": BUGZILLA_KEY},
        json={"product": product, "component": component, "version": "unspecified",
              "summary": "Loop — Please deploy loop-server 0.14.0 to Stage"}, timeout=5,
    )
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert bugzilla_standin.db.all() == []


def test_missing_summary_is_107(bz: bugzilla.Bugzilla) -> None:
    with pytest.raises(bugzilla.BugzillaError) as refused:
        bz.createbug(bz.build_createbug(product="Loop", component="Server",
                                        version="unspecified", summary=" "))
    assert refused.value.code == 107


def test_unknown_resource_is_32614(bugzilla_standin: BugzillaStandIn) -> None:
    answer = requests.get(f"{bugzilla_standin.url}/rest/flag_type/42", timeout=5)
    assert (answer.status_code, answer.json()["code"]) == (404, 32614)


def test_query_by_status_product_component_summary_and_limit(
    bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn,
) -> None:
    stage = _ticket(bz, "Loop — Please deploy loop-server 0.13.1 to Stage")
    prod = _ticket(bz, "Loop — Please deploy loop-server 0.13.1 to Production")
    bugzilla_standin.add_bug("Loop — Please deploy loop-server 0.13.1 to Stage (notes)")
    bz.update_bugs([prod], bz.build_update(status="RESOLVED", resolution="FIXED"))
    found = bz.query(bz.build_query(product=TICKET_PRODUCT, component=TICKET_COMPONENT,
                                    short_desc="LOOP-SERVER 0.13.1", status="NEW"))
    assert [b.id for b in found] == [stage]
    both = bz.query(bz.build_query(product=TICKET_PRODUCT, short_desc="0.13.1"))
    assert [b.id for b in both] == [stage, prod]
    assert bugzilla_standin.count("GET", r"^/rest/bug$") == 2
    newest = requests.get(f"{bugzilla_standin.url}/rest/bug",
                          params={"summary": "0.13.1", "limit": "1", "order": "bug_id DESC"},
                          timeout=5).json()["bugs"]
    assert [b["id"] for b in newest] == [max(stage, prod) + 1]


def test_update_honours_ids_in_body(bz: bugzilla.Bugzilla,
                                    bugzilla_standin: BugzillaStandIn) -> None:
    ids = [bugzilla_standin.add_bug(f"Bug {1095000 + n} — batch", id=1095000 + n)
           for n in range(3)]
    with bugzilla_standin.counting() as seen:
        answer = bz.update_bugs(ids, bz.build_update(status="ASSIGNED"))
    assert [(r.method, r.path) for r in seen] == [("PUT", "/rest/bug/1095000")]
    assert [b["id"] for b in answer["bugs"]] == ids
    assert answer["bugs"][0]["changes"]["status"] == {"added": "ASSIGNED", "removed": "NEW"}
    assert {bugzilla_standin.bug(i)["status"] for i in ids} == {"ASSIGNED"}


def test_update_is_all_or_nothing(bz: bugzilla.Bugzilla,
                                  bugzilla_standin: BugzillaStandIn) -> None:
    open_bug = bugzilla_standin.add_bug("Bug 1096001 — still open")
    fixed = bugzilla_standin.add_bug("Bug 1096002 — fixed", "RESOLVED", "FIXED")
    with pytest.raises(bugzilla.BugzillaError):
        bz.update_bugs([open_bug, fixed], bz.build_update(status="ASSIGNED"))
    assert bugzilla_standin.bug(open_bug)["status"] == "NEW"


def test_depends_on_add_remove_set_are_reciprocal(
    bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn,
) -> None:
    ticket = bugzilla_standin.add_bug("Loop — Please deploy loop-server 0.13.1 to Production",
                                      product=TICKET_PRODUCT, component=TICKET_COMPONENT)
    a, b, c = (bugzilla_standin.add_bug(f"Bug {n} — blocker", id=n)
               for n in (1097001, 1097002, 1097003))
    answer = bz.update_bugs([ticket], bz.build_update(depends_on_add=[a, b]))
    assert answer["bugs"][0]["changes"]["depends_on"] == {
        "added": "1097001, 1097002", "removed": ""}
    bz.update_bugs([ticket], bz.build_update(depends_on_remove=[a]))
    assert bugzilla_standin.bug(ticket)["depends_on"] == [b]
    assert bugzilla_standin.bug(a)["blocks"] == []
    bz.update_bugs([ticket], bz.build_update(depends_on_set=[c]))
    assert bugzilla_standin.bug(ticket)["depends_on"] == [c]
    assert (bugzilla_standin.bug(b)["blocks"], bugzilla_standin.bug(c)["blocks"]) == (
        [], [ticket])
    bz.update_bugs([a], bz.build_update(blocks_add=[ticket]))
    assert bugzilla_standin.bug(ticket)["depends_on"] == [a, c]
    with pytest.raises(bugzilla.BugzillaError) as unknown:
        bz.update_bugs([ticket], bz.build_update(depends_on_add=[1999997]))
    assert unknown.value.code == 101


def test_comments_get_and_post(bz: bugzilla.Bugzilla,
                               bugzilla_standin: BugzillaStandIn) -> None:
    bug_id = _ticket(bz, "Loop — Please deploy loop-server 0.13.1 to Stage")
    bz.update_bugs([bug_id], bz.build_update(comment="Deployed to stage."))
    posted = requests.post(f"{bugzilla_standin.url}/rest/bug/{bug_id}/comment",
                           params={"Bugzilla_api_key": BUGZILLA_KEY},
                           json={"comment": "Load tests passed."}, timeout=5)
    assert posted.status_code == 201 and isinstance(posted.json()["id"], int)
    comments = bz.get_comments([bug_id])["bugs"][str(bug_id)]["comments"]
    assert [c["text"] for c in comments[1:]] == ["Deployed to stage.", "Load tests passed."]
    assert [c["count"] for c in comments] == [0, 1, 2]
    empty = requests.post(f"{bugzilla_standin.url}/rest/bug/{bug_id}/comment",
                          params={"Bugzilla_api_key": BUGZILLA_KEY}, json={}, timeout=5)
    assert (empty.status_code, empty.json()["code"]) == (400, 50)


def test_users_and_whoami(bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn) -> None:
    assert bz.getuser("loopbot@mozilla.com").email == "loopbot@mozilla.com"
    with pytest.raises(bugzilla.BugzillaError) as unknown:
        bz.getuser("nobody-here@example.com")
    assert unknown.value.code == 51
    me = requests.get(f"{bugzilla_standin.url}/rest/whoami",
                      headers={"X-BUGZILLA-API-KEY": BUGZILLA_KEY}, timeout=5).json()
    assert me["name"] == "loopbot@mozilla.com"
    by_id = requests.get(f"{bugzilla_standin.url}/rest/user", params={"ids": me["id"]},
                         timeout=5).json()
    assert by_id["users"][0]["name"] == "loopbot@mozilla.com"


def test_products_for_the_cli_info_command(bz: bugzilla.Bugzilla) -> None:
    names = {p["name"]: p for p in bz.getproducts()}
    assert set(names) == {"Cloud Services", "Loop"}
    components = {c["name"] for c in names["Cloud Services"]["components"]}
    assert TICKET_COMPONENT in components


def test_state_dir_persists_across_restarts(tmp_path: Path) -> None:
    first = BugzillaStandIn(state_dir=tmp_path).start()
    try:
        bz = rest_client(first)
        ticket = _ticket(bz, "Loop — Please deploy loop-server 0.13.1 to Stage")
        bz.update_bugs([ticket], bz.build_update(status="RESOLVED", resolution="FIXED",
                                                  comment="Deployed."))
    finally:
        first.stop()
    second = BugzillaStandIn(state_dir=tmp_path).start()
    try:
        assert (second.bug(ticket)["status"], second.bug(ticket)["resolution"]) == (
            "RESOLVED", "FIXED")
        assert second.comments(ticket)[-1]["text"] == "Deployed."
        [history] = rest_client(second).bugs_history_raw([ticket])["bugs"]
        moved = {c["field_name"]: c["added"] for c in history["history"][-1]["changes"]}
        assert (moved["status"], moved["resolution"]) == ("RESOLVED", "FIXED")
        assert second.add_bug("Bug 1098001 — next one") == ticket + 1
    finally:
        second.stop()
    assert (tmp_path / "bugzilla.json").exists()


def test_concurrent_creates_get_distinct_ids(bugzilla_standin: BugzillaStandIn) -> None:
    created: list[int] = []
    lock = threading.Lock()

    def file(n: int) -> None:
        bz = rest_client(bugzilla_standin)
        bug_id = _ticket(bz, f"Loop — Please deploy loop-server 0.15.{n} to Stage")
        with lock:
            created.append(bug_id)

    threads = [threading.Thread(target=file, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(created) == list(range(1100001, 1100009))


def test_injected_500_surfaces_as_bugzilla_http_error(
    bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn,
) -> None:
    bug_id = bugzilla_standin.add_bug("Bug 1099001 — flaky")
    bugzilla_standin.faults.fail_next(500, path=r"^/rest/bug/")
    with pytest.raises(BugzillaHTTPError) as failed:
        bz.getbug(bug_id)
    assert failed.value.response.status_code == 500
    assert BUGZILLA_KEY not in str(failed.value)
    assert bz.getbug(bug_id).id == bug_id  # the fault was for one request only


def test_injected_400_surfaces_as_bugzilla_error(
    bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn,
) -> None:
    bug_id = bugzilla_standin.add_bug("Bug 1099002 — bad request")
    bugzilla_standin.faults.fail_next(400)
    with pytest.raises(bugzilla.BugzillaError) as failed:
        bz.update_bugs([bug_id], bz.build_update(status="ASSIGNED"))
    assert failed.value.code == 32000
    assert bugzilla_standin.bug(bug_id)["status"] == "NEW"


def test_dropped_connection_surfaces_as_connection_error(
    bz: bugzilla.Bugzilla, bugzilla_standin: BugzillaStandIn,
) -> None:
    bugzilla_standin.faults.drop_next()
    with pytest.raises(requests.exceptions.ConnectionError) as failed:
        bz.getbug(1099003)
    assert BUGZILLA_KEY not in str(failed.value)


def test_unknown_workflow_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown workflow 'jira'"):
        BugzillaStandIn(workflow="jira")
