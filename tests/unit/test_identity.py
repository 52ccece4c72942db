"""Who is asking (bot/usecases/identity.py) on the fake directory of Slack's users and
groups: roles held directly or through a user group, a service's own roles, one lookup
per group and user within the time to live, and the last known answer when Slack cannot
be asked (none: no role from the group, the name is the user ID)."""

from __future__ import annotations

from bot.domain.actions import Role
from bot.usecases.identity import Directory
from tests.fakes.partners import FakeDirectory

ROLES = {"DEV": ("S0DEVS0001",), "OPS": ("U0OPS0001",), "QA": ("U0QA00001",)}
CLIENT = {"QA": ("U0CLQA001",)}


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def slack() -> FakeDirectory:
    return FakeDirectory({"U0DEV0001": "dev", "U0CLQA001": "client-qa", "U0QA00001": "qa"},
                         {"S0DEVS0001": frozenset({"U0DEV0001"})})


def test_roles_come_directly_or_through_a_group_and_per_service() -> None:
    directory = Directory(ROLES, slack(), services={"loop-client": CLIENT})
    dev = directory.actor("U0DEV0001")
    assert (dev.name, dev.default_roles) == ("dev", frozenset({Role.DEV}))
    qa = directory.actor("U0CLQA001")
    assert qa.default_roles == frozenset() and qa.roles_in("loop-client") == {Role.QA}
    assert directory.actor("U0QA00001").roles_in("loop-client") == frozenset()


def test_a_burst_asks_slack_once_per_group_and_user_within_the_time_to_live() -> None:
    people, ticks = slack(), Ticks()
    directory = Directory(ROLES, people, ttl=60.0, clock=ticks)
    for _ in range(5):
        directory.actor("U0DEV0001")
    assert sorted(people.asked) == ["S0DEVS0001", "U0DEV0001"]
    ticks.now += 61
    directory.actor("U0DEV0001")
    assert len(people.asked) == 4


def test_slack_down_keeps_the_last_answer_or_gives_no_role_and_the_id() -> None:
    people, ticks = slack(), Ticks()
    directory = Directory(ROLES, people, ttl=60.0, clock=ticks)
    directory.actor("U0DEV0001")
    people.down, ticks.now = True, ticks.now + 61
    again = directory.actor("U0DEV0001")
    assert (again.name, again.default_roles) == ("dev", frozenset({Role.DEV}))
    fresh = Directory(ROLES, people)
    unknown = fresh.actor("U0DEV0001")
    assert (unknown.name, unknown.default_roles) == ("U0DEV0001", frozenset())
