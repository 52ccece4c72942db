"""`FakeTracker`: Bugzilla in memory, honouring the `Tracker` port as BugzillaTracker does
on the stand-in. Status changes follow the stand-in's own workflow rules
(bot/sandbox/bugzilla/workflow.py, bugzilla.mozilla.org's classic workflow by default):
an illegal change raises Conflict, an unknown bug NotFound."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.domain.facts import Bug
from bot.domain.ticket_history import StatusMove
from bot.sandbox.bugzilla.workflow import (
    WORKFLOWS,
    BugzillaFault,
    check_change,
    check_new_bug,
)
from bot.usecases.ports import Conflict, NotFound, PartnerError

PARTNER = "Bugzilla"
FIRST_NEW_ID = 1100001


@dataclass
class FakeTracker:
    product: str = "Cloud Services"
    component: str = "Operations: Deployment Requests"
    url: str = "https://bugzilla.example"
    workflow: str = "classic"
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    bugs_by_id: dict[int, Bug] = field(default_factory=dict)
    where: dict[int, tuple[str, str]] = field(default_factory=dict)  # product, component
    comments: dict[int, list[str]] = field(default_factory=dict)
    moves: dict[int, list[StatusMove]] = field(default_factory=dict)
    next_id: int = FIRST_NEW_ID
    connected: bool = False

    def add_bug(self, summary: str, status: str = "NEW", resolution: str = "", *,
                id: int | None = None, product: str = "Loop", component: str = "Server",
                keywords: Sequence[str] = (), groups: Sequence[str] = (),
                type: str = "defect") -> int:
        """A bug as people filed it (tests; the stand-in's `add_bug`)."""
        bug_id = id or self._new_id()
        self.bugs_by_id[bug_id] = Bug(bug_id, summary, status, resolution,
                                      keywords=tuple(keywords), groups=tuple(groups),
                                      type=type, created_at=self.clock())
        self.where[bug_id] = (product, component)
        return bug_id

    # -- the Tracker port -------------------------------------------------------------
    def connect(self) -> None:
        self.connected = True

    def bugs(self, ids: Iterable[int]) -> dict[int, Bug]:
        return {i: self.bugs_by_id[i] for i in sorted({int(i) for i in ids})
                if i in self.bugs_by_id}

    def bug(self, bug_id: int) -> Bug:
        return self._bug(bug_id, f"read bug {bug_id}")

    def find_ticket(self, summary: str) -> Bug | None:
        exact = [b for b in self._mine() if b.summary == summary]
        return max(exact, key=lambda b: b.id) if exact else None

    def search_tickets(self, text: str) -> list[Bug]:
        return [b for b in self._mine() if text.lower() in b.summary.lower()]

    def file_ticket(self, summary: str, description: str, depends_on: Sequence[int]) -> int:
        try:
            status = check_new_bug(WORKFLOWS[self.workflow], None, "")
        except BugzillaFault as exc:
            raise PartnerError(PARTNER, f"could not file {summary!r}: {exc.message}") from None
        bug_id = self.add_bug(summary, status, product=self.product,
                              component=self.component)
        self.comments[bug_id] = [description]
        for blocker in depends_on:
            self.add_blocker(bug_id, blocker)
        return bug_id

    def set_status(self, bug_id: int, status: str, resolution: str = "",
                   comment: str = "") -> None:
        state = f"{status} {resolution}".strip()
        action = f"set bug {bug_id} {state}"
        bug = self._bug(bug_id, action)
        try:
            change = check_change(WORKFLOWS[self.workflow], {
                "status": bug.status, "resolution": bug.resolution},
                status=status, resolution=resolution or None)
        except BugzillaFault as exc:
            raise Conflict(PARTNER, f"could not {action}: {exc.message}") from None
        self._move(bug, change.status, change.resolution)
        if comment:
            self.comments.setdefault(bug_id, []).append(comment)

    def add_blocker(self, ticket_id: int, bug_id: int) -> None:
        ticket = self._bug(ticket_id, f"make bug {bug_id} block {ticket_id}")
        if bug_id not in ticket.depends_on:
            self.bugs_by_id[ticket_id] = replace(ticket, depends_on=(*ticket.depends_on, bug_id))
        blocker = self.bugs_by_id.get(bug_id)
        if blocker is not None and ticket_id not in blocker.blocks:
            self.bugs_by_id[bug_id] = replace(blocker, blocks=(*blocker.blocks, ticket_id))

    def remove_blocker(self, ticket_id: int, bug_id: int) -> None:
        ticket = self._bug(ticket_id, f"remove bug {bug_id} from the blockers of {ticket_id}")
        self.bugs_by_id[ticket_id] = replace(
            ticket, depends_on=tuple(b for b in ticket.depends_on if b != bug_id))
        blocker = self.bugs_by_id.get(bug_id)
        if blocker is not None:
            self.bugs_by_id[bug_id] = replace(
                blocker, blocks=tuple(b for b in blocker.blocks if b != ticket_id))

    def comment(self, bug_id: int, text: str) -> None:
        self._bug(bug_id, f"comment on bug {bug_id}")
        self.comments.setdefault(bug_id, []).append(text)

    def reopen(self, bug_id: int, comment: str) -> None:
        bug = self._bug(bug_id, f"reopen bug {bug_id}")
        flow = WORKFLOWS[self.workflow]
        target = "REOPENED" if flow.can_change(bug.status, "REOPENED") else "CONFIRMED"
        self.set_status(bug_id, target, comment=comment)

    def status_moves(self, bug_id: int) -> tuple[StatusMove, ...]:
        self._bug(bug_id, f"read the history of bug {bug_id}")
        return tuple(self.moves.get(bug_id, ()))

    def bug_url(self, bug_id: int) -> str:
        return f"{self.url}/show_bug.cgi?id={bug_id}"

    # -- plumbing ---------------------------------------------------------------------
    def _bug(self, bug_id: int, action: str) -> Bug:
        if bug_id not in self.bugs_by_id:
            raise NotFound(PARTNER, f"could not {action}: bug {bug_id} does not exist")
        return self.bugs_by_id[bug_id]

    def _mine(self) -> list[Bug]:
        return [b for i, b in self.bugs_by_id.items()
                if self.where.get(i) == (self.product, self.component)]

    def _move(self, bug: Bug, status: str, resolution: str) -> None:
        self.bugs_by_id[bug.id] = replace(bug, status=status, resolution=resolution)
        if (status, resolution) != (bug.status, bug.resolution):
            self.moves.setdefault(bug.id, []).append(
                StatusMove(self.clock(), status, resolution))

    def _new_id(self) -> int:
        while self.next_id in self.bugs_by_id:
            self.next_id += 1
        return self.next_id
