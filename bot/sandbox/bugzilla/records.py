"""How the Bugzilla stand-in shapes its records: bugs, comments and `changes`, as Bugzilla 5's
REST API returns them (field names of Bug.get, comment fields of Bug.comments, change
records of Bug.update). Pure functions; state.py owns the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.sandbox.bugzilla.workflow import BugzillaFault

SCALAR_FIELDS = (
    "summary", "assigned_to", "qa_contact", "priority", "severity", "whiteboard", "url",
    "version", "op_sys", "platform", "target_milestone", "type",
)
CREATE_LIST_FIELDS = ("keywords", "groups")  # lists a new bug may be given
LIST_FIELDS = ("keywords", "cc", "see_also")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bug_id(value: object) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise BugzillaFault(100, f"'{text}' is not a valid bug number nor an alias to a bug.")
    return int(text)


def new_bug_record(
    params: Mapping[str, Any], *, summary: str, status: str, product: str, component: str,
    creator: str, now: str,
) -> dict[str, Any]:
    """A new bug with Bugzilla's defaults, then the scalar fields the caller gave."""
    bug: dict[str, Any] = {
        "id": 0, "alias": [], "summary": summary, "status": status, "resolution": "",
        "dupe_of": None, "product": product, "component": component,
        "classification": "Other", "version": "unspecified", "op_sys": "Unspecified",
        "platform": "Unspecified", "priority": "--", "severity": "normal",
        "assigned_to": "nobody@mozilla.org", "qa_contact": "", "creator": creator,
        "cc": [], "keywords": [], "see_also": [], "whiteboard": "", "url": "",
        "target_milestone": "---", "depends_on": [], "blocks": [], "flags": [],
        "groups": [], "is_confirmed": status != "UNCONFIRMED", "creation_time": now,
        "last_change_time": now, "type": "defect",
    }
    for field in SCALAR_FIELDS:
        if params.get(field) not in (None, ""):
            bug[field] = str(params[field])
    for field in CREATE_LIST_FIELDS:
        if params.get(field):
            bug[field] = [str(v) for v in params[field]]
    bug["summary"] = summary
    return bug


def apply_simple_fields(bug: dict[str, Any], params: Mapping[str, Any]) -> None:
    """Bug.update's plain fields and {"add", "remove", "set"} list fields."""
    for field in SCALAR_FIELDS:
        if field in params and params[field] is not None:
            bug[field] = str(params[field])
    for field in LIST_FIELDS:
        edit = params.get(field)
        if isinstance(edit, Mapping):
            values = list(edit.get("set", bug[field]))
            values += [v for v in edit.get("add") or () if v not in values]
            bug[field] = [v for v in values if v not in (edit.get("remove") or ())]


def comment_record(
    comment_id: int, bug_id: int, count: int, text: str, creator: str, now: str
) -> dict[str, Any]:
    return {
        "id": comment_id, "bug_id": bug_id, "attachment_id": None, "count": count,
        "text": text, "raw_text": text, "creator": creator, "author": creator, "time": now,
        "creation_time": now, "is_private": False, "is_markdown": False, "tags": [],
    }


def comment_text(comment: object) -> str:
    """Bug.update's comment: {"body": ...}, or {"comment": ...} (pre-5.0 name that
    python-bugzilla's build_update still sends and Bugzilla 5 still accepts)."""
    if isinstance(comment, Mapping):
        return str(comment.get("body") or comment.get("comment") or "")
    return str(comment or "")


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Bugzilla's `changes`: field -> {"added": str, "removed": str}."""
    changes = {}
    for field, new in after.items():
        old = before.get(field)
        if field in ("last_change_time", "is_confirmed") or old == new:
            continue
        changes[field] = {"added": _as_text(new, old), "removed": _as_text(old, new)}
    return changes


def _as_text(value: Any, other: Any) -> str:
    if isinstance(value, list):
        others = other if isinstance(other, list) else []
        return ", ".join(str(v) for v in value if v not in others)
    return "" if value is None else str(value)
