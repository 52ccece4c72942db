"""Bugzilla for loopbot, over python-bugzilla's REST backend: the `Tracker` port.

Guarantees:
- building a `BugzillaTracker` does no I/O; the first call connects (one `GET /version`),
  and a failed connection is retried by the next call;
- `bugs(ids)` costs one request for up to `CHUNK` ids (unknown ids are simply absent);
  `bug`, `file_ticket`, `set_status`, `add_blocker`, `remove_blocker` and `comment` cost
  one request each, `find_ticket` and `search_tickets` one search;
- statuses are set with `build_update(status=, resolution=)`, never `Bug.close()` (which
  sends CLOSED, unknown to Bugzilla >= 4.0 workflows);
- every failure is a `PartnerError`: `NotFound` for a missing bug, `Conflict` for a change
  Bugzilla refuses (illegal transition, missing or misplaced resolution), a plain
  `PartnerError` for a refused key, an unreachable or failing server; a change sent
  without an answer (lost, 5xx, timed out) is `OutcomeUnknown`;
- the API key travels in the `X-BUGZILLA-API-KEY` header (Bugzilla 5.1+), never in a URL
  (python-bugzilla 3.3 would put it in the query string of every request, and urllib3
  logs URLs at DEBUG); messages are scrubbed of it all the same.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import bugzilla
import requests
import urllib3
from requests.adapters import HTTPAdapter

from bot.domain.facts import Bug
from bot.domain.ticket_history import StatusMove
from bot.partners.bugzilla_times import moment as _time
from bot.partners.bugzilla_times import moves as _moves
from bot.usecases.ports import NOT_HANDLED, Conflict, NotFound, OutcomeUnknown, PartnerError

PARTNER = "Bugzilla"
CHUNK = 300
FIELDS = ("id", "summary", "status", "resolution", "depends_on", "blocks", "keywords",
          "groups", "type", "creation_time")
REFUSED_CHANGE_CODES = frozenset({104, 118, 119, 120, 121, 122, 123})
# no status REOPENED (51, Bugzilla 4.0+'s workflow) or not from here (123)
NO_SUCH_TRANSITION = frozenset({51, 123})
AUTH_CODES = frozenset({102, 300, 301, 302, 304, 306, 307, 410})
T = TypeVar("T")
API_KEY_HEADER = "X-BUGZILLA-API-KEY"


class _TimeoutSession(requests.Session):
    """python-bugzilla always passes a timeout (300 s by default); cap it. The pool keeps
    `connections` connections per host, one per thread that may call at once."""

    def __init__(self, timeout: float, connections: int) -> None:
        super().__init__()
        self.timeout = timeout
        for scheme in ("http://", "https://"):
            self.mount(scheme, HTTPAdapter(pool_maxsize=connections))

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = min(float(kwargs.get("timeout") or self.timeout), self.timeout)
        return super().request(*args, **kwargs)


class BugzillaTracker:
    """Deployment tickets and changelog bugs in one Bugzilla product/component."""

    def __init__(
        self, url: str, api_key: str, product: str, component: str, *, timeout: float = 30.0,
        connections: int = 10,
    ) -> None:
        self.url = url
        self.product = product
        self.component = component
        self._api_key = api_key
        self._timeout = timeout
        self._connections = connections
        self._connecting = threading.Lock()  # threads calling at once connect once
        self._bz: bugzilla.Bugzilla | None = None

    def __repr__(self) -> str:
        return f"BugzillaTracker({self.url!r}, product={self.product!r})"

    # -- the Tracker port --------------------------------------------------------------
    def connect(self) -> None:
        self._call("connect", lambda bz: None)

    def bugs(self, ids: Iterable[int]) -> dict[int, Bug]:
        wanted = sorted({int(i) for i in ids})
        found: dict[int, Bug] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            raw = self._call(f"read bugs {_span(chunk)}", partial(_read_bugs, chunk))
            found.update((bug.id, _to_bug(bug)) for bug in raw if bug is not None)
        return found

    def bug(self, bug_id: int) -> Bug:
        raw = self._call(f"read bug {bug_id}", lambda bz: bz.getbug(
            bug_id, include_fields=list(FIELDS)), bug_id=bug_id)
        return _to_bug(raw)

    def find_ticket(self, summary: str) -> Bug | None:
        def query(bz: bugzilla.Bugzilla) -> list[Any]:
            q = bz.build_query(product=self.product, component=self.component,
                               short_desc=summary, include_fields=list(FIELDS), limit=0)
            return bz.query(q)

        found = self._call(f"search for {summary!r}", query)
        exact = [_to_bug(b) for b in found if b.summary == summary]
        return max(exact, key=lambda bug: bug.id) if exact else None

    def search_tickets(self, text: str) -> list[Bug]:
        def query(bz: bugzilla.Bugzilla) -> list[Any]:
            q = bz.build_query(product=self.product, component=self.component,
                               short_desc=text, include_fields=list(FIELDS), limit=0)
            return bz.query(q)

        return [_to_bug(b) for b in self._call(f"search for {text!r}", query)]

    def file_ticket(self, summary: str, description: str, depends_on: Sequence[int]) -> int:
        def create(bz: bugzilla.Bugzilla) -> int:
            data = bz.build_createbug(
                product=self.product, component=self.component, version="unspecified",
                summary=summary, description=description, depends_on=list(depends_on) or None,
            )
            return int(bz.createbug(data).id)

        return self._call(f"file {summary!r}", create, write=True)

    def set_status(self, bug_id: int, status: str, resolution: str = "",
                   comment: str = "") -> None:
        state = f"{status} {resolution}".strip()
        self._update(f"set bug {bug_id} {state}", bug_id, status=status,
                     resolution=resolution or None, comment=comment or None)

    def add_blocker(self, ticket_id: int, bug_id: int) -> None:
        self._update(f"make bug {bug_id} block {ticket_id}", ticket_id,
                     depends_on_add=[bug_id])

    def remove_blocker(self, ticket_id: int, bug_id: int) -> None:
        self._update(f"remove bug {bug_id} from the blockers of {ticket_id}", ticket_id,
                     depends_on_remove=[bug_id])

    def comment(self, bug_id: int, text: str) -> None:
        self._update(f"comment on bug {bug_id}", bug_id, comment=text)

    def reopen(self, bug_id: int, comment: str) -> None:
        def work(bz: bugzilla.Bugzilla) -> object:
            try:
                return bz.update_bugs([bug_id], bz.build_update(status="REOPENED",
                                                                comment=comment))
            except bugzilla.BugzillaError as exc:
                if getattr(exc, "code", None) not in NO_SUCH_TRANSITION:
                    raise
            return bz.update_bugs([bug_id], bz.build_update(status="CONFIRMED", comment=comment))

        client = self._call("connect", lambda bz: bz)  # connecting is not the change
        self._call(f"reopen bug {bug_id}", work, bug_id=bug_id, write=True, client=client)

    def status_moves(self, bug_id: int) -> tuple[StatusMove, ...]:
        raw = self._call(f"read the history of bug {bug_id}",
                         lambda bz: bz.bugs_history_raw([bug_id]), bug_id=bug_id)
        records = [r for b in raw.get("bugs", []) if int(b.get("id", 0)) == bug_id
                   for r in b.get("history", [])]
        return tuple(_moves(records))

    def bug_url(self, bug_id: int) -> str:
        parts = urlsplit(self.url)
        path = re.sub(r"/rest/?$", "", parts.path.rstrip("/")) + "/show_bug.cgi"
        return urlunsplit((parts.scheme, parts.netloc, path, f"id={bug_id}", ""))

    # -- plumbing ----------------------------------------------------------------------
    def _update(self, action: str, bug_id: int, **changes: Any) -> None:
        client = self._call("connect", lambda bz: bz)  # connecting is not the change
        self._call(action, lambda bz: bz.update_bugs(
            [bug_id], bz.build_update(**changes)), bug_id=bug_id, write=True, client=client)

    def _call(self, action: str, work: Callable[[bugzilla.Bugzilla], T],
              bug_id: int | None = None, *, write: bool = False,
              client: bugzilla.Bugzilla | None = None) -> T:
        if write and client is None:
            client = self._call("connect", lambda bz: bz)
        try:
            with self._errors(action, bug_id):
                return work(client or self._client())
        except PartnerError as exc:
            if write and exc.sent:
                raise OutcomeUnknown(PARTNER, f"{exc.message}; it may have been done "
                                     "all the same") from None
            raise

    def _client(self) -> bugzilla.Bugzilla:
        with self._connecting:
            if self._bz is None:
                session = _TimeoutSession(self._timeout, self._connections)
                # In a header (Bugzilla 5.1+, bugzilla.mozilla.org): python-bugzilla would
                # put it in every URL, which urllib3 logs at DEBUG.
                session.headers[API_KEY_HEADER] = self._api_key
                bz = bugzilla.Bugzilla(url=None, api_key=None, use_creds=False,
                                       force_rest=True, requests_session=session)
                bz.connect(self.url)
                self._bz = bz
            return self._bz

    @contextmanager
    def _errors(self, action: str, bug_id: int | None) -> Iterator[None]:
        try:
            yield
        except bugzilla.BugzillaError as exc:
            raise self._refusal(action, exc, bug_id) from None
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            raise PartnerError(PARTNER, f"could not {action}: HTTP {status or '?'} from "
                               f"{self._where()}", sent=status >= 500 and status != NOT_HANDLED
                               ) from None
        except requests.exceptions.ConnectTimeout:
            raise PartnerError(PARTNER, f"could not {action}: cannot reach {self._where()}"
                               " (ConnectTimeout)") from None
        except requests.exceptions.Timeout:
            raise PartnerError(PARTNER, f"could not {action}: no answer from "
                               f"{self._where()} within {self._timeout:g} s", sent=True) from None
        except (requests.exceptions.RequestException, OSError) as exc:
            raise PartnerError(PARTNER, f"could not {action}: cannot reach {self._where()} "
                               f"({type(exc).__name__})", sent=_after_sending(exc)) from None
        except (ValueError, KeyError) as exc:
            raise PartnerError(PARTNER, f"could not {action}: unexpected answer from "
                               f"{self._where()}: {self._scrub(str(exc))}") from None

    def _refusal(self, action: str, exc: bugzilla.BugzillaError,
                 bug_id: int | None) -> PartnerError:
        code = getattr(exc, "code", None)
        text = self._scrub(str(exc))
        if code == 101 and bug_id is not None:
            return NotFound(PARTNER, f"could not {action}: bug {bug_id} does not exist")
        if code == 101:
            return NotFound(PARTNER, f"could not {action}: {text}")
        if code in REFUSED_CHANGE_CODES:
            return Conflict(PARTNER, f"could not {action}: {text}")
        if code in AUTH_CODES:
            return PartnerError(PARTNER, f"could not {action}: Bugzilla refused the API key"
                                f" ({text}); check BUGZILLA_API_KEY")
        return PartnerError(PARTNER, f"could not {action}: {text}")

    def _where(self) -> str:
        return self._scrub(self.url)

    def _scrub(self, text: str) -> str:
        """The text without the API key, raw or URL-encoded, nor any api_key parameter."""
        text = re.sub(r"(?i)(Bugzilla_api_key|api_key)=[^&\s'\")]*", r"\1=[hidden]", text)
        for secret in {self._api_key, quote(self._api_key, safe=""), quote(self._api_key)}:
            if secret:
                text = text.replace(secret, "[hidden]")
        return text


def _after_sending(exc: BaseException) -> bool:
    """False only when the connection was never made (refused, no route, DNS)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return not isinstance(reason, (urllib3.exceptions.NewConnectionError,
                                   urllib3.exceptions.NameResolutionError,
                                   ConnectionRefusedError))


def _read_bugs(ids: list[int], bz: bugzilla.Bugzilla) -> list[Any]:
    return bz.getbugs(ids, include_fields=list(FIELDS), permissive=True)


def _to_bug(raw: Any) -> Bug:
    return Bug(
        id=int(raw.id),
        summary=str(raw.summary),
        status=str(raw.status),
        resolution=str(getattr(raw, "resolution", "") or ""),
        depends_on=tuple(int(i) for i in getattr(raw, "depends_on", ()) or ()),
        blocks=tuple(int(i) for i in getattr(raw, "blocks", ()) or ()),
        keywords=tuple(str(k) for k in getattr(raw, "keywords", ()) or ()),
        groups=tuple(str(g) for g in getattr(raw, "groups", ()) or ()),
        type=str(getattr(raw, "type", "") or ""),
        created_at=_time(getattr(raw, "creation_time", None)),
    )


def _span(ids: Sequence[int]) -> str:
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]} ({len(ids)} ids)"
