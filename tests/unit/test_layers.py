"""The layers of bot/ and handlers/ (README "Code layout"): a module imports its own layer
and the layers below it, never one above, and no module imports itself back through
others (an import inside a function or under TYPE_CHECKING counts: a circle hidden in a
function is still a circle). Read with `ast` from the files, so nothing is imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Bottom up. The bottom layer's packages are leaves: each imports only itself.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("domain", ("bot.domain", "bot.clock", "bot.markup", "bot")),
    ("config", ("bot.config", "bot.logs", "bot.redaction", "bot.prompt_shutdown")),
    ("usecases", ("bot.usecases",)),
    ("adapters", ("bot.store", "bot.partners", "bot.messages", "bot.jobs", "bot.board")),
    ("handlers", ("handlers",)),
    ("entrypoints", ("bot.entrypoints", "bot.sandbox")),
)
# The two packages of the top layer meet only here: the sandbox chat runs the real app and
# server; `loopbot sandbox ...` starts the sandbox.
CROSSINGS = {"bot.sandbox.chat": "bot.entrypoints", "bot.entrypoints.cli": "bot.sandbox"}
# Slack's requests meet the bot in handlers/ only (the Bolt app is built and served by the
# entry points): no other package imports Bolt.
BOLT = ("handlers", "bot.entrypoints")


def modules() -> dict[str, Path]:
    found = {}
    for top in ("bot", "handlers"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def imported(name: str, path: Path) -> Iterator[str]:
    """The project's modules `name` imports: `from pkg import mod` names the module
    `pkg.mod`; a module's own packages (always imported before it) are left out."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES and target != name and not name.startswith(target + "."):
                yield target


GRAPH = {name: sorted(set(imported(name, path))) for name, path in MODULES.items()}


def package_of(module: str) -> tuple[int, str]:
    """(layer index, package) of a module: its longest package in LAYERS."""
    best: tuple[int, str] | None = None
    for index, (_, packages) in enumerate(LAYERS):
        for package in packages:
            inside = module == package or (package != "bot"
                                           and module.startswith(package + "."))
            if inside and (best is None or len(package) > len(best[1])):
                best = (index, package)
    if best is None:
        raise LookupError(f"{module} is in no layer: add its package to LAYERS (and README)")
    return best


def crossing(module: str, target: str) -> bool:
    return any((module == m or module.startswith(m + ".")) and
               (target == t or target.startswith(t + ".")) for m, t in CROSSINGS.items())


def violations() -> dict[tuple[str, str], str]:
    found = {}
    for module, targets in GRAPH.items():
        layer, package = package_of(module)
        for target in targets:
            target_layer, target_package = package_of(target)
            if layer == 0 and target_package != package:
                found[(module, target)] = f"{package} is a leaf: it imports only itself"
            elif target_layer > layer:
                found[(module, target)] = (f"{LAYERS[layer][0]} imports "
                                           f"{LAYERS[target_layer][0]}, a higher layer")
            elif (layer == target_layer == len(LAYERS) - 1 and target_package != package
                  and not crossing(module, target)):
                found[(module, target)] = f"{package} imports {target_package}"
    return found


def circles() -> list[list[str]]:
    """The import circles: strongly connected components of more than one module
    (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in GRAPH:
        if start in index:
            continue
        work = [(start, iter(GRAPH[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(GRAPH[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_every_module_of_bot_and_handlers_is_in_a_layer() -> None:
    for module in MODULES:
        package_of(module)


def test_no_import_circle() -> None:
    assert circles() == []


def test_no_import_from_a_lower_layer_to_a_higher_one() -> None:
    found = {f"{m} -> {t}: {why}" for (m, t), why in violations().items()}
    assert not found, "\n".join(sorted(found))


@pytest.mark.parametrize(("module", "target", "reason"), [
    ("bot.domain.rules", "bot.usecases.context", "domain is a leaf"),
    ("bot.clock", "bot.domain.release", "bot.clock is a leaf"),
    ("bot.usecases.offer", "handlers.work", "usecases imports handlers"),
    ("handlers.actions", "bot.entrypoints.app", "handlers imports entrypoints"),
    ("bot.sandbox.github.standin", "bot.entrypoints.server", "only the sandbox chat"),
])
def test_the_check_sees_an_import_that_breaks_the_layers(
        module: str, target: str, reason: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, module, [*GRAPH.get(module, []), target])
    assert (module, target) in violations(), reason


def test_only_handlers_and_the_entry_points_import_bolt() -> None:
    found = set()
    for module, path in MODULES.items():
        if module.startswith(tuple(f"{p}." for p in BOLT)):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found |= {module for name in names if name.split(".")[0] == "slack_bolt"}
    assert not found, f"Bolt imported outside {BOLT}: {sorted(found)}"


def test_the_check_sees_a_circle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, "handlers.one", ["handlers.two"])
    monkeypatch.setitem(GRAPH, "handlers.two", ["handlers.three"])
    monkeypatch.setitem(GRAPH, "handlers.three", ["handlers.one", "bot.domain.errors"])
    assert circles() == [["handlers.one", "handlers.three", "handlers.two"]]
