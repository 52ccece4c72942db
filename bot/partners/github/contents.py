"""Reading files and making the release commit through GitHub's git data API.

`release_commit(branch, base_sha, message, files)` makes one commit with `files` changed,
parent `base_sha`, and fast-forwards `branch` to it (the branch and the base commit read,
a tree with the files' texts inline on top of the base's tree, the commit, the ref moved
with `force=False`). It is idempotent: when the branch
already holds a commit with this message right after `base_sha` (a first run that got
that far), that commit is returned and nothing is added. When the branch moved on with
other commits, it raises `Conflict`: the release is then not what was previewed.
"""

from __future__ import annotations

from collections.abc import Sequence

from github import InputGitTreeElement

from bot.partners.github.client import RepoClient
from bot.partners.github.errors import PARTNER, errors
from bot.partners.github.history import History
from bot.usecases.ports import Conflict, NotFound, PartnerError


def read_file(client: RepoClient, ref: str, path: str) -> str | None:
    """The file's text at `ref`, or None when it does not exist there."""
    try:
        with errors(f"reading {path} at {ref[:12]}"):
            found = client.repo.get_contents(path, ref=ref)
    except NotFound:
        return None
    if isinstance(found, list):
        raise PartnerError(PARTNER, f"{path} is a folder, not a file")
    return found.decoded_content.decode("utf-8")


def release_commit(client: RepoClient, history: History, branch: str, base_sha: str,
                   message: str, files: Sequence[tuple[str, str]]) -> tuple[str, bool]:
    """(the commit's sha, True if made now / False if found from an earlier run)."""
    ref = client.branch_ref(branch)
    if ref.object.sha != base_sha:
        return _earlier(history, branch, base_sha, ref.object.sha, message), False
    with errors(f"making the commit {message!r}"):
        base = client.repo.get_git_commit(base_sha)
        # Each file's text goes inline: GitHub writes its blob with the tree (one
        # request, where a blob each would be one more round trip per file).
        elements = [InputGitTreeElement(path, "100644", "blob", content=text)
                    for path, text in files]
        tree = client.repo.create_git_tree(elements, base_tree=base.tree)
        commit = client.repo.create_git_commit(message, tree, [base])
    try:
        with errors(f"moving {branch} to {commit.sha[:12]}"):
            ref.edit(commit.sha, force=False)
    except Conflict:  # moved meanwhile: perhaps by a concurrent run of the same step
        return _earlier(history, branch, base_sha, client.branch_ref(branch).object.sha,
                        message), False
    return commit.sha, True


def _earlier(history: History, branch: str, base_sha: str, head: str, message: str) -> str:
    following = history.commits_between(base_sha, head)
    first = following[0] if following else None
    if first is not None and first.message.strip() == message.strip() \
            and first.parents == (base_sha,):
        return first.sha
    raise Conflict(PARTNER, f"{branch} moved since {base_sha[:7]} (now {head[:7]}): "
                            f"the release commit {message!r} was not made")
