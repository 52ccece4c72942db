"""Bug.fields and Product.get answers for the Bugzilla stand-in, shaped as Bugzilla 5's.

`field_values` describes bug_status (each status with `is_open`, `sort_key` and
`can_change_to`, led by the nameless initial status whose `can_change_to` lists the
statuses a new bug may have, as Bugzilla's `_legal_field_values` does) and resolution;
any other name answers 51, as `Bugzilla::Field->check` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.sandbox.bugzilla.workflow import BugzillaFault, Workflow

FIELD_IDS = {"bug_status": 29, "resolution": 30}
DISPLAY_NAMES = {"bug_status": "Status", "resolution": "Resolution"}


def field_values(workflow: Workflow, name: str) -> dict[str, Any]:
    if name not in FIELD_IDS:
        raise BugzillaFault(51, f"There is no field named '{name}'.")
    values = _status_values(workflow) if name == "bug_status" else _resolutions(workflow)
    return {
        "id": FIELD_IDS[name], "name": name, "display_name": DISPLAY_NAMES[name],
        "type": 2, "is_custom": False, "is_mandatory": name == "bug_status",
        "is_on_bug_entry": False, "visibility_field": None, "visibility_values": [],
        "value_field": None, "values": values,
    }


def _status_values(workflow: Workflow) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [_status_entry(workflow, None, 0)]
    for index, status in enumerate(workflow.statuses, start=1):
        entries.append(_status_entry(workflow, status, index * 100))
    return entries


def _status_entry(workflow: Workflow, status: str | None, sort_key: int) -> dict[str, Any]:
    return {
        "name": status or "",
        "sort_key": sort_key,
        "is_open": status is None or workflow.is_open(status),
        "is_active": status not in workflow.inactive,
        "visibility_values": [],
        "can_change_to": [
            {"name": target, "comment_required": False} for target in workflow.targets(status)
        ],
    }


def _resolutions(workflow: Workflow) -> list[dict[str, Any]]:
    names = ["", *workflow.resolutions]
    return [
        {"name": name, "sort_key": index * 100, "is_active": True, "visibility_values": []}
        for index, name in enumerate(names)
    ]


def product_records(products: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    records = []
    component_id = 1
    for product_id, (name, components) in enumerate(products.items(), start=1):
        comps = []
        for comp in components:
            comps.append({
                "id": component_id, "name": comp, "description": comp, "is_active": True,
                "default_assigned_to": "nobody@mozilla.org", "default_qa_contact": "",
                "sort_key": 0, "flag_types": {"bug": [], "attachment": []},
            })
            component_id += 1
        records.append({
            "id": product_id, "name": name, "description": name, "is_active": True,
            "classification": "Other", "has_unconfirmed": True,
            "default_milestone": "---", "components": comps,
            "versions": [{"id": product_id, "name": "unspecified", "sort_key": 0,
                          "is_active": True}],
            "milestones": [{"id": product_id, "name": "---", "sort_key": 0,
                            "is_active": True}],
        })
    return records
