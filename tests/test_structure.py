"""The package's shape: no import cycle, a small flat core, short modules, light loading."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "xteval"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_under(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root`` (a checkout's root, holding ``xteval/``), by dotted name."""
    return {module_name(p, root): p for p in (root / "xteval").rglob("*.py")}


MODULES = modules_under(ROOT)


def package_of(name: str, path: Path) -> str:
    """The package a module belongs to: itself for an ``__init__``, else its parent."""
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imported_names(name: str, path: Path, modules: dict[str, Path]):
    """Each import in a module (top level, inside functions, under TYPE_CHECKING): (xteval module, name or None, alias).

    ``from .charts import show`` gives ``("xteval.render.charts", "show", "show")``; ``from ..render import charts``
    and ``import xteval.render.charts as charts`` give ``("xteval.render.charts", None, "charts")``: the module itself.
    """
    package = package_of(name, path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "xteval":
                    yield a.name, None, a.asname or a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "xteval":
                continue
            for a in node.names:
                # `from . import x` imports the submodule x when there is one
                if f"{base}.{a.name}" in modules:
                    yield f"{base}.{a.name}", None, a.asname or a.name
                else:
                    yield base, a.name, a.asname or a.name


def imports_of(name: str, path: Path, modules: dict[str, Path] = MODULES) -> set[str]:
    """Every xteval module a module imports, at top level or inside a function (TYPE_CHECKING too)."""
    found: set[str] = set()
    for target, _, _ in imported_names(name, path, modules):
        t = target
        while t and t not in modules:
            t = t.rpartition(".")[0]
        if t and t != name and t != "xteval":
            found.add(t)
    return found


def graph_of(modules: dict[str, Path]) -> dict[str, set[str]]:
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


GRAPH = graph_of(MODULES)


def layer_of(module: str) -> str:
    """A module's node in the layer graph: its subpackage (``xteval.audit``), or itself for a top-level module."""
    parts = module.split(".")
    return ".".join(parts[:2])


def subpackage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph folded into layers: an edge between two subpackages (or top-level modules) when any module imports any."""
    folded: dict[str, set[str]] = {}
    for a, targets in graph.items():
        folded.setdefault(layer_of(a), set()).update(layer_of(b) for b in targets if layer_of(b) != layer_of(a))
    return folded


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


def test_no_cycle_among_subpackages_through_any_import():
    """render < scoring < department/projects/summary < audit < runner < interfaces: no layer reaches back up, even lazily."""
    cycle = find_cycle(subpackage_graph(GRAPH))
    assert cycle is None, " → ".join(cycle)


def test_the_subpackage_test_finds_a_cycle_planted_inside_a_function(tmp_path):
    """A copy of the package with one lazy import from render up to department: the layer graph has a cycle."""
    shutil.copytree(PACKAGE, tmp_path / "xteval", ignore=shutil.ignore_patterns("__pycache__"))
    fonts = tmp_path / "xteval" / "render" / "fonts.py"
    fonts.write_text(fonts.read_text(encoding="utf-8") + "\n\ndef planted():\n    from ..department import checks\n", encoding="utf-8")
    planted = graph_of(modules_under(tmp_path))
    assert find_cycle(planted) is None  # no module cycle: only the layers' order is broken
    cycle = find_cycle(subpackage_graph(planted))
    assert cycle is not None and "xteval.render" in cycle and "xteval.department" in cycle, cycle


# The layers, lowest first (README, Layout): a module imports only from its own layer or one below it.
LAYERS = (
    {"xteval.errors", "xteval.money", "xteval.dates", "xteval.files", "xteval.yamlio", "xteval.params", "xteval.checks"}
    | {"xteval.registry", "xteval.rules", "xteval.scaffold"},
    {"xteval.render"},  # generic presentation: charts, styled tables, labels, sanitising, fonts, the appendix
    {"xteval.scoring"},  # frameworks, methods, the engine, PEFA, the workbook, monitoring
    {"xteval.department", "xteval.projects", "xteval.summary"},  # the notebook models, their checks, tables and scoring
    {"xteval.audit"},  # reading and checking a report
    {"xteval.runner", "xteval.intake"},  # running notebooks; reading a folder of documents into a results store
    {"xteval.api"},  # the library: check, extract, score, evaluate
    {"xteval", "xteval.cli", "xteval.panel"},  # the interfaces
)


def test_imports_run_down_the_layers():
    rank = {node: i for i, layer in enumerate(LAYERS) for node in layer}
    folded = subpackage_graph(GRAPH)
    unplaced = sorted(set(folded) - set(rank))
    assert not unplaced, f"place these in LAYERS (and the README's Layout): {unplaced}"
    upward = sorted(f"{a} → {b}" for a, targets in folded.items() for b in targets if rank[b] > rank[a])
    assert not upward, upward


def private_imports(modules: dict[str, Path]) -> list[str]:
    """Each private name (``_x``, not a dunder) a module takes from another package, by import or as ``module._x``."""
    found = []
    for name, path in modules.items():
        own = package_of(name, path)
        aliases = {}
        for target, imported, alias in imported_names(name, path, modules):
            other = package_of(target, modules[target]) if target in modules else target
            if imported is None:
                aliases[alias] = other
            elif imported.startswith("_") and not imported.startswith("__") and other != own:
                found.append(f"{name}: from {target} import {imported}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and aliases[node.value.id] != own
            ):
                found.append(f"{name}: {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_imported_across_packages():
    assert private_imports(MODULES) == []


def test_the_private_name_test_finds_a_planted_one(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "xteval", ignore=shutil.ignore_patterns("__pycache__"))
    ppp = tmp_path / "xteval" / "projects" / "ppp.py"
    planted = "\n\ndef planted():\n    from ..render.report import _hidden\n\n    return charts._hidden, _hidden\n"
    ppp.write_text(ppp.read_text(encoding="utf-8") + planted, encoding="utf-8")
    found = private_imports(modules_under(tmp_path))
    assert found == ["xteval.projects.ppp: from xteval.render.report import _hidden", "xteval.projects.ppp: charts._hidden"], found


def test_a_small_flat_core_and_short_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top
    long = {module_name(p): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert not long, long


# Functions over 80 lines that other parts of issue 19 are splitting; the coordinator empties this after merging them.


def long_functions(limit: int = 80) -> dict[str, int]:
    """Every function (nested ones too) longer than ``limit`` lines, from its ``def`` to its last line."""
    found = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (n := node.end_lineno - node.lineno + 1) > limit:
                found[f"{name}.{node.name}"] = n
    return found


def test_no_function_over_80_lines():
    long = long_functions()
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
    core |= {m for m in GRAPH if m.startswith("xteval.files.")}  # the files package: inputs, outputs, documents
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
        # the year summary's params: its model, not its tables (no pandas, no matplotlib)
        (
            "from xteval.params import load_params; load_params('params/2023/summary.yaml')",
            ("matplotlib", "pandas", "xteval.summary.tables", "xteval.runner"),
        ),
        # the package itself: the library loads on first use of xteval.check …
        ("import xteval; xteval.D('1')", ("pandas", "matplotlib", "xteval.api", "xteval.audit")),
        # checking a report through the library: no pandas, no matplotlib
        (
            "import xteval; xteval.check('params/2023/sources/xiangtan-bigdata-2023.txt')",
            ("pandas", "matplotlib", "nbformat", "papermill"),
        ),
        # the command line's help
        (
            "import sys; from xteval.cli import main; sys.argv = ['xteval', '--help']\ntry:\n main()\nexcept SystemExit:\n pass",
            ("pandas", "matplotlib"),
        ),
    ],
    ids=["department-params", "project-params", "summary-params", "package", "library-check", "cli-help"],
)
def test_loading_imports_only_what_it_uses(code, absent):
    probe = f"{code}\nimport sys\nprint('LOADED:', ' '.join(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "LOADED:", out.stdout[-500:]


NOTEBOOK_STACK = ("nbformat", "nbconvert", "papermill", "pandas", "matplotlib", "jupyter_client", "zmq", "fontTools")


def test_an_unchanged_batch_and_its_help_import_no_notebook_stack(tmp_path):
    """Nothing changed: plan, skip, write the index; no kernel machinery, no exporter, no font tools."""
    import json

    from xteval.runner.batch import discover, plan, save_state
    from xteval.runner.index import write_index
    from xteval.runner.jobs import Outcome

    (tmp_path / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    shutil.copytree(ROOT / "params" / "2023", tmp_path / "params" / "2023")
    (tmp_path / "params" / "2023" / "summary.yaml").unlink()  # the units' fast path; a summary re-reads their outputs
    out = tmp_path / "outputs"
    jobs = [j for j in plan(discover([tmp_path / "params"]), out) if j.error is None]
    assert len(jobs) >= 4
    for job in jobs:  # as a successful run leaves them
        Path(job.ipynb).parent.mkdir(parents=True, exist_ok=True)
        Path(job.ipynb).write_text(json.dumps({"metadata": {"xteval": {"status": "ok", "unit": "单位"}}}), encoding="utf-8")
        Path(job.html).write_text("<html></html>", encoding="utf-8")
        save_state(out, job)
    write_index(out, [Outcome(j, "ok") for j in jobs])  # the first batch's index: its font subset is cached

    code = f"from xteval.cli import main\nprint('EXIT', main(['batch', {str(tmp_path / 'params')!r}, '--out', {str(out)!r}]))"
    probe = f"{code}\nimport sys\nprint('LOADED:', ' '.join(m for m in {NOTEBOOK_STACK!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{len(jobs)} skipped (unchanged)" in done.stdout and "EXIT 0" in done.stdout, done.stdout[-1000:]
    assert done.stdout.strip().splitlines()[-1] == "LOADED:", done.stdout[-500:]

    help_probe = "import sys\nfrom xteval.cli import main\ntry:\n main(['batch', '--help'])\nexcept SystemExit:\n pass\n"
    help_probe += f"print('LOADED:', ' '.join(m for m in {NOTEBOOK_STACK!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", help_probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "--jobs" in done.stdout and done.stdout.strip().splitlines()[-1] == "LOADED:", done.stdout[-500:]
