"""Where an existing release stands, from its tickets and what the environments run
(bot/domain/adoption.py, issue 9)."""

from __future__ import annotations

from bot.domain.adoption import adopt, ticket_of, tickets_by_version, untouched
from bot.domain.facts import Bug
from bot.domain.pipeline import DEFAULT as P
from bot.domain.release import Env, State
from bot.domain.version import Version

V = Version.parse


def bug(bug_id: int, version: str, env: str, status: str, resolution: str = "") -> Bug:
    return Bug(bug_id, f"Loop — Please deploy loop-server {version} to {env}", status,
               resolution)


def test_a_deployment_ticket_is_read_from_its_summary() -> None:
    assert ticket_of("Loop — Please deploy loop-server 0.12.2 to Production",
                     "loop-server", pipeline=P) == (V("0.12.2"), Env.PROD)
    assert ticket_of("Loop — Please deploy loop-client 0.12.2 to Stage", "loop-server",
                     pipeline=P) is None
    assert ticket_of("Loop — Please deploy loop-server service change change-3: more "
                     "workers to Stage", "loop-server", pipeline=P) is None
    assert ticket_of("Please deploy loop-server to stage soon", "loop-server", pipeline=P) is None


def test_the_newest_ticket_of_a_version_and_environment_counts() -> None:
    found = tickets_by_version([bug(1104002, "0.13.0", "Stage", "NEW"),
                                bug(1104001, "0.13.0", "Stage", "RESOLVED", "INVALID")],
                               "loop-server", pipeline=P)
    assert found == {V("0.13.0"): {Env.STAGE: bug(1104002, "0.13.0", "Stage", "NEW")}}


def test_states_follow_prod_then_the_tickets() -> None:
    tickets = {
        V("0.12.2"): {Env.PROD: bug(1103002, "0.12.2", "Production", "RESOLVED", "FIXED")},
        V("0.13.0"): {Env.STAGE: bug(1104001, "0.13.0", "Stage", "VERIFIED", "FIXED"),
                      Env.PROD: bug(1104002, "0.13.0", "Production", "NEW")},
        V("0.13.1"): {Env.STAGE: bug(1104003, "0.13.1", "Stage", "NEW")},
    }
    versions = [V(v) for v in ("0.12.1", "0.12.2", "0.13.0", "0.13.1", "0.13.2", "0.14.0")]
    running = {"stage": "0.13.1", "prod": "0.12.2"}
    assert [(str(a.version), a.state) for a in adopt(versions, tickets, running, pipeline=P)] == [
        ("0.12.1", State.DONE), ("0.12.2", State.PROD_DEPLOYED),
        ("0.13.0", State.PROD_REQUESTED), ("0.13.1", State.STAGE_DEPLOYED),
        ("0.13.2", State.SUPERSEDED), ("0.14.0", State.TAGGED)]


def test_with_prod_unknown_its_tickets_say_what_it_runs() -> None:
    tickets = {V("0.12.2"): {Env.PROD: bug(1103002, "0.12.2", "Production", "VERIFIED",
                                           "FIXED")}}
    versions = [V("0.12.2"), V("0.13.0")]
    states = [a.state for a in adopt(versions, tickets, {"prod": None}, pipeline=P)]
    assert states == [State.DONE, State.TAGGED]
    assert [a.state for a in adopt(versions, {}, {}, pipeline=P)] == [State.DONE, State.TAGGED]


def test_tags_the_process_never_touched_are_named() -> None:
    """Issue 17: 10,000 tags newer than prod were each recorded as a superseded release."""
    tickets = {V("0.13.1"): {Env.STAGE: bug(1104101, "0.13.1", "Stage", "RESOLVED",
                                            "INVALID")}}
    versions = [V(v) for v in ("0.12.2", "0.13.0", "0.13.1", "0.13.2", "0.13.3", "0.14.0")]
    running = {"dev": "0.13.2", "stage": None, "prod": "0.12.2"}
    adopted = adopt(versions, tickets, running, pipeline=P)
    assert [str(a.version) for a in adopted if a.state is State.SUPERSEDED] == [
        "0.13.0", "0.13.1", "0.13.2", "0.13.3"]
    assert untouched(adopted, running) == [V("0.13.0"), V("0.13.3")]
    # prod unknown: all but one done
    assert untouched(adopt(versions, {}, {}, pipeline=P), {}) == []
