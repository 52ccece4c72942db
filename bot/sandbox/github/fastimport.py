"""A `git fast-import` stream: many commits and annotated tags written by one git run
(milliseconds for hundreds of commits), deterministically when the dates are fixed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.sandbox.github.gitobjects import Signature


class FastImport:
    """A `git fast-import` stream: commits (with parents given as marks or shas) and
    annotated tags. Refs are written when the stream is imported."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._mark = 0

    def commit(self, ref: str, message: str, files: Mapping[str, str | None], *,
               author: Signature, parents: Sequence[int | str] = (),
               committer: Signature | None = None) -> int:
        self._mark += 1
        out = [f"commit {ref}", f"mark :{self._mark}", f"author {author.raw()}",
               f"committer {(committer or author).raw()}", _data(message)]
        if parents:
            out.append(f"from {_ref(parents[0])}")
            out += [f"merge {_ref(p)}" for p in parents[1:]]
        else:
            out.append("deleteall")
        for path, content in files.items():
            out += [f"D {path}"] if content is None else [f"M 100644 inline {path}",
                                                          _data(content)]
        self._parts.append("\n".join(out) + "\n")
        return self._mark

    def tag(self, name: str, target: int | str, message: str, tagger: Signature) -> None:
        self._parts.append(f"tag {name}\nfrom {_ref(target)}\ntagger {tagger.raw()}\n"
                           f"{_data(message)}\n")

    def reset(self, ref: str, target: int | str) -> None:
        self._parts.append(f"reset {ref}\nfrom {_ref(target)}\n\n")

    def text(self) -> str:
        return "".join(self._parts) + "done\n"


def _ref(target: int | str) -> str:
    return f":{target}" if isinstance(target, int) else target


def _data(text: str) -> str:
    return f"data {len(text.encode('utf-8'))}\n{text}"
