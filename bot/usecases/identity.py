"""Who is asking: a Slack user ID becomes an `Actor` with the roles app.yaml gives them,
per service.

Guarantees:
- app.yaml's `roles` list Slack user IDs (U.../W...) and user groups (S...); a user holds
  a role when listed directly or as a member of a listed group.
- A service's own `roles` replace the top-level list of each role they name, for that
  service only (`Settings.roles_by_service`): the actor carries the roles of every
  configured service, and the lifecycle asks for those of the release's service.
- Groups and names are asked of the `UserDirectory` port (Slack's `usergroups.users.list`
  and `users.info` in bot/partners/slack.py), each cached for `ttl` seconds, so a burst
  of commands costs one lookup per group and user. Thread-safe.
- When Slack cannot be asked, the last known answer is used; with none, a group counts
  as empty (its members get no role from it: the lifecycle then refuses clearly) and the
  name is the user ID. The failure is logged without any token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar, cast

from bot.domain.actions import Actor, Role
from bot.domain.errors import one_line
from bot.usecases.ports import PartnerError, UserDirectory

log = logging.getLogger(__name__)
DEFAULT_TTL = 60.0
T = TypeVar("T")


RoleIds = Mapping[str, tuple[str, ...]]  # role name -> Slack user and user-group IDs


class Directory:
    def __init__(self, roles: RoleIds, people: UserDirectory, *,
                 services: Mapping[str, RoleIds] | None = None,
                 ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._roles = _by_role(roles)
        self._services = {name: _by_role(ids) for name, ids in (services or {}).items()}
        self._people = people
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, object]] = {}

    def actor(self, user_id: str) -> Actor:
        """The user with their roles (top-level, and in each service) and display name."""
        per_service = {name: self._held(user_id, roles)
                       for name, roles in self._services.items()}
        return Actor(user_id, self._held(user_id, self._roles), self._name(user_id),
                     per_service)

    def _held(self, user_id: str, roles: Mapping[Role, tuple[str, ...]]) -> frozenset[Role]:
        return frozenset(role for role, ids in roles.items() if self.member(user_id, ids))

    def member(self, user_id: str, ids: Iterable[str]) -> bool:
        """Whether the user is listed in `ids`, directly or through a user group."""
        listed = tuple(ids)
        return user_id in listed or any(user_id in self._members(g) for g in listed
                                        if g.startswith("S"))

    def _members(self, group_id: str) -> frozenset[str]:
        return self._cached(f"group:{group_id}", lambda: self._people.group_members(group_id),
                            frozenset())

    def _name(self, user_id: str) -> str:
        return self._cached(f"user:{user_id}",
                            lambda: one_line(self._people.display_name(user_id)), user_id)

    def _cached(self, key: str, fetch: Callable[[], T], fallback: T) -> T:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self._ttl:
            return cast(T, hit[1])  # one key, one kind of answer
        try:
            value = fetch()
        except PartnerError as exc:
            log.warning("could not look up %s (%s); using %s", key, exc,
                        "the cached answer" if hit else "no answer")
            return cast(T, hit[1]) if hit else fallback
        with self._lock:
            self._cache[key] = (now, value)
        return value


def _by_role(roles: RoleIds) -> dict[Role, tuple[str, ...]]:
    return {Role(name): tuple(ids) for name, ids in roles.items()}

