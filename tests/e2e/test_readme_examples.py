"""The README's examples that show output: its ```console blocks are run in order, as one
session in an empty folder, each `$ ` line by the shell with the installed `loopbot` on
PATH, and what it prints (stdout and stderr together) compared with the lines below it,
`...` standing for any text (doctest's ELLIPSIS)."""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def sessions(markdown: str) -> list[tuple[str, str]]:
    """(command, expected output) of every `$ ` line of every console block, in order."""
    steps: list[tuple[str, list[str]]] = []
    for block in BLOCK.findall(markdown):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before any command in a console block: {line!r}"
                steps[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in steps]


def test_the_parser_reads_commands_and_their_output() -> None:
    text = "```console\n$ a\none\ntwo\n$ b\n```\n```sh\n$ c\n```\n```console\n$ d\n```\n"
    assert sessions(text) == [("a", "one\ntwo"), ("b", ""), ("d", "")]


def test_the_readme_console_examples_print_what_they_show(tmp_path: Path) -> None:
    steps = sessions((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(steps) >= 6, "the README's console blocks were not found"
    env = {k: v for k, v in os.environ.items()
           if k not in ("LOOPBOT_CONFIG", "DATABASE_URL", "PYTHONPATH")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    checker = doctest.OutputChecker()
    for command, expected in steps:
        ran = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                             check=False)
        got = "\n".join(line.rstrip() for line in ran.stdout.splitlines())
        assert checker.check_output(expected + "\n", got + "\n", doctest.ELLIPSIS), (
            f"README: `$ {command}` printed:\n{got}\nbut the README shows:\n{expected}")
