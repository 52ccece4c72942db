"""Git objects as the GitHub stand-in reads them, and their parsers.

A commit is read either from `git log` (`LOG_FORMAT`) or from its raw object (one
`git cat-file` answer); both give the same `CommitInfo`: what `%an`, `%ae`, `%at` and
`%B` say of it. Texts are read the way a text-mode pipe reads git's output (UTF-8, every
line end a "\\n"), which is how the stand-in always read them.
"""

from __future__ import annotations

from dataclasses import dataclass

LOG_FORMAT = "%H%x1f%T%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%B%x1e"
FileChange = tuple[str, str, int, int, str | None]  # status, path, +, -, renamed from
_SPACE = " \t\n\r"  # git's isspace()


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    when: int  # seconds since the epoch, UTC

    def raw(self) -> str:
        return f"{self.name} <{self.email}> {self.when} +0000"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str


@dataclass(frozen=True)
class TagInfo:
    sha: str
    name: str
    object_sha: str
    object_type: str
    tagger: Signature | None
    message: str


@dataclass(frozen=True)
class RefInfo:
    name: str  # refs/heads/master
    sha: str  # what the ref points at (a tag object for annotated tags)
    type: str  # commit, tag
    peeled: str  # the commit (annotated tags peeled)


def text(data: bytes) -> str:
    """Bytes from git as a text-mode pipe gives them (universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def parse_log_record(record: str) -> CommitInfo:
    sha, tree, parents, an, ae, at, cn, ce, ct, body = record.lstrip("\n").split("\x1f", 9)
    return CommitInfo(sha, tree, tuple(parents.split()), Signature(an, ae, int(at)),
                      Signature(cn, ce, int(ct)), body.rstrip("\n"))


def parse_raw_commit(sha: str, raw: bytes) -> CommitInfo | None:
    """The commit object's content as `git log` shows it; None when git would re-encode
    it (an `encoding` header) or its header is not the usual one: ask `git log` then."""
    head, _, message = text(raw).partition("\n\n")
    tree, parents, author, committer = "", [], None, None
    seen: set[str] = set()
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key == "tree":
            tree = value
        elif key == "parent":
            parents.append(value)
        elif key in ("author", "committer", "encoding") and key in seen:
            return None
        elif key == "author":
            author = parse_ident(value)
        elif key == "committer":
            committer = parse_ident(value)
        elif key == "encoding":
            return None
        seen.add(key)
    if not tree or author is None or committer is None:
        return None
    return CommitInfo(sha, tree, tuple(parents), author, committer, message.rstrip("\n"))


def parse_raw_tag(sha: str, raw: bytes) -> TagInfo:
    head, _, message = text(raw).partition("\n\n")
    fields = dict(line.split(" ", 1) for line in head.splitlines())
    return TagInfo(sha, fields["tag"], fields["object"], fields["type"],
                   _tagger(fields["tagger"]) if "tagger" in fields else None, message)


def parse_ident(value: str) -> Signature | None:
    """"Name <email> 1416300000 +0000" split as git splits it (split_ident_line)."""
    start = value.find("<")
    end = value.find(">", start + 1)
    if start < 0 or end < 0:
        return None
    date = value[value.rfind(">") + 1:].lstrip(_SPACE)
    digits = date[:len(date) - len(date.lstrip("0123456789"))]
    if not digits:
        return None
    return Signature(value[:start].rstrip(_SPACE), value[start + 1:end], int(digits))


def _tagger(value: str) -> Signature:
    name, _, rest = value.partition(" <")
    email, _, when = rest.partition("> ")
    return Signature(name, email, int(when.split()[0]))
