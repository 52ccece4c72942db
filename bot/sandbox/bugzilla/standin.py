"""A Bugzilla 5 REST API on 127.0.0.1, faithful where python-bugzilla and the bot rely on it.

`BugzillaStandIn` serves under `/rest`: version, whoami, user, bug search/get/create/update,
comments, the bug_status and resolution fields (with each status's `can_change_to`) and
products. Every error is Bugzilla's body `{"error": true, "code": N, "message": ...,
"documentation": ...}` with Bugzilla's HTTP status, so python-bugzilla raises its own
`BugzillaError(code=N)`; faults injected through the base class (a 500, a dropped
connection, latency) reach the client as they would from a real server.

Authentication: the API key comes as the `Bugzilla_api_key` (or `api_key`) query parameter
or the `X-BUGZILLA-API-KEY` header. A key that is not one of the accepted ones fails every
request with 306 (HTTP 400), as Bugzilla does, so python-bugzilla fails at connect. No key
means an anonymous caller: reads work, writes answer 410 (HTTP 401).

The status workflow ("classic" as on bugzilla.mozilla.org, or Bugzilla 4.0+'s "default")
and its checks live in workflow.py; the data, thread-safe and optionally persisted
to `state_dir/bugzilla.json`, in state.py. New bugs are numbered from 1100001.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from bot.sandbox.bugzilla.fields import field_values, product_records
from bot.sandbox.bugzilla.records import parse_bug_id, timestamp, utc_now
from bot.sandbox.bugzilla.search import search, select_fields, values
from bot.sandbox.bugzilla.state import FIRST_NEW_ID, BugDatabase, Clock
from bot.sandbox.bugzilla.workflow import DOCUMENTATION, WORKFLOWS, BugzillaFault
from bot.sandbox.routes import HTTPError, Request, Response, route
from bot.sandbox.server import StandIn

SANDBOX_KEY = "sandbox-bugzilla-key"
BOT_LOGIN = "loopbot@mozilla.com"
VERSION = "5.0.4"
PRODUCTS: Mapping[str, Sequence[str]] = {
    "Cloud Services": ("Operations: Deployment Requests", "QA: Test Automation"),
    "Loop": ("Server", "Client", "General"),
}


class BugzillaStandIn(StandIn):
    name: ClassVar[str] = "bugzilla"

    def __init__(
        self,
        api_keys: Mapping[str, str] | Iterable[str] = (SANDBOX_KEY,),
        *,
        workflow: str = "classic",
        state_dir: str | Path | None = None,
        products: Mapping[str, Sequence[str]] = PRODUCTS,
        first_id: int = FIRST_NEW_ID,
        clock: Clock = utc_now,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if workflow not in WORKFLOWS:
            raise ValueError(f"unknown workflow {workflow!r}; known: {', '.join(WORKFLOWS)}")
        super().__init__(host, port)
        self.api_keys = (
            dict(api_keys) if isinstance(api_keys, Mapping)
            else dict.fromkeys(api_keys, BOT_LOGIN)
        )
        state_file = Path(state_dir) / "bugzilla.json" if state_dir is not None else None
        self.db = BugDatabase(
            WORKFLOWS[workflow], products, state_file=state_file, first_id=first_id, clock=clock
        )
        logins = ["nobody@mozilla.org", *sorted(set(self.api_keys.values()))]
        self.users = {login: index for index, login in enumerate(logins, start=1)}

    @property
    def workflow(self) -> str:
        return self.db.workflow.name

    # -- helpers for tests and the sandbox ---------------------------------------------
    def add_bug(
        self,
        summary: str,
        status: str | None = None,
        resolution: str = "",
        *,
        product: str = "Loop",
        component: str = "Server",
        id: int | None = None,  # Bugzilla's own field name
        depends_on: Iterable[int] = (),
        blocks: Iterable[int] = (),
        dupe_of: int | None = None,
        creator: str = BOT_LOGIN,
        **fields: Any,
    ) -> int:
        """Seed a bug in any status (NEW, or CONFIRMED in the default workflow, if None)."""
        params = {
            **fields, "summary": summary, "status": status, "resolution": resolution,
            "product": product, "component": component, "id": id,
            "depends_on": list(depends_on), "blocks": list(blocks), "dupe_of": dupe_of,
        }
        try:
            return self.db.seed(params, creator)
        except BugzillaFault as fault:
            raise ValueError(f"cannot add bug: {fault.message}") from None

    def backdate(self, bug_id: int, moves: Iterable[tuple[dt.datetime, str, str]],
                 who: str = BOT_LOGIN) -> None:
        """Give a seeded bug the status history that led to its status: each move is
        (when, status, resolution), as Bug.history then lists it."""
        status, resolution = self.db.workflow.default_new_status, ""
        for when, new_status, new_resolution in moves:
            changed = [{"field_name": "status", "removed": status, "added": new_status}]
            if new_resolution != resolution:
                changed.append({"field_name": "resolution", "removed": resolution,
                                "added": new_resolution})
            self.db.add_history(bug_id, {"when": timestamp(when), "who": who,
                                         "changes": changed})
            status, resolution = new_status, new_resolution

    def change(self, bug_id: int, actor: str, **params: Any) -> dict[str, Any]:
        """Bug.update of one bug by `actor` (a login), with Bugzilla's checks (workflow,
        resolution); ValueError with Bugzilla's message when it refuses."""
        try:
            return self.db.update([bug_id], params, actor)[0]
        except BugzillaFault as fault:
            raise ValueError(fault.message) from None

    def bug(self, bug_id: int) -> dict[str, Any]:
        """The bug as Bug.get answers it (a copy)."""
        return self._render(self.db.get(bug_id))

    def comments(self, bug_id: int) -> list[dict[str, Any]]:
        return self.db.comments(bug_id)

    # -- plumbing ----------------------------------------------------------------------
    def _route(self, request: Request) -> Response:
        try:
            return super()._route(request)
        except BugzillaFault as fault:
            raise HTTPError(fault.http_status, fault.message, code=fault.code) from None

    def error_response(self, error: HTTPError) -> Response:
        code = error.extra.get("code")
        message = error.message
        if code is None and error.status in (404, 405):
            code, message = 32614, "A REST API resource was not found for this request."
        body = {
            "error": True, "code": code if code is not None else 32000,
            "message": message, "documentation": DOCUMENTATION,
        }
        return Response(error.status, body)

    def _caller(self, request: Request, *, required: bool = False) -> str | None:
        key = request.arg("Bugzilla_api_key") or request.arg("api_key")
        key = key or request.header("x-bugzilla-api-key")
        if key and key not in self.api_keys:
            raise BugzillaFault(
                306, "The API key you specified is invalid. Please check that you typed it"
                " correctly."
            )
        if required and not key:
            raise BugzillaFault(410, "You must log in before using this part of Bugzilla.")
        return self.api_keys.get(key) if key else None

    def _render(self, bug: Mapping[str, Any]) -> dict[str, Any]:
        return {**bug, "is_open": self.db.workflow.is_open(bug["status"])}

    def _user(self, login: str) -> dict[str, Any]:
        return {"id": self.users[login], "name": login, "email": login,
                "real_name": login.split("@")[0], "can_login": True}

    # -- routes ------------------------------------------------------------------------
    @route("GET", r"/rest/version")
    def version(self, request: Request) -> Response:
        self._caller(request)
        return Response(200, {"version": VERSION})

    @route("GET", r"/rest/whoami")
    def whoami(self, request: Request) -> Response:
        login = self._caller(request, required=True)
        assert login is not None
        return Response(200, {"id": self.users[login], "name": login,
                              "real_name": login.split("@")[0]})

    @route("GET", r"/rest/user")
    def get_users(self, request: Request) -> Response:
        self._caller(request)
        names, ids = values(request.query, "names"), values(request.query, "ids")
        if not names and not ids:
            raise BugzillaFault(50, "The function User.get requires a names argument.")
        by_id = {index: login for login, index in self.users.items()}
        found = [self._user(self._known_login(name)) for name in names]
        for raw in ids:
            if not raw.isdigit() or int(raw) not in by_id:
                raise BugzillaFault(51, f"There is no user with the id '{raw}'.")
            found.append(self._user(by_id[int(raw)]))
        return Response(200, {"users": found})

    def _known_login(self, name: str) -> str:
        if name not in self.users:
            raise BugzillaFault(51, f"There is no user named '{name}'. Either you mis-typed"
                                " the name or that user has not yet registered for a"
                                " Bugzilla account.")
        return name

    @route("GET", r"/rest/bug")
    def search_bugs(self, request: Request) -> Response:
        self._caller(request)
        bugs = [self._render(bug) for bug in self.db.all()]
        found = search(bugs, request.query)
        return Response(200, {"bugs": [select_fields(b, request.query) for b in found]})

    @route("GET", r"/rest/bug/([^/]+)")
    def get_bug(self, request: Request, raw_id: str) -> Response:
        self._caller(request)
        permissive = request.arg("permissive") in ("1", "true")
        bugs, faults = [], []
        for bug_id in [parse_bug_id(raw_id), *map(parse_bug_id, values(request.query, "ids"))]:
            try:
                bugs.append(select_fields(self.bug(bug_id), request.query))
            except BugzillaFault as fault:
                if not permissive:
                    raise
                faults.append({"id": bug_id, "faultString": fault.message,
                               "faultCode": fault.code})
        body: dict[str, Any] = {"bugs": bugs}
        if permissive:
            body["faults"] = faults
        return Response(200, body)

    @route("GET", r"/rest/bug/([^/]+)/history")
    def get_history(self, request: Request, raw_id: str) -> Response:
        self._caller(request)
        bug_id = parse_bug_id(raw_id)
        return Response(200, {"bugs": [{"id": bug_id, "alias": [],
                                        "history": self.db.history(bug_id)}]})

    @route("POST", r"/rest/bug")
    def create_bug(self, request: Request) -> Response:
        creator = self._caller(request, required=True)
        assert creator is not None
        params = dict(request.json())
        params.pop("id", None)  # Bugzilla numbers new bugs itself
        return Response(201, {"id": self.db.create(params, creator)})

    @route("PUT", r"/rest/bug/([^/]+)")
    def update_bugs(self, request: Request, raw_id: str) -> Response:
        actor = self._caller(request, required=True)
        assert actor is not None
        params = dict(request.json())
        ids = [parse_bug_id(raw_id)]
        for raw in params.pop("ids", None) or []:
            if parse_bug_id(raw) not in ids:
                ids.append(parse_bug_id(raw))
        return Response(200, {"bugs": self.db.update(ids, params, actor)})

    @route("GET", r"/rest/bug/([^/]+)/comment")
    def get_comments(self, request: Request, raw_id: str) -> Response:
        self._caller(request)
        bug_id = parse_bug_id(raw_id)
        comments = self.db.comments(bug_id)
        return Response(200, {"bugs": {str(bug_id): {"comments": comments}}, "comments": {}})

    @route("POST", r"/rest/bug/([^/]+)/comment")
    def add_comment(self, request: Request, raw_id: str) -> Response:
        actor = self._caller(request, required=True)
        assert actor is not None
        text = str(request.json().get("comment") or "").strip()
        if not text:
            raise BugzillaFault(50, "The function Bug.add_comment requires a comment"
                                " argument, and that argument was not set.")
        return Response(201, {"id": self.db.add_comment(parse_bug_id(raw_id), text, actor)})

    @route("GET", r"/rest/field/bug")
    def get_fields(self, request: Request) -> Response:
        self._caller(request)
        names = values(request.query, "names") or ["bug_status", "resolution"]
        return Response(200, {"fields": [field_values(self.db.workflow, n) for n in names]})

    @route("GET", r"/rest/field/bug/([^/]+)")
    def get_field(self, request: Request, name: str) -> Response:
        self._caller(request)
        return Response(200, {"fields": [field_values(self.db.workflow, name)]})

    @route("GET", r"/rest/product_(accessible|enterable|selectable)")
    def product_ids(self, request: Request, kind: str) -> Response:
        self._caller(request)
        return Response(200, {"ids": [p["id"] for p in product_records(self.db.products)]})

    @route("GET", r"/rest/product(?:/([^/]+))?")
    def get_products(self, request: Request, name_or_id: str | None = None) -> Response:
        self._caller(request)
        ids, names = set(values(request.query, "ids")), set(values(request.query, "names"))
        if name_or_id and name_or_id != "get":
            (ids if name_or_id.isdigit() else names).add(name_or_id)
        records = product_records(self.db.products)
        chosen = [p for p in records if str(p["id"]) in ids or p["name"] in names]
        return Response(200, {"products": chosen})
