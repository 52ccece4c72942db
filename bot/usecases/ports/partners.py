"""The partners' ports, in loopbot's words. bot/partners/ implements them over the real
client libraries; tests/fakes/ holds in-memory fakes of the same shapes.

Every method raises `PartnerError` (or a subclass) for a partner failure, with a message
that names the partner and what failed and never carries a secret. A change whose outcome
is unknown (sent, then no answer) raises `OutcomeUnknown`; any other failure of a change
means the partner refused it or it never left (nothing was changed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.facts import Ancestry, Bug, Commit, EnvironmentState, Tag
from bot.domain.ticket_history import StatusMove


class PartnerError(Exception):
    """A partner (GitHub, Bugzilla, an environment) failed or is unreachable."""

    def __init__(self, partner: str, message: str, *, sent: bool = False) -> None:
        super().__init__(f"{partner}: {message}")
        self.partner = partner
        self.message = message
        self.sent = sent  # the request had left when it failed: a change may be done


# 503 says the server did not handle the request (RFC 9110 15.6.4): nothing was changed.
# Any other 5xx may come after the work was done (a proxy's 502 or 504, a 500 halfway).
NOT_HANDLED = 503


class OutcomeUnknown(PartnerError):
    """A change was sent and no answer says whether it was made (the answer was lost, a
    server error came after it was sent, or it timed out): it may have been done. Every
    step is safe to repeat, so the caller says so instead of "nothing was changed"."""


class NotFound(PartnerError):
    """The partner has no such object (tag, branch, bug)."""


class Conflict(PartnerError):
    """The change conflicts with what the partner holds (a tag at another commit, a
    cherry-pick that does not apply)."""


@dataclass(frozen=True)
class CherryPickResult:
    branch: str
    head_sha: str
    picked: tuple[tuple[str, str], ...]  # (original sha, new sha), in order


class Forge(Protocol):
    """One repository on GitHub (or GitHub Enterprise)."""

    def branch_head(self, branch: str) -> str: ...
    def branch_exists(self, branch: str) -> bool: ...
    def find_commit(self, sha: str) -> str | None:
        """The full sha of the commit `sha` (7 to 40 hex digits) names, None if none."""
        ...
    def tags(self) -> list[Tag]: ...
    def tag(self, name: str) -> Tag | None: ...
    def ancestry(self, base: str, head: str) -> Ancestry: ...
    def contained_in(self, branch: str, shas: Iterable[str]) -> frozenset[str]:
        """Those of `shas` the branch's history contains (its head or an ancestor), in
        requests linear in len(shas) however long the history after them."""
        ...
    def commits_between(self, base: str | None, head: str) -> list[Commit]:
        """Commits reachable from head and not from base, oldest first, in one compare
        (paged). base None means the whole history of head."""
        ...
    def create_tag(self, name: str, commit_sha: str, message: str) -> Tag:
        """Annotated tag object + ref. Idempotent: an existing tag at the same commit is
        returned as is; one at another commit raises Conflict."""
        ...
    def create_branch(self, name: str, from_sha: str) -> str:
        """Idempotent like create_tag; returns the branch head."""
        ...
    def cherry_pick(self, branch: str, shas: Sequence[str]) -> CherryPickResult:
        """Apply the commits in order via the API only; the branch moves once, at the end,
        fast-forward. A commit that does not apply raises Conflict naming it; the branch is
        then untouched."""
        ...
    def release_url(self, tag: str) -> str | None:
        """The html URL of the tag's GitHub release; None when it has none yet."""
        ...
    def create_release(self, tag: str, title: str, body: str, *,
                       known_missing: bool = False) -> str:
        """A GitHub release for the tag (idempotent); returns its html URL. With
        `known_missing` (the caller just read `release_url` as None) it does not read
        first."""
        ...
    def changed_files(self, base: str, head: str) -> tuple[str, ...]:
        """The paths base...head changes."""
        ...
    def commit_files(self, sha: str) -> tuple[str, ...]:
        """The paths one commit changes (against its first parent; one request)."""
        ...
    def read_file(self, ref: str, path: str) -> str | None:
        """The file's text at ref (None when it does not exist there)."""
        ...
    def release_commit(self, branch: str, base_sha: str, message: str,
                       files: Sequence[tuple[str, str]]) -> tuple[str, bool]:
        """One commit on top of base_sha with `files` (path, text) changed, the branch
        fast-forwarded to it: (sha, made now?). Idempotent: a commit with this message
        right after base_sha is found and returned; a branch moved otherwise is a
        Conflict."""
        ...
    def compare_url(self, base: str, head: str) -> str: ...
    def tag_url(self, tag: str) -> str: ...


