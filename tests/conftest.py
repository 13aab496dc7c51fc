"""Shared fixtures: the repo's paths and params variants built by text substitution."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

import xteval  # noqa: F401  first, as in every process of the tool: it keeps jsonschema from building rfc3987-syntax's parsers (2 s a worker)

# No test depends on timing: CI shares a busy 2-core machine, where a property test's example can take
# several times its idle time. Examples are derived from the test, not drawn at random, so a run is
# repeatable: a property that fails, fails on every run and every machine.
settings.register_profile("xteval", deadline=None, derandomize=True, database=None)
settings.load_profile("xteval")

ROOT = Path(__file__).resolve().parents[1]

# `make test` installs every extra and sets XTEVAL_ALL_EXTRAS=1: there a missing one is a failure, not a skip.
ALL_EXTRAS = os.environ.get("XTEVAL_ALL_EXTRAS") == "1"


def needs(module: str, extra: str) -> None:
    """Skip the calling test, naming the extra, when an optional module is not installed (fail under `make test`)."""
    if importlib.util.find_spec(module) is None:
        reason = f"needs the {extra!r} extra ({module} is not installed): pip install -e '.[{extra}]'"
        if ALL_EXTRAS:
            pytest.fail(reason)
        pytest.skip(reason)


PARAMS = ROOT / "params"
SEED_PARAMS = PARAMS / "2023" / "department.yaml"
SEED_REPORT = PARAMS / "2023" / "sources" / "xiangtan-bigdata-2023.txt"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project root: notebooks/ linked in, params/2023 copied, empty outputs/."""
    (tmp_path / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    shutil.copytree(PARAMS / "2023", tmp_path / "params" / "2023")
    return tmp_path


def variant(folder: Path, name: str, *subs: tuple[str, str], source: Path = SEED_PARAMS) -> Path:
    """Copy a params file with text substitutions; each must match, so a stale test fails loudly.

    The data folders beside the source (``sources/``, ``data/``) are copied too when the
    target folder lacks them: a params file may only name files inside its own tree.
    A substitution that plants another value in a ``seed`` figure makes that figure ``illustrative``:
    a planted value is no longer what the report says, and loading checks seeds against the report.
    """
    text = source.read_text(encoding="utf-8")
    for old, new in subs:
        assert old in text, f"substitution target not found: {old!r}"
        start = text.index(old) if new else -1
        text = text.replace(old, new, 1)
        if start >= 0 and old.split("seed:")[0] != new.split("seed:")[0]:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start + len(new))
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            if "{" in line and "seed:" in line:
                text = text[:line_start] + line.replace("seed:", "illustrative:", 1) + text[line_start + len(line) :]
    out = folder / name
    out.write_text(text, encoding="utf-8")
    for data in ("sources", "data"):  # seeds quote their report, and data files travel with the file
        if (source.parent / data).is_dir() and not (folder / data).exists():
            shutil.copytree(source.parent / data, folder / data)
    return out


@pytest.fixture(scope="module")
def forked_kernels():
    """This process's runs fork their kernels from a warm template, as a batch worker's do, until the module ends.

    For tests of what a run writes, not of how its kernel starts: a fresh kernel imports the notebook stack
    again on every run (about 3 s of CPU), a fork of the template has it already. tests/test_forking.py shows
    that a forked run gives the same outputs; the plain kernel stays tested by the runs of ``xteval run``.
    """
    from xteval.runner import forking
    from xteval.runner.kernels import kernel_env

    forking.enable(kernel_env())
    assert forking.enabled()
    yield
    forking.shutdown()


@dataclass
class PlainRun:
    """A shipped notebook run by papermill's own command line: its exit, the executed notebook's text and its page."""

    done: subprocess.CompletedProcess
    text: str
    page: str


def plain_papermill(notebook: str, out: Path) -> PlainRun:
    """Run ``xteval/notebooks/<notebook>.ipynb`` with ``python -m papermill`` from the checkout, on the seed params file
    of 2023 given relative to it, as a user without xteval's runner would; render the executed notebook as a page.

    One run serves a module's test of the plain papermill command and its tests of what the notebook shows:
    a second run of the same notebook on the same file in a kernel of its own would show the same.
    """
    import nbformat

    from xteval.render.appendix import to_html

    cmd = [sys.executable, "-m", "papermill", f"xteval/notebooks/{notebook}.ipynb", str(out)]
    done = subprocess.run([*cmd, "-p", "params_path", f"params/2023/{notebook}.yaml"], cwd=ROOT, capture_output=True, text=True)
    text = out.read_text(encoding="utf-8") if out.is_file() else ""
    return PlainRun(done, text, to_html(nbformat.reads(text, as_version=4)) if text else "")
