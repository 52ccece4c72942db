"""Fault injection for the stand-ins: failing statuses (the next N, or every Nth), lost
responses, latency and dropped connections, planned per request and thread-safe (see
bot/sandbox/server.py).

`FaultSpec` reads the JSON body of `POST /__sandbox__/faults`; `read_spec` refuses a body
that is not JSON, an unknown field or a bad value with a message naming the field, so a
typo never passes silently for "ok".
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


@dataclass
class _Plan:
    status: int
    remaining: int
    path: re.Pattern[str] | None
    method: str | None
    skip: int  # matching requests let through before this plan applies
    lose: bool  # carry the request out, then answer `status` (a lost response)
    every: int = 0  # when set: only every `every`-th matching request, for as long as it lasts
    seen: int = 0
    delay: float = 0.0  # carry the request out, then answer it this late (status 0)

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

    def fail_every(self, status: int, every: int = 2, path: str | None = None, *,
                   method: str | None = None, count: int = 1_000_000) -> None:
        """Every `every`-th matching request answers `status` without being carried out
        (the 2nd, the 4th, ... for every=2), the others go through; `count` failures."""
        if every < 1:
            raise ValueError("every must be at least 1")
        self._add(_Plan(status, count, _regex(path), method, 0, lose=False, every=every))

    def slow_next(self, delay: float, count: int = 1, path: str | None = None, *,
                  method: str | None = None, after: int = 0) -> None:
        """The next `count` matching requests are carried out, then answered `delay`
        seconds later: a client that gives up sooner never learns they were done."""
        self._add(_Plan(0, count, _regex(path), method, after, lose=True, delay=delay))

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
                if plan.every:
                    plan.seen += 1
                    if plan.seen % plan.every:
                        continue
                plan.remaining -= 1
                return False, plan
            self._plans = [p for p in self._plans if p.remaining > 0]
        return False, None


def _regex(path: str | None) -> re.Pattern[str] | None:
    return re.compile(path) if path else None


class FaultSpec(BaseModel):
    """One request to plan faults: `status` (with `count`, `path`, `method`, `after`,
    `lose`, or `every`: every Nth matching request from now on), `latency` in seconds,
    `drop` connections, `clear` what was planned."""

    model_config = ConfigDict(extra="forbid")

    status: int | None = Field(default=None, ge=400, le=599)
    count: int = Field(default=1, ge=1)
    path: str | None = None
    method: str | None = None
    after: int = Field(default=0, ge=0)
    lose: bool = False
    every: int | None = Field(default=None, ge=1)
    latency: float | None = Field(default=None, ge=0, le=120)
    drop: int | None = Field(default=None, ge=0)
    clear: bool = False

    @field_validator("path")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("method")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value is not None else None

    def apply(self, faults: Faults) -> None:
        if self.clear:
            faults.clear()
        if self.latency is not None:
            faults.latency = self.latency
        if self.drop:
            faults.drop_next(self.drop)
        if self.status is None:
            return
        if self.every is not None:
            faults.fail_every(self.status, self.every, self.path, method=self.method)
            return
        if self.lose:
            faults.lose_next(self.count, self.path, method=self.method, after=self.after,
                             status=self.status)
        else:
            faults.fail_next(self.status, self.count, self.path, method=self.method,
                             after=self.after)


_NEEDS_STATUS = ("count", "path", "method", "after", "lose", "every")


def read_spec(body: bytes) -> FaultSpec:
    """The spec in `body`; ValueError names the field that is wrong."""
    try:
        raw = json.loads(body or b"{}")
    except ValueError:
        raise ValueError("the body is not JSON; send e.g. {\"status\": 500, \"count\": 2}"
                         ) from None
    if not isinstance(raw, dict):
        raise ValueError("the body must be a JSON object, e.g. {\"status\": 500}")
    try:
        spec = FaultSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(body)"
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise ValueError(f"field `{field}`: {message}") from None
    orphans = [name for name in _NEEDS_STATUS if name in raw and spec.status is None]
    if orphans:
        raise ValueError(f"field `{orphans[0]}` applies only with `status`")
    if not raw:
        raise ValueError("name a fault: `status`, `latency`, `drop` or `clear`")
    return spec
