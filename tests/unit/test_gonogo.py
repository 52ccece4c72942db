"""The go/no-go's rules (bot/domain/gonogo.py) on plain facts, the day it is posted, and
its rendering (bot/messages/gonogo.py): every reason, whose move, text from outside inert."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.domain.facts import Bug, EnvironmentState
from bot.domain.gonogo import (
    Drift,
    GoNoGoFacts,
    Link,
    TicketFacts,
    Verdict,
    candidate_of,
    decide,
    post_day,
)
from bot.domain.loadtest import Result
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Release, State, Ticket
from bot.messages.gonogo import render_gonogo

MONDAY = dt.date(2027, 2, 1)
STAGE_BUG, PROD_BUG, BLOCKER = 1101101, 1101102, 1101103
RELEASE = Release("loop-server", "0.15.0", State.PROD_REQUESTED, tag="0.15.0",
                  tickets=(Ticket(Env.STAGE, STAGE_BUG), Ticket(Env.PROD, PROD_BUG)))
HEALTHY = tuple(EnvironmentState(n, f"https://{n}.loop.example", True, v, healthy=True)
                for n, v in (("dev", "0.15.0"), ("stage", "0.15.0"), ("prod", "0.14.2")))


def ticket(bug_id: int, status: str, resolution: str = "") -> Bug:
    return Bug(bug_id, f"Please deploy loop-server to {bug_id}", status, resolution)


def facts(**changes: object) -> GoNoGoFacts:
    """A release ready to go: stage VERIFIED, prod ticket filed, everything healthy."""
    ready = GoNoGoFacts(
        "loop-server", MONDAY, RELEASE, DEFAULT,
        (TicketFacts("stage", ticket(STAGE_BUG, "VERIFIED", "FIXED"), "https://bz/1101101"),
         TicketFacts("prod", ticket(PROD_BUG, "NEW"), "https://bz/1101102")),
        environments=HEALTHY)
    return replace(ready, **changes)  # type: ignore[arg-type]


def failing(found: GoNoGoFacts) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.gate, r.owners) for r in decide(found).failing]


def test_go_when_every_gate_passes_and_the_green_light_is_left_to_qa() -> None:
    found = decide(facts(load_test=Result("loop-server", "0.15.0", True)))
    assert found.verdict is Verdict.GO and found.failing == ()
    assert [(r.gate, r.owners) for r in found.to_do] == [("green light", ("QA",))]
    links = {r.gate: r.link.url for r in found.reasons if r.link}
    assert links["load test"] == "https://bz/1101101"  # results are noted on stage's ticket
    assert links["green light"] == links["prod ticket"] == "https://bz/1101102"
    assert links["health"] == "https://prod.loop.example"


def test_each_missing_item_is_a_reason_with_whose_move_it_is() -> None:
    stage = TicketFacts("stage", ticket(STAGE_BUG, "RESOLVED", "FIXED"), "https://bz/1")
    assert failing(facts(tickets=(stage, TicketFacts("prod", None)))) == [
        ("stage ticket", ("QA",)), ("prod ticket", ())]  # filed once stage is verified
    open_stage = TicketFacts("stage", ticket(STAGE_BUG, "NEW"), "https://bz/1")
    assert failing(facts(tickets=(open_stage, facts().tickets[1]))) == [
        ("stage ticket", ("OPS",))]
    none = (TicketFacts("stage", None), TicketFacts("prod", None))
    assert failing(facts(tickets=none))[0] == ("stage ticket", ("DEV", "QA"))
    verified_no_prod = (facts().tickets[0], TicketFacts("prod", None))
    assert failing(facts(tickets=verified_no_prod)) == [("prod ticket", ("DEV", "QA"))]


def test_open_blockers_and_a_missing_load_test_say_no_go() -> None:
    blockers = (Bug(BLOCKER, "Calls drop", "NEW"), Bug(1101104, "Old", "RESOLVED", "FIXED"))
    found = facts(blockers=blockers, load_test_required=True)
    assert failing(found) == [("load test", ("QA",)), ("blocker", ("DEV",))]
    passed = Result("loop-server", "0.15.0", True, "3000 rooms")
    assert failing(facts(load_test_required=True, load_test=passed)) == []


def test_a_failed_load_test_not_required_is_said_but_does_not_hold_the_push() -> None:
    failed = Result("loop-server", "0.15.0", False, "p99 over 2 s", bug_id=BLOCKER)
    found = decide(facts(load_test=failed))
    assert found.verdict is Verdict.GO
    assert any("failed (bug 1101103): p99 over 2 s" in r.text for r in found.to_do)


def test_stage_running_another_build_and_an_unhealthy_prod_are_ops_moves() -> None:
    envs = (HEALTHY[0], replace(HEALTHY[1], version="0.14.9"),
            replace(HEALTHY[2], healthy=False))
    assert failing(facts(environments=envs)) == [("stage runs", ("OPS",)),
                                                 ("health", ("OPS",))]
    dev_down = (replace(HEALTHY[0], reachable=False, error="timed out"), *HEALTHY[1:])
    found = decide(facts(environments=dev_down))
    assert found.verdict is Verdict.GO  # dev has no ticket: said, not a gate
    assert "dev does not answer: timed out" in [r.text for r in found.to_do]


def test_rejected_release_and_unread_tickets_are_no_go() -> None:
    rejected = replace(RELEASE, state=State.REJECTED, rejected_for=BLOCKER)
    found = decide(facts(candidate=rejected))
    assert found.verdict is Verdict.NO_GO
    assert found.failing[0].text.startswith("0.15.0 was rejected on stage for bug 1101103")
    assert [(r.gate, r.owners) for r in found.to_do] == [("release", ("DEV",))]
    assert "green light" not in [r.gate for r in found.reasons]
    unread = decide(facts(read_error="bugzilla: timed out"))
    assert unread.verdict is Verdict.NO_GO and unread.failing[0].gate == "tickets"


def test_the_candidate_is_the_newest_release_short_of_prod() -> None:
    done = replace(RELEASE, version="0.14.2", state=State.DONE)
    old = replace(RELEASE, version="0.14.3", state=State.SUPERSEDED)
    assert candidate_of([old, RELEASE, done]) is RELEASE
    assert candidate_of([done, RELEASE]) is None  # the newest is in prod already
    assert candidate_of([]) is None
    nothing = decide(facts(candidate=None))
    assert nothing.verdict is Verdict.NOTHING and nothing.failing == ()


def test_posted_the_last_working_day_before_the_push() -> None:
    def no_day_off(_: dt.date) -> bool:
        return False

    assert post_day(MONDAY, no_day_off) == dt.date(2027, 1, 29)  # Friday
    assert post_day(MONDAY, lambda d: d == dt.date(2027, 1, 29)) == dt.date(2027, 1, 28)
    assert post_day(dt.date(2027, 2, 2), no_day_off) == MONDAY  # a push moved to Tuesday
    assert post_day(MONDAY, lambda d: True) == dt.date(2027, 1, 31)  # never loops forever


def test_text_from_outside_is_inert_in_slack_and_the_mentions_are_the_bots() -> None:
    hostile = "<!channel> *bold* <http://evil.example|click>"
    failed = Result("loop-server", "0.15.0", False, hostile)
    envs = (HEALTHY[0], HEALTHY[1], replace(HEALTHY[2], reachable=False, error=hostile))
    rendered = render_gonogo(decide(facts(load_test=failed, environments=envs)),
                             lambda role: f"<!subteam^S0{role}>")
    everything = rendered.text + str(rendered.blocks)
    assert "<!channel>" not in everything and "<http://evil" not in everything
    assert "&lt;!channel&gt;" in rendered.text
    assert "OPS: health <!subteam^S0OPS>" in str(rendered.blocks)
    assert "<!subteam" not in rendered.text  # the fallback and the email: no mentions
    assert rendered.text.startswith("NO-GO for loop-server 0.15.0, the push on Mon 2027-02-01.")


def test_drift_api_versions_and_sign_offs_are_said_beside_the_gates() -> None:
    drift = Drift("0.14.2", 7, (1101105, 1101106), Link("0.14.2...0.15.0", "https://gh/c"))
    found = decide(facts(drift=drift, api=(("/v1", ("loop/routes/rooms.js",)),
                                            ("/v2", ("loop/routes/rooms.js",))),
                         signoffs_missing=("loop-client",)))
    notes = {r.gate: r.text for r in found.reasons if not r.blocking}
    assert notes["prod runs"] == "prod runs 0.14.2"
    assert notes["drift"] == "0.15.0 brings 7 commit(s) over 0.14.2: bug 1101105, bug 1101106"
    assert notes["api"] == "API code changed: /v1, /v2 (loop/routes/rooms.js)"
    assert notes["sign-off"] == ("after the push, loop-client sign prod off with "
                                 "`/loop signoff prod 0.15.0`")
    assert found.verdict is Verdict.GO
    unread = decide(facts(drift=Drift("0.14.2", error="github: timed out")))
    assert [r.text for r in unread.reasons if r.gate == "drift"] == [
        "the drift over 0.14.2 could not be read: github: timed out"]
    assert "api" not in [r.gate for r in unread.reasons]


def test_a_recorded_ticket_bugzilla_does_not_return_is_no_go_not_unfiled() -> None:
    gone = (TicketFacts("stage", None, "https://bz/1101101", STAGE_BUG), facts().tickets[1])
    found = decide(facts(tickets=gone))
    assert [r.text for r in found.failing] == [
        "stage bug 1101101 is not in Bugzilla's answer (deleted, or hidden from the bot's "
        "account)"]
