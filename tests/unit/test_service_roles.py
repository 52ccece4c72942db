"""Roles per service: app.yaml's rule (a service's own list of a role replaces the
top-level one, for that service only) and the domain's checks, which always ask for the
roles of the release's service and name it when they refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config.settings import ConfigError, load_settings, settings_from_dict
from bot.domain.actions import Action, Actor, Facts, MissingRole, Role
from bot.domain.facts import Bug, EnvironmentState
from bot.domain.lifecycle import decide
from bot.domain.loadtest import check_may_load_test
from bot.domain.permissions import (
    check_may_tag,
    holds_role_for,
    roles_summary,
)
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Release, State, Ticket

APP_YAML = Path(__file__).resolve().parents[2] / "app.yaml"
SERVICES: list[dict[str, object]] = [
    {"name": "loop-server", "repo": "mozilla-services/loop-server"},
    {"name": "loop-client", "repo": "mozilla/loop-client",
     "roles": {"QA": ["S0CLQA0001"], "emergency": []}},
]
TOP = {"DEV": ["U0DEV0001"], "QA": ["U0QA00001"], "emergency": ["U0LEAD001"]}


def test_a_services_own_role_replaces_the_top_level_one_and_the_others_stay() -> None:
    settings = settings_from_dict({"roles": TOP, "services": SERVICES})
    assert settings.roles_of("loop-server") == {
        "DEV": ("U0DEV0001",), "QA": ("U0QA00001",), "emergency": ("U0LEAD001",)}
    assert settings.roles_of("loop-client") == {
        "DEV": ("U0DEV0001",), "QA": ("S0CLQA0001",), "emergency": ()}  # [] is nobody


def test_the_shipped_app_yaml_gives_loop_client_its_own_dev_and_qa() -> None:
    settings = load_settings(APP_YAML, environ={})
    client = settings.roles_of("loop-client")
    assert client["DEV"] == ("U0CLDEV01", "U0LEAD001")
    assert client["QA"] == ("U0CLQA001", "U0LEAD001")
    assert client["OPS"] == settings.roles["OPS"]
    assert settings.roles_of("loop-server") == settings.roles


@pytest.mark.parametrize(("roles", "expected"), [
    ({"QA": ["bob"]}, r"key 'services\.1\.roles\.QA\.0': 'bob' is not a Slack user ID"),
    ({"Dev": ["U0DEV0001"]},
     r"key 'services\.1\.roles\.Dev': Input should be 'DEV', 'OPS', 'QA' or 'emergency'$"),
    ({"QA": "U0QA00001"}, r"key 'services\.1\.roles\.QA': "),
    (["U0QA00001"], r"key 'services\.1\.roles': "),
])
def test_a_bad_service_role_names_the_file_and_the_dotted_key(
    tmp_path: Path, roles: object, expected: str
) -> None:
    bad = tmp_path / "roles.yaml"
    services = [SERVICES[0], {**SERVICES[1], "roles": roles}]
    bad.write_text(yaml.safe_dump({"roles": TOP, "services": services}, sort_keys=False))
    with pytest.raises(ConfigError, match=f"^{bad}: {expected}"):
        load_settings(bad, environ={})


# -- the domain --------------------------------------------------------------------------
SERVER_DEV = Actor("U0DEV0001", frozenset({Role.DEV}), "dev",
                   {"loop-server": frozenset({Role.DEV}), "loop-client": frozenset()})
CLIENT_QA = Actor("U0CLQA001", frozenset(), "client-qa",
                  {"loop-server": frozenset(), "loop-client": frozenset({Role.QA})})
LEAD = Actor("U0LEAD001", frozenset(Role), "lead",
             {"loop-server": frozenset(Role), "loop-client": frozenset({Role.DEV})})


def deployed(service: str) -> Release:
    return Release(service=service, version="0.2.0", state=State.STAGE_DEPLOYED, tag="0.2.0",
                   tickets=(Ticket(Env.STAGE, 1106001),))


FACTS = Facts(tickets={"stage": Bug(1106001, "deploy", "RESOLVED", "FIXED")},
              environment=EnvironmentState("stage", "https://stage", True, "0.2.0"))


def test_a_qa_of_one_service_verifies_that_service_only() -> None:
    decision = decide(Action.VERIFY_STAGE, deployed("loop-client"), FACTS, CLIENT_QA,
                      pipeline=DEFAULT)
    assert decision.to_state is State.STAGE_VERIFIED
    with pytest.raises(MissingRole) as refused:
        decide(Action.VERIFY_STAGE, deployed("loop-server"), FACTS, CLIENT_QA, pipeline=DEFAULT)
    assert refused.value.message == (
        "`verify stage` needs the QA role for loop-server; <@U0CLQA001> is not QA for "
        "loop-server (holds no role there)")
    assert refused.value.hint == "ask someone with the QA role for loop-server"
    assert holds_role_for(Action.VERIFY_STAGE, deployed("loop-client"), CLIENT_QA, pipeline=DEFAULT)
    assert not holds_role_for(Action.VERIFY_STAGE, deployed("loop-server"), CLIENT_QA,
                              pipeline=DEFAULT)


def test_tagging_and_load_tests_ask_for_the_services_roles() -> None:
    check_may_tag(SERVER_DEV, "loop-server")
    with pytest.raises(MissingRole, match="tagging needs the DEV role for loop-client"):
        check_may_tag(SERVER_DEV, "loop-client")
    check_may_load_test(CLIENT_QA, "loop-client", None)
    with pytest.raises(MissingRole, match="a load test needs the QA role for "
                       "loop-server"):
        check_may_load_test(CLIENT_QA, "loop-server", None)


def test_breaking_glass_needs_the_emergency_role_of_the_releases_service() -> None:
    decision = decide(Action.VERIFY_STAGE, deployed("loop-server"), Facts(), LEAD,
                      override_reason="partner outage", pipeline=DEFAULT)
    assert decision.is_override
    with pytest.raises(MissingRole, match="breaking glass needs the emergency role for "
                       "loop-client; <@U0LEAD001> does not have it there"):
        decide(Action.VERIFY_STAGE, deployed("loop-client"), Facts(), LEAD,
               override_reason="partner outage", pipeline=DEFAULT)
    with pytest.raises(MissingRole, match="emergency role for loop-client"):
        check_may_load_test(LEAD, "loop-client", "partner outage")


def test_an_actor_without_a_services_entry_holds_the_top_level_roles_there() -> None:
    assert SERVER_DEV.roles_in("loop-server") == frozenset({Role.DEV})
    assert Actor("U0DEV0001", frozenset({Role.DEV})).roles_in("any") == frozenset({Role.DEV})
    assert roles_summary(LEAD, ["loop-server", "loop-client"]) == (
        "DEV, OPS, QA, emergency for loop-server; DEV for loop-client")
    assert roles_summary(CLIENT_QA, ["loop-server", "loop-client"]) == "QA for loop-client"
    assert roles_summary(Actor("U0NOBODY1", frozenset()), ["loop-server"]) == "no role"
