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
    ids=["department-params", "project-params", "package", "library-check", "cli-help"],
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

    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
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
