"""Facts read from the outside world, as plain frozen values the domain reasons about.

Adapters in bot/partners/ build these from GitHub, Bugzilla and the environments' root
URLs; the domain never sees a library object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.errors import one_line


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    author: str = ""
    parents: tuple[str, ...] = ()
    committed_at: dt.datetime | None = field(default=None, compare=False)  # committer date

    @property
    def title(self) -> str:
        """The subject line, clipped to one line's length."""
        return one_line(self.message.splitlines()[0]) if self.message else ""

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class Tag:
    name: str
    commit_sha: str  # the commit the tag points at (annotated tags peeled)


@dataclass(frozen=True)
class Ancestry:
    """How `base` relates to `head` (GitHub's compare status)."""

    status: str  # "ahead" (base is an ancestor of head), "identical", "behind", "diverged"
    ahead_by: int
    behind_by: int

    @property
    def base_is_ancestor(self) -> bool:
        return self.status in ("ahead", "identical")


OPEN_STATUSES = frozenset(
    {"UNCONFIRMED", "NEW", "ASSIGNED", "REOPENED", "CONFIRMED", "IN_PROGRESS"}
)


@dataclass(frozen=True)
class Bug:
    """A Bugzilla bug or deployment ticket as the bot needs it."""

    id: int
    summary: str
    status: str
    resolution: str = ""
    depends_on: tuple[int, ...] = ()
    blocks: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()  # e.g. sec-high
    groups: tuple[str, ...] = ()  # e.g. core-security (who may see it)
    type: str = ""  # defect, enhancement or task (Bugzilla 5)
    created_at: dt.datetime | None = field(default=None, compare=False)  # when reported

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_fixed(self) -> bool:
        return self.status in ("RESOLVED", "VERIFIED", "CLOSED") and self.resolution == "FIXED"

    @property
    def is_verified(self) -> bool:
        return self.status == "VERIFIED" and self.resolution == "FIXED"

    def describe(self) -> str:
        state = f"{self.status} {self.resolution}".strip()
        return f"bug {self.id} ({state})"


# `fake_partner` as people read it (`/loop envs`, the board): loop-server's root URL says
# `fakeTokBox: true` when its calls go to a fake TokBox instead of the real video partner
# (PROCESS.md: stage is load-tested that way), so load there never reaches TokBox.
MOCKED_PARTNER = "TokBox mocked (fakeTokBox)"
MOCKED_PARTNER_MEANS = ("its root URL says fakeTokBox: true: calls go to a fake TokBox, "
                        "not the real partner")
NOTHING_RELEASED = "no release yet"  # an environment that says no version and no commit


@dataclass(frozen=True)
class EnvironmentState:
    """What an environment's root URL says runs there."""

    name: str
    url: str
    reachable: bool
    version: str | None = None
    rev: str | None = None
    branch: str | None = None
    fake_partner: bool | None = None  # loop-server's fakeTokBox
    healthy: bool | None = None  # /__heartbeat__: 200 -> True, 503 -> False
    error: str | None = None
    details: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def runs_nothing(self) -> bool:
        """Reachable, and says neither a version nor a commit: no release deployed yet."""
        return self.reachable and not self.version and not self.rev
