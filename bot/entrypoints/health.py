"""Dockerflow's three endpoints, as Mozilla's services answer them (a plain WSGI app has
no dockerflow integration, so the answers are built here with the package's checks):

- `GET /__version__`: the `version.json` written when the image was built (`source`,
  `version`, `commit`, `build`); without one, the installed package's version with
  `commit` and `build` "unknown".
- `GET /__heartbeat__`: runs every check at once (database, scheduler, GitHub, Bugzilla,
  Slack; each with a time limit) and answers `{"status": "ok|warning|error", "checks":
  {NAME: STATUS}, "details": {NAME: {"status", "level", "messages": {ID: TEXT}}}}`: 200
  while no check is at error level, else 500 with each failing check in `details`.
- `GET /__lbheartbeat__`: 200 and an empty body as soon as the process serves; no check.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockerflow import checks
from dockerflow.checks import CheckMessage
from dockerflow.version import get_version

from bot import SOURCE
from bot.logs import bot_version
from bot.partners import reachability
from bot.usecases.context import Context

log = logging.getLogger("loopbot.health")
StartResponse = Callable[..., Any]
CheckFn = Callable[[], list[CheckMessage]]
PATHS = ("/__version__", "/__heartbeat__", "/__lbheartbeat__")
FAILED_STATUS = 500


@dataclass
class Health:
    """What the endpoints look at. `scheduler_running` is None where this process runs no
    scheduler (the tests' in-process server, the sandbox chat): the check then warns."""

    ctx: Context
    version_dir: Path = field(default_factory=Path.cwd)
    scheduler_running: Callable[[], bool | None] | None = None  # None: another replica leads
    probe_timeout: float = reachability.TIMEOUT

    def version(self) -> dict[str, Any]:
        try:
            found = get_version(str(self.version_dir))
        except (OSError, ValueError) as exc:  # unreadable, or not JSON
            log.warning("cannot read %s/version.json (%s)", self.version_dir,
                        type(exc).__name__)
            found = None
        if isinstance(found, dict):
            return found
        return {"source": SOURCE, "version": bot_version(), "commit": "unknown",
                "build": "unknown"}

    def checks(self) -> list[tuple[str, CheckFn]]:
        found: list[tuple[str, CheckFn]] = [("database", self._database),
                                            ("scheduler", self._scheduler)]
        for name, probe in reachability.PROBES.items():
            found.append((name, self._partner(name, probe)))
        return found

    def heartbeat(self) -> tuple[int, dict[str, Any]]:
        results = asyncio.run(checks.run_checks_async(self.checks()))
        payload = {"status": checks.level_to_text(results.level),
                   "checks": results.statuses, "details": results.details}
        return (200 if results.level < checks.ERROR else FAILED_STATUS), payload

    def _database(self) -> list[CheckMessage]:
        try:
            with self.ctx.store.unit_of_work() as uow:
                uow.releases.find(self.ctx.settings.service().name, limit=1)
        except Exception as exc:
            return [checks.Error(f"the database does not answer ({type(exc).__name__}): "
                                 "check DATABASE_URL", id="loopbot.database.E001")]
        return []

    def _scheduler(self) -> list[CheckMessage]:
        if self.scheduler_running is None:
            return [checks.Warning("this process runs no scheduler",
                                   id="loopbot.scheduler.W001")]
        running = self.scheduler_running()
        if running is None:
            return [checks.Info("another replica holds the scheduler lease; this one takes "
                                "over if it stops", id="loopbot.scheduler.I001")]
        if not running:
            return [checks.Error("the scheduler is not running: nothing scheduled will "
                                 "happen; restart loopbot", id="loopbot.scheduler.E001")]
        return []

    def _partner(self, name: str, probe: reachability.Probe) -> CheckFn:
        def check() -> list[CheckMessage]:
            problem = probe(self.ctx.settings, timeout=self.probe_timeout)
            if problem is None:
                return []
            return [checks.Error(str(problem), id=f"loopbot.{name}.E001")]

        return check


def answer(health: Health, path: str, start_response: StartResponse) -> Iterable[bytes]:
    """The answer to one of PATHS."""
    if path == "/__lbheartbeat__":
        return _send(start_response, 200, b"")
    if path == "/__version__":
        return _send(start_response, 200, json.dumps(health.version()).encode())
    status, payload = health.heartbeat()
    return _send(start_response, status, json.dumps(payload).encode())


def _send(start_response: StartResponse, status: int, body: bytes) -> Iterable[bytes]:
    reason = {200: "OK", 500: "Internal Server Error"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body)))])
    return [body]
