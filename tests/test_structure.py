"""The package's shape: no import cycle, a small flat core, short modules, light loading."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "xteval"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path) -> set[str]:
    """Every xteval module a module imports, at top level or inside a function (TYPE_CHECKING too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from . import x` imports the submodule x when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:
                t = t.rpartition(".")[0]
            if t and t != name and t != "xteval":
                found.add(t)
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in the import graph as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m) :], m]
            if m not in state and (cycle := visit(m)):
                return cycle
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (cycle := visit(n)):
            return cycle
    return None


def test_no_import_cycle():
    cycle = find_cycle(GRAPH)
    assert cycle is None, " → ".join(cycle)


def test_the_cycle_finder_finds_a_planted_cycle():
    planted = {**GRAPH, "xteval.money": GRAPH["xteval.money"] | {"xteval.scoring.engine"}}
    assert find_cycle(planted) is not None  # money → engine → … → money


def test_a_small_flat_core_and_short_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top
    long = {module_name(p): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert not long, long


def test_the_core_imports_no_layer_above_it():
    core = {
        "xteval.errors",
        "xteval.money",
        "xteval.dates",
        "xteval.files",
        "xteval.yamlio",
        "xteval.params",
        "xteval.checks",
        "xteval.registry",
    }
    for name in core:
        above = {m for m in GRAPH[name] if m not in core and not m.startswith("xteval.rules")}
        assert not above, (name, above)


def test_readme_layout_names_every_subpackage():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    for pkg in sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")):
        assert f"{pkg}/" in layout, pkg


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        # a department params file: no project module, no matplotlib, no pandas, no notebook stack
        (
            "from xteval.params import load_params; load_params('params/2023/department.yaml')",
            ("matplotlib", "pandas", "xteval.projects", "nbformat", "papermill"),
        ),
        # a project params file imports its own module, and still no matplotlib
        ("from xteval.params import load_params; load_params('params/2023/ppp.yaml')", ("matplotlib", "xteval.projects.video_maintenance")),
        # the command line's help
        (
            "import sys; from xteval.cli import main; sys.argv = ['xteval', '--help']\ntry:\n main()\nexcept SystemExit:\n pass",
            ("pandas", "matplotlib"),
        ),
    ],
    ids=["department-params", "project-params", "cli-help"],
)
def test_loading_imports_only_what_it_uses(code, absent):
    probe = f"{code}\nimport sys\nprint('LOADED:', ' '.join(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "LOADED:", out.stdout[-500:]
