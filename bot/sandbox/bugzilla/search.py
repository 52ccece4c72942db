"""Bug.search and field selection for the Bugzilla stand-in, as Bugzilla 5's REST API does.

Pure functions over bug dicts. `search` honours `id`, `bug_status` (or `status`), `product`,
`component`, `resolution`, `creator`, `summary`/`short_desc` (case-insensitive substring;
several values match any), `limit` (default 500, Bugzilla's default_search_limit; 0 means
up to max_search_results, 10000), `offset` and `order` (`bug_id` or `bug_id DESC`); a
parameter given several times or comma-separated matches any of its values.
`select_fields` applies `include_fields`/`exclude_fields` (with `_default` and `_all`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from bot.sandbox.bugzilla.workflow import BugzillaFault

Query = Mapping[str, list[str]]
DEFAULT_LIMIT = 500
MAX_RESULTS = 10000
EXACT_PARAMS = {
    "bug_status": "status", "status": "status", "product": "product",
    "component": "component", "resolution": "resolution", "creator": "creator",
    "reporter": "creator",
}
SUMMARY_PARAMS = ("summary", "short_desc")


def values(query: Query, name: str) -> list[str]:
    """Every value of a parameter, repeated or comma-separated ones split."""
    result: list[str] = []
    for raw in query.get(name, []):
        result.extend(part.strip() for part in raw.split(",") if part.strip())
    return result


def search(bugs: Iterable[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    tests = _tests(query)
    found = [bug for bug in bugs if all(test(bug) for test in tests)]
    found.sort(key=lambda bug: bug["id"], reverse=_descending(query))
    offset = _number(query, "offset", 0)
    limit = _number(query, "limit", DEFAULT_LIMIT) or MAX_RESULTS
    return found[offset : offset + min(limit, MAX_RESULTS)]


def _tests(query: Query) -> list[Callable[[dict[str, Any]], bool]]:
    tests: list[Callable[[dict[str, Any]], bool]] = []
    ids = values(query, "id")
    if ids:
        wanted = {_bug_number(i) for i in ids}
        tests.append(lambda bug: bug["id"] in wanted)
    for param, field in EXACT_PARAMS.items():
        allowed = set(values(query, param))
        if allowed:
            tests.append(partial(_field_in, field, allowed))
    for param in SUMMARY_PARAMS:
        needles = [v.lower() for v in query.get(param, []) if v]
        if needles:
            tests.append(partial(_summary_has, needles))
    return tests


def _field_in(field: str, allowed: set[str], bug: dict[str, Any]) -> bool:
    return str(bug.get(field) or "") in allowed


def _summary_has(needles: list[str], bug: dict[str, Any]) -> bool:
    return any(x in bug["summary"].lower() for x in needles)


def _bug_number(text: str) -> int:
    if not text.isdigit():
        raise BugzillaFault(100, f"'{text}' is not a valid bug number nor an alias to a bug.")
    return int(text)


def _descending(query: Query) -> bool:
    order = (query.get("order") or ["bug_id"])[-1].strip().lower()
    return order.endswith(" desc")


def _number(query: Query, name: str, default: int) -> int:
    raw = (query.get(name) or [str(default)])[-1]
    if not raw.strip().isdigit():
        raise BugzillaFault(32000, f"Invalid value for {name}: '{raw}'.")
    return int(raw)


def select_fields(bug: Mapping[str, Any], query: Query) -> dict[str, Any]:
    """The bug with only the fields include_fields/exclude_fields ask for."""
    include = values(query, "include_fields")
    exclude = set(values(query, "exclude_fields"))
    if include and not {"_default", "_all"} & set(include):
        result = {name: bug[name] for name in include if name in bug}
    else:
        result = dict(bug)
    return {name: value for name, value in result.items() if name not in exclude}
