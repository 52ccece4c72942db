"""Fault injection for the stand-ins: failing statuses, lost responses, latency and
dropped connections, planned per request and thread-safe (see bot/sandbox/server.py)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass


@dataclass
class _Plan:
    status: int
    remaining: int
    path: re.Pattern[str] | None
    method: str | None
    skip: int  # matching requests let through before this plan applies
    lose: bool  # carry the request out, then answer `status` (a lost response)

    def matches(self, method: str, path: str) -> bool:
        return (self.remaining > 0 and (self.method is None or self.method == method)
                and (self.path is None or self.path.search(path) is not None))


class Faults:
    """Thread-safe fault plan: failing statuses, lost responses, latency, dropped
    connections. `after=N` lets N matching requests through first, so a test can fail
    exactly the N+1th call of a use case."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: list[_Plan] = []
        self._drops = 0
        self.latency = 0.0

    def fail_next(self, status: int, count: int = 1, path: str | None = None, *,
                  method: str | None = None, after: int = 0) -> None:
        """The next `count` matching requests answer `status` without being carried out."""
        self._add(_Plan(status, count, _regex(path), method, after, lose=False))

    def lose_next(self, count: int = 1, path: str | None = None, *, method: str | None = None,
                  after: int = 0, status: int = 502) -> None:
        """The next `count` matching requests are carried out, then answered `status`, like
        a proxy timing out after the partner did the work."""
        self._add(_Plan(status, count, _regex(path), method, after, lose=True))

    def drop_next(self, count: int = 1) -> None:
        with self._lock:
            self._drops += count

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()
            self._drops = 0
            self.latency = 0.0

    def _add(self, plan: _Plan) -> None:
        with self._lock:
            self._plans.append(plan)

    def take(self, method: str, path: str) -> tuple[bool, _Plan | None]:
        """(drop this connection?, the plan that applies) for one request."""
        with self._lock:
            if self._drops:
                self._drops -= 1
                return True, None
            for plan in self._plans:
                if not plan.matches(method, path):
                    continue
                if plan.skip:
                    plan.skip -= 1
                    continue
                plan.remaining -= 1
                return False, plan
            self._plans = [p for p in self._plans if p.remaining > 0]
        return False, None


def _regex(path: str | None) -> re.Pattern[str] | None:
    return re.compile(path) if path else None