class Tracker(Protocol):
    """Bugzilla, for deployment tickets and the bugs of a changelog."""

    def connect(self) -> None:
        """Connect now if not yet connected (a use case does it at once with other calls
        when its first Bugzilla call comes later in its chain)."""
        ...

    def bugs(self, ids: Iterable[int]) -> dict[int, Bug]:
        """Every listed bug in one request; unknown ids are absent from the result."""
        ...
    def bug(self, bug_id: int) -> Bug: ...
    def find_ticket(self, summary: str) -> Bug | None:
        """The newest bug with exactly this summary in the configured product/component."""
        ...
    def search_tickets(self, text: str) -> list[Bug]:
        """Every bug of the configured product/component whose summary contains `text`
        (case-insensitive), in one search."""
        ...
    def file_ticket(self, summary: str, description: str, depends_on: Sequence[int]) -> int: ...
    def set_status(self, bug_id: int, status: str, resolution: str = "",
                   comment: str = "") -> None: ...
    def add_blocker(self, ticket_id: int, bug_id: int) -> None:
        """bug_id blocks ticket_id (added to its depends_on)."""
        ...
    def remove_blocker(self, ticket_id: int, bug_id: int) -> None: ...
    def comment(self, bug_id: int, text: str) -> None: ...
    def reopen(self, bug_id: int, comment: str) -> None:
        """Open a closed ticket again, with `comment` (REOPENED where the workflow has it,
        else CONFIRMED: Bugzilla 4.0+'s default workflow)."""
        ...
    def status_moves(self, bug_id: int) -> tuple[StatusMove, ...]:
        """The bug's status after each change that moved it, oldest first (Bug.history)."""
        ...
    def bug_url(self, bug_id: int) -> str: ...


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar"
    data: bytes


class Mail(Protocol):
    """The mailing list (and partners' addresses) by email."""

    to: str  # the mailing list

    def send(self, subject: str, body: str, *, to: Sequence[str] = (),
             attachments: Sequence[Attachment] = (), copy_list: bool = True) -> None:
        """To `to` with the list copied unless told not to (to the list alone when `to`
        is empty)."""
        ...


@dataclass(frozen=True)
class PostedMessage:
    channel: str  # the channel id Slack answered with
    ts: str


class Chat(Protocol):
    """The team's channel, for the bot's own messages (rendered by bot/messages/)."""

    def post(self, text: str, blocks: list[dict[str, Any]] | None = None, *,
             channel: str | None = None) -> PostedMessage:
        """To `channel` (a service's own), else to the configured one."""
        ...
    def update(self, message: PostedMessage, text: str,
               blocks: list[dict[str, Any]] | None = None) -> None: ...


class UserDirectory(Protocol):
    """Slack's users and user groups (the roles' members and the names people see)."""

    def group_members(self, group_id: str) -> frozenset[str]:
        """The user IDs in the user group (S...); PartnerError when Slack cannot say."""
        ...
    def display_name(self, user_id: str) -> str:
        """The user's display name (else their name, else the ID); PartnerError when
        Slack cannot say."""
        ...


class Environments(Protocol):
    """The services' root URLs."""

    def read(self, name: str, url: str, *, heartbeat: bool = True) -> EnvironmentState:
        """GET / (or /__version__) and /__heartbeat__ (unless `heartbeat` is false:
        `healthy` is then None), with a timeout; never raises for an unreachable
        environment: reachable=False with the reason in `error`."""
        ...
