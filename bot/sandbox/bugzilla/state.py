"""The Bugzilla stand-in's data: bugs, comments and dependencies, thread-safe and optionally
persisted.

`BugDatabase` validates every change like Bugzilla 5 (products and components, the status
workflow of workflow.py, dependencies that exist and are reciprocal) and either
applies all of it or none, raising `BugzillaFault`. With a `state_file`, the whole state is
written atomically after each change and read back at start, so a sandbox continues across
runs. Every bug handed out is a copy: callers never hold the live record.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.sandbox.bugzilla.history import BugHistories
from bot.sandbox.bugzilla.records import (
    apply_simple_fields,
    changes,
    comment_record,
    comment_text,
    new_bug_record,
    parse_bug_id,
    timestamp,
    utc_now,
)
from bot.sandbox.bugzilla.workflow import (
    BugzillaFault,
    Workflow,
    check_change,
    check_new_bug,
    check_resolution_name,
    check_status_name,
)

Clock = Callable[[], dt.datetime]
FIRST_NEW_ID = 1100001


class BugDatabase:
    """Bugs keyed by id; every public method takes the lock."""

    def __init__(
        self,
        workflow: Workflow,
        products: Mapping[str, Sequence[str]],
        *,
        state_file: Path | None = None,
        first_id: int = FIRST_NEW_ID,
        clock: Clock = utc_now,
    ) -> None:
        self.workflow = workflow
        self.products = {name: tuple(components) for name, components in products.items()}
        self._state_file = state_file
        self._clock = clock
        self._lock = threading.RLock()
        self._bugs: dict[int, dict[str, Any]] = {}
        self._comments: dict[int, list[dict[str, Any]]] = {}
        self._histories = BugHistories()  # Bug.history's records
        self._next_id = first_id
        self._next_comment_id = 8_700_001
        if state_file is not None and state_file.exists():
            self._load(state_file)

    # -- reading -----------------------------------------------------------------------
    def get(self, bug_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._live(bug_id))

    def exists(self, bug_id: int) -> bool:
        with self._lock:
            return bug_id in self._bugs

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(self._bugs[i]) for i in sorted(self._bugs)]

    def comments(self, bug_id: int) -> list[dict[str, Any]]:
        with self._lock:
            self._live(bug_id)
            return copy.deepcopy(self._comments.get(bug_id, []))

    # -- writing -----------------------------------------------------------------------
    def create(self, params: Mapping[str, Any], creator: str) -> int:
        """Bug.create: validate everything, then store the bug and its description."""
        with self._lock:
            bug = self._new_bug(params, creator)
            relations = {
                "depends_on": self._existing(params.get("depends_on") or ()),
                "blocks": self._existing(params.get("blocks") or ()),
            }
            bug_id = int(params.get("id") or self._next_id)
            if bug_id in self._bugs:
                raise BugzillaFault(32000, f"Bug {bug_id} already exists.")
            bug["id"] = bug_id
            self._next_id = max(self._next_id, bug_id + 1)
            self._bugs[bug_id] = bug
            for field, ids in relations.items():
                self._set_relation(bug, field, ids)
            self._append_comment(bug_id, str(params.get("description") or ""), creator)
            self._save()
            return bug_id

    def seed(self, params: Mapping[str, Any], creator: str) -> int:
        """A bug in any status (tests and the sandbox set up history this way): the names are
        checked, the workflow's transitions are not."""
        with self._lock:
            status = str(params.get("status") or self.workflow.default_new_status)
            resolution = str(params.get("resolution") or "")
            check_status_name(self.workflow, status)
            check_resolution_name(self.workflow, resolution)
            if self.workflow.is_open(status) == bool(resolution):
                raise ValueError(f"status {status} with resolution {resolution!r}")
            bug_id = self.create({**params, "status": None, "resolution": None}, creator)
            dupe = params.get("dupe_of")
            self._bugs[bug_id].update(
                status=status, resolution=resolution, dupe_of=int(dupe) if dupe else None,
                is_confirmed=status != "UNCONFIRMED",
            )
            if isinstance(params.get("creation_time"), dt.datetime):  # reported before
                self._bugs[bug_id]["creation_time"] = timestamp(params["creation_time"])
            self._save()
            return bug_id

    def update(
        self, ids: Sequence[int], params: Mapping[str, Any], actor: str
    ) -> list[dict[str, Any]]:
        """Bug.update on every id, all or nothing; returns Bugzilla's per-bug change records."""
        with self._lock:
            for bug_id in ids:
                self._live(bug_id)
            plans = [self._plan(self._bugs[bug_id], params) for bug_id in ids]
            results = [self._apply(bug_id, plan, params, actor) for bug_id, plan in
                       zip(ids, plans, strict=True)]
            self._save()
            return results

    def add_comment(self, bug_id: int, text: str, creator: str) -> int:
        with self._lock:
            self._live(bug_id)
            comment_id = self._append_comment(bug_id, text, creator)
            self._bugs[bug_id]["last_change_time"] = timestamp(self._clock())
            self._save()
            return comment_id

    # -- internals: creation -----------------------------------------------------------
    def _new_bug(self, params: Mapping[str, Any], creator: str) -> dict[str, Any]:
        summary = str(params.get("summary") or "").strip()
        product, component = self._check_component(params.get("product"),
                                                    params.get("component"))
        if not summary:
            raise BugzillaFault(107, "You must enter a summary for this bug.")
        resolution = str(params.get("resolution") or "")
        status = check_new_bug(self.workflow, params.get("status"), resolution)
        return new_bug_record(params, summary=summary, status=status, product=product,
                              component=component, creator=creator,
                              now=timestamp(self._clock()))

    def _check_component(self, product: object, component: object) -> tuple[str, str]:
        name = str(product or "")
        if name not in self.products:
            raise BugzillaFault(
                106, f"Product '{name}' does not exist or you aren't authorized to enter a"
                " bug into it."
            )
        comp = str(component or "")
        if not comp:
            raise BugzillaFault(105, "You must choose a component.")
        if comp not in self.products[name]:
            raise BugzillaFault(
                105, f"There is no component named '{comp}' in the '{name}' product."
            )
        return name, comp

    def _existing(self, ids: Iterable[object]) -> list[int]:
        result = []
        for raw in ids:
            bug_id = parse_bug_id(raw)
            self._live(bug_id)
            result.append(bug_id)
        return result

    # -- internals: updates ------------------------------------------------------------
    def _plan(self, bug: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        """Everything the update will change on `bug`, validated; nothing applied yet."""
        plan: dict[str, Any] = {}
        status, resolution = params.get("status"), params.get("resolution")
        dupe = params.get("dupe_of")
        if resolution is not None:
            check_resolution_name(self.workflow, str(resolution))
        if status is not None:
            check_status_name(self.workflow, str(status))
        if status is not None or resolution is not None or dupe is not None:
            dupe_id = None if dupe in (None, "") else parse_bug_id(dupe)
            if dupe_id is not None:
                self._live(dupe_id)
            plan["state"] = check_change(
                self.workflow, bug, status=status, resolution=resolution, dupe_of=dupe_id
            )
        if "product" in params or "component" in params:
            plan["component"] = self._check_component(
                params.get("product", bug["product"]), params.get("component", bug["component"])
            )
        for field in ("depends_on", "blocks"):
            if isinstance(params.get(field), Mapping):
                plan[field] = self._relation_plan(bug, field, params[field])
        return plan

    def _relation_plan(
        self, bug: dict[str, Any], field: str, edit: Mapping[str, Any]
    ) -> list[int]:
        current = list(bug[field])
        if "set" in edit:
            current = self._existing(edit["set"] or ())
        for bug_id in self._existing(edit.get("add") or ()):
            if bug_id not in current:
                current.append(bug_id)
        removed = {parse_bug_id(raw) for raw in edit.get("remove") or ()}
        current = [i for i in current if i not in removed]
        if bug["id"] in current:
            raise BugzillaFault(32000, "You can't make a bug block itself or depend on itself.")
        return sorted(current)

    def _apply(
        self, bug_id: int, plan: Mapping[str, Any], params: Mapping[str, Any], actor: str
    ) -> dict[str, Any]:
        bug = self._bugs[bug_id]
        before = copy.deepcopy(bug)
        if "state" in plan:
            state = plan["state"]
            bug.update(status=state.status, resolution=state.resolution, dupe_of=state.dupe_of)
            bug["is_confirmed"] = bug["is_confirmed"] or state.status != "UNCONFIRMED"
        if "component" in plan:
            bug["product"], bug["component"] = plan["component"]
        for field in ("depends_on", "blocks"):
            if field in plan:
                self._set_relation(bug, field, plan[field])
        apply_simple_fields(bug, params)
        text = comment_text(params.get("comment"))
        if text:
            self._append_comment(bug_id, text, actor)
        now = timestamp(self._clock())
        bug["last_change_time"] = now
        changed = changes(before, bug)
        self._histories.record_change(bug_id, now, actor, changed)
        return {"id": bug_id, "alias": bug["alias"], "last_change_time": now,
                "changes": changed}

    def _set_relation(self, bug: dict[str, Any], field: str, ids: Sequence[int]) -> None:
        """Set bug[field] and keep the other side (blocks <-> depends_on) in step."""
        other = "blocks" if field == "depends_on" else "depends_on"
        old, new = set(bug[field]), set(ids)
        bug[field] = sorted(new)
        for bug_id in old - new:
            self._bugs[bug_id][other] = [i for i in self._bugs[bug_id][other] if i != bug["id"]]
        for bug_id in new - old:
            self._bugs[bug_id][other] = sorted({*self._bugs[bug_id][other], bug["id"]})

    def _append_comment(self, bug_id: int, text: str, creator: str) -> int:
        comments = self._comments.setdefault(bug_id, [])
        comment_id = self._next_comment_id
        self._next_comment_id += 1
        comments.append(comment_record(comment_id, bug_id, len(comments), text, creator,
                                       timestamp(self._clock())))
        return comment_id

    def history(self, bug_id: int) -> list[dict[str, Any]]:
        with self._lock:
            self._live(bug_id)
            return self._histories.of(bug_id)

    def add_history(self, bug_id: int, record: dict[str, Any]) -> None:
        """A change made before (tests and the sandbox set up history this way)."""
        with self._lock:
            self._live(bug_id)
            self._histories.add(bug_id, record)
            self._save()

    def _live(self, bug_id: int) -> dict[str, Any]:
        bug = self._bugs.get(bug_id)
        if bug is None:
            raise BugzillaFault(101, f"Bug #{bug_id} does not exist.")
        return bug

    # -- persistence -------------------------------------------------------------------
    def _save(self) -> None:
        if self._state_file is None:
            return
        state = {
            "workflow": self.workflow.name, "next_id": self._next_id,
            "next_comment_id": self._next_comment_id,
            "bugs": [self._bugs[i] for i in sorted(self._bugs)],
            "comments": {str(k): v for k, v in self._comments.items()},
            "history": self._histories.to_json(),
        }
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._state_file.with_suffix(".tmp")
        # no indent: the C encoder writes it (it is written after every change)
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self._state_file)

    def _load(self, state_file: Path) -> None:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        self._bugs = {int(b["id"]): b for b in state.get("bugs", [])}
        self._comments = {int(k): v for k, v in state.get("comments", {}).items()}
        self._histories = BugHistories(state.get("history"))
        self._next_id = int(state.get("next_id", self._next_id))
        self._next_comment_id = int(state.get("next_comment_id", self._next_comment_id))
