"""The arrows point down: every module of `digitize`, read statically with `ast`.

Layers from bottom to top: the plugin SDK (top-level modules) < stages < report < engine < batch
< proof < lab < cli. A module imports only its own layer or lower; there is no import cycle;
core never imports a stage's private helper; a stage never imports another stage module or
another kind's helpers (shared stage code lives in `stages/<kind>/_*.py`, `stages/_*.py` or
the SDK). Imports under `if TYPE_CHECKING:` are not imports at run time and are ignored;
imports inside functions count (they are how a cycle hides).

Finally every module must import on its own in a fresh process: a cycle that Python tolerates in
one import order fails in another (`import digitize.cli.batch` once died on a partially
initialised module).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "digitize"

# The plugin SDK: all a stage or a plugin imports. A new top-level module joins it on purpose.
SDK = {
    "digitize",
    *(
        f"digitize.{m}"
        for m in [
            "bookjson",
            "corrections",
            "errors",
            "fileio",
            "images",
            "language",
            "lazy",
            "model",
            "naming",
            "options",
            "pipeline",
            "registry",
            "stage",
            "testing",
            "text",
            "validate",
        ]
    ),
}
# batch and proof are peers on the engine; the order between them only says neither imports
# the other the wrong way (today neither imports the other at all).
LAYERS = ("sdk", "stages", "report", "engine", "batch", "proof", "lab", "cli")

# Known violations, each with the change that removes it: (importer, imported). Empty since the
# image hand-over and the run object (core redesign step 2); keep it empty.
KNOWN: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a package's __init__ when a name comes from it)
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement below `node`, minus the bodies of `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            found.append(child)
        elif isinstance(child, ast.If) and _type_checking(child.test):
            for other in child.orelse:
                found += _import_nodes(ast.Module(body=[other], type_ignores=[]))
        else:
            found += _import_nodes(child)
    return found


@cache
def imports_of(name: str) -> tuple[Import, ...]:
    """The digitize modules `name` imports (absolute and relative imports resolved)."""
    path, known = modules()[name], modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[Import] = []
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module; `from mod import name` the module.
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        for t in targets:
            while t and t not in known:  # `import a.b.c` of a non-module: its longest module
                t = t.rpartition(".")[0]
            if t.startswith("digitize") and t != name:
                out.append(Import(name, t, node.lineno))
    return tuple(dict.fromkeys(out))


def layer(name: str) -> str:
    if name in SDK:
        return "sdk"
    top = name.split(".")[1]
    assert top in LAYERS, f"{name}: a module outside the known layers ({', '.join(LAYERS)})"
    return top


def private(name: str) -> bool:
    return name.rpartition(".")[2].startswith("_") and not name.endswith("__init__")


def stage_kind(name: str) -> str | None:
    """`layout` for `digitize.stages.layout[.*]`; None for `digitize.stages[._*]`."""
    parts = name.split(".")
    if len(parts) >= 3 and parts[1] == "stages" and not parts[2].startswith("_"):
        return parts[2]
    return None


def wrong_way(imp: Import) -> str | None:
    """Why this import breaks the layering, or None."""
    src, dst = imp.source, imp.target
    src_layer, dst_layer = layer(src), layer(dst)
    if LAYERS.index(dst_layer) > LAYERS.index(src_layer):
        return f"{src_layer} may not import {dst_layer}"
    if dst_layer != "stages":
        return None
    if src_layer != "stages":
        if private(dst):
            return "core imports a stage's private helper"
        return None
    src_kind, dst_kind = stage_kind(src), stage_kind(dst)
    if dst_kind is None:  # digitize.stages, digitize.stages._shared helpers
        return None
    if dst == f"digitize.stages.{dst_kind}":
        return None  # a kind's (empty) package
    if not private(dst):
        return "a stage (or helper) imports a stage module"
    if src_kind != dst_kind:
        return f"stages.{src_kind} imports stages.{dst_kind}'s private helper"
    return None


def all_imports() -> list[Import]:
    return [imp for name in modules() for imp in imports_of(name)]


def test_the_scan_sees_the_whole_package() -> None:
    """Guards the test itself: it must find the modules and the imports we know exist."""
    assert len(modules()) > 100
    assert "digitize.stages.layout.blocks" in modules()
    edges = {(i.source, i.target) for i in all_imports()}
    assert ("digitize.registry", "digitize.stage") in edges
    assert ("digitize.stages.layout.flow", "digitize.stages.layout._text") in edges
    assert ("digitize.report.html", "digitize.report.markup") in edges
    # imports inside a function count; imports under `if TYPE_CHECKING:` do not
    assert ("digitize.engine.executors", "digitize.engine.dask_executor") in edges
    assert ("digitize.engine.pages", "digitize.engine.run") not in edges


def test_every_top_level_module_is_part_of_the_sdk() -> None:
    top = {n for n in modules() if n.count(".") <= 1 and n.split(".")[-1] not in LAYERS}
    assert top <= SDK, f"new top-level modules: {sorted(top - SDK)}: add them to SDK or a layer"


def test_no_wrong_way_import() -> None:
    bad = [
        f"{i.source} (line {i.line}) → {i.target}: {why}"
        for i in all_imports()
        if (why := wrong_way(i)) and (i.source, i.target) not in KNOWN
    ]
    assert not bad, "wrong-way imports:\n" + "\n".join(bad)


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {n: set() for n in modules()}
    for i in all_imports():
        if (i.source, i.target) not in KNOWN:
            graph[i.source].add(i.target)
    cycles = [sorted(c) for c in strongly_connected(graph) if len(c) > 1]
    assert not cycles, "import cycles:\n" + "\n".join(" ⇄ ".join(c) for c in cycles)


def test_known_violations_still_exist() -> None:
    """An allow-list entry whose import is gone must be deleted (so it cannot hide a new one)."""
    edges = {(i.source, i.target) for i in all_imports()}
    stale = sorted(KNOWN - edges)
    assert not stale, f"delete these entries from KNOWN in {__file__}: {stale}"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                out.append(component)
    return out


def test_the_checks_catch_what_they_guard() -> None:
    """The rules on made-up imports: each must fail what it is for."""

    def why(src: str, dst: str) -> str | None:
        return wrong_way(Import(src, dst, 1))

    assert why("digitize.model", "digitize.engine.run") == "sdk may not import engine"
    assert why("digitize.report.html", "digitize.batch.ledger") == "report may not import batch"
    assert why("digitize.cli.app", "digitize.batch.run") is None
    assert why("digitize.lab.synth.text", "digitize.stages.layout._text") is not None
    assert why("digitize.stages.layout.flow", "digitize.stages.layout.blocks") is not None
    assert why("digitize.stages.layout.flow", "digitize.stages.ocr._tesseract_engines")
    assert why("digitize.stages.layout.flow", "digitize.stages.layout._text") is None
    assert why("digitize.stages.layout.flow", "digitize.stages._png") is None
    assert why("digitize.stages.layout.flow", "digitize.stages.layout") is None
    assert why("digitize.stages._png", "digitize.stages.layout._text") is not None
    assert why("digitize.stages.export.epub", "digitize.report.markup") is not None
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["c", "b", "a"],
        ["d"],
    ]


# ---------------------------------------------------------------- each module imports alone

# The parent imports the third-party libraries the package uses (never digitize) and forks one
# child per module: each child starts with no digitize module loaded, as a fresh interpreter
# would, but does not pay NumPy's, OpenCV's or Dask's start-up again (~20 s → ~3 s).
_IMPORT_EACH = r"""
import importlib, os, sys, traceback
for lib in sys.argv[1].split(","):
    try:
        importlib.import_module(lib)
    except Exception:
        pass
assert not any(m == "digitize" or m.startswith("digitize.") for m in sys.modules)
failed = 0
for name in sys.argv[2].split(","):
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            print(f"--- import {name}\n{traceback.format_exc()}", flush=True)
            os._exit(1)
        os._exit(0)
    failed += os.waitpid(pid, 0)[1] != 0
sys.exit(1 if failed else 0)
"""


def third_party_libraries() -> list[str]:
    """Every non-stdlib module (and `from m import x` candidate `m.x`) the package imports."""
    names: set[str] = set()
    for path in modules().values():
        for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif node.module and not node.level:
                names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    top = sys.stdlib_module_names | {"digitize"}
    return sorted(n for n in names if n.split(".")[0] not in top)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_every_module_imports_alone_in_a_fresh_process() -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    libs = third_party_libraries()
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, ",".join(libs), ",".join(modules())],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
