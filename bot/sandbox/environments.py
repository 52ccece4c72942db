"""A stand-in for one environment of a service: its root URL says what runs there.

One `EnvironmentStandIn` per environment (dev, stage, prod), so `GET /` is the root URL.
It answers like loop-server:
- `GET /`: {"name": "mozilla-loop-server", "description", "version", "homepage",
  "endpoint", "fakeTokBox", "fxaOAuth", "i18n", "rev", "branch"}; "version" is omitted
  when `hide_version` is set (loop-server's configuration can hide it);
- `GET /__heartbeat__`: 200, or 503 when storage or the partner is down, with
  {"storage": bool, "provider": bool, "message": ...};
- `GET /__version__` (Dockerflow): {"source", "version", "commit", "build"}, always;
- `GET /__lbheartbeat__`: 200 {}.
What runs is changed with `deploy(version, rev, branch)` and `set_healthy(storage,
provider)`, or over HTTP for a sandbox in another process: `POST /__sandbox__/deploy`
{"version", "rev", "branch"} and `POST /__sandbox__/health` {"storage", "provider"}.
With `state_dir`, the state persists in `environment-<env>.json` from the start and after
every change, so a sandbox started again with the same directory continues. Thread-safe.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bot.sandbox.routes import HTTPError, Request, Response, route
from bot.sandbox.server import StandIn

SOURCE = "https://github.com/mozilla-services/loop-server"


@dataclass(frozen=True)
class Deployed:
    """What the environment runs and how it is configured."""

    version: str | None = "0.13.0"  # None (with rev None): nothing released runs there yet
    rev: str | None = "4f2c1b9e8d7a6f5e4d3c2b1a09f8e7d6c5b4a392"
    branch: str | None = "master"
    storage: bool = True
    provider: bool = True
    fake_partner: bool = False
    hide_version: bool = False


class EnvironmentStandIn(StandIn):
    name = "environment"

    def __init__(
        self,
        env: str = "stage",
        *,
        version: str | None = "0.13.0",
        rev: str | None = Deployed.rev,
        branch: str | None = "master",
        fake_partner: bool = False,
        hide_version: bool = False,
        service_name: str = "mozilla-loop-server",
        state_dir: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.env = env
        self.service_name = service_name
        self._lock = threading.Lock()
        self._path = Path(state_dir) / f"environment-{env}.json" if state_dir else None
        loaded = self._load()
        self._state = loaded or Deployed(
            version, rev, branch, fake_partner=fake_partner, hide_version=hide_version
        )
        if loaded is None:
            self._save()  # what it first runs is state too: a later start continues from it

    # -- programmatic control ----------------------------------------------------------
    @property
    def state(self) -> Deployed:
        with self._lock:
            return self._state

    def deploy(self, version: str, rev: str, branch: str = "master") -> None:
        """The environment now runs `version` built from `rev` on `branch`."""
        self._change(version=version, rev=rev, branch=branch)

    def set_healthy(self, storage: bool = True, provider: bool = True) -> None:
        self._change(storage=storage, provider=provider)

    def configure(
        self, *, fake_partner: bool | None = None, hide_version: bool | None = None
    ) -> None:
        changes = {"fake_partner": fake_partner, "hide_version": hide_version}
        self._change(**{k: v for k, v in changes.items() if v is not None})

    def _change(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)
            self._save()

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self._state), indent=1), encoding="utf-8")
        tmp.replace(self._path)

    def _load(self) -> Deployed | None:
        if self._path is None or not self._path.exists():
            return None
        return Deployed(**json.loads(self._path.read_text(encoding="utf-8")))

    # -- what the service answers ------------------------------------------------------
    @route("GET", r"/")
    def _root(self, request: Request) -> Response:
        state = self.state
        body: dict[str, Any] = {
            "name": self.service_name,
            "description": "The Mozilla Loop (Vidyo) server",
            "version": state.version,
            "homepage": SOURCE + "/",
            "endpoint": self.url,
            "fakeTokBox": state.fake_partner,
            "fxaOAuth": True,
            "i18n": {"defaultLang": "en-US", "lang": "en-US"},
            "rev": state.rev,
            "branch": state.branch,
        }
        if state.hide_version:
            del body["version"]
        return Response(200, body)

    @route("GET", r"/__heartbeat__")
    def _heartbeat(self, request: Request) -> Response:
        state = self.state
        healthy = state.storage and state.provider
        down = [n for n, ok in (("storage", state.storage), ("provider", state.provider)) if not ok]
        message = "everything is fine" if healthy else f"{' and '.join(down)} unavailable"
        body = {"storage": state.storage, "provider": state.provider, "message": message}
        return Response(200 if healthy else 503, body)

    @route("GET", r"/__version__")
    def _version(self, request: Request) -> Response:
        state = self.state
        build = f"https://circleci.com/gh/mozilla-services/loop-server/{state.version}"
        return Response(200, {"source": SOURCE, "version": state.version,
                              "commit": state.rev, "build": build})

    @route("GET", r"/__lbheartbeat__")
    def _lbheartbeat(self, request: Request) -> Response:
        return Response(200, {})

    # -- control over HTTP -------------------------------------------------------------
    @route("POST", r"/__sandbox__/deploy")
    def _http_deploy(self, request: Request) -> Response:
        plan = request.json()
        if not isinstance(plan, dict) or not plan.get("version") or not plan.get("rev"):
            raise HTTPError(400, "expected JSON with version and rev")
        self.deploy(str(plan["version"]), str(plan["rev"]), str(plan.get("branch", "master")))
        return Response(200, asdict(self.state))

    @route("POST", r"/__sandbox__/health")
    def _http_health(self, request: Request) -> Response:
        plan = request.json()
        if not isinstance(plan, dict):
            raise HTTPError(400, "expected a JSON object")
        self.set_healthy(bool(plan.get("storage", True)), bool(plan.get("provider", True)))
        return Response(200, asdict(self.state))
