"""How far dev is behind master (PROCESS.md: dev "follows master automatically").

`DevLag` is what one comparison says: the commit dev runs and how many commits the main
branch has that dev does not. `overdue` says whether a lag first seen at one moment has
lasted longer than the service allows. Pure: the comparison and the times come in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DevLag:
    env: str  # the environment that follows the main branch ("dev")
    branch: str  # the main branch ("master")
    rev: str | None  # the commit the environment runs (None: it does not say)
    behind: int | None = None  # commits on the branch and not on dev; None: unknown
    error: str = ""  # why it is unknown

    @property
    def lagging(self) -> bool:
        return bool(self.behind)

    @property
    def summary(self) -> str:
        """"12 commits behind master", "up to date with master", or why it is unknown."""
        if self.behind is None:
            return f"can't tell how far behind {self.branch} ({self.error or 'no rev'})"
        if self.behind == 0:
            return f"up to date with {self.branch}"
        plural = "commit" if self.behind == 1 else "commits"
        return f"{self.behind} {plural} behind {self.branch}"

    def describe(self) -> str:
        """"dev runs 5af4054, 12 commits behind master"."""
        runs = f"{self.env} runs {self.rev[:7]}" if self.rev else f"{self.env}"
        return f"{runs}, {self.summary}"


def overdue(first_seen: dt.datetime, now: dt.datetime, allowed: dt.timedelta) -> bool:
    """Whether a lag first seen at `first_seen` has lasted more than `allowed`."""
    return now - first_seen > allowed
