"""What a stand-in's route sees and answers: the `Request` (JSON, form, query and
headers read the same way everywhere), the `Response` (a JSON body unless given bytes or
text), the `HTTPError` a handler raises (each stand-in renders it in its partner's error
shape), and `@route(METHOD, REGEX)`, which declares a handler (bot/sandbox/server.py
dispatches to it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

Handler = Callable[..., "Response"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise HTTPError(400, "request body is not JSON") from exc

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


class HTTPError(Exception):
    """Raised by a handler: the stand-in renders it in its partner's error shape."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Declare a handler for METHOD and a path regex (matched in full)."""

    def mark(func: Handler) -> Handler:
        func.__dict__.setdefault("_routes", []).append((method.upper(), pattern))
        return func

    return mark
