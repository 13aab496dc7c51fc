"""Both guides work as written: every ``xteval`` command in a ``sh`` block of the README and of the
user's guide (docs/使用指南.md) runs, in order, on the files the repository ships, and ends with the
exit code the guide states (``# 退出码 N`` after the command; 0 when it states none); the README's
Python example runs too. The README's commands (a workspace's init, run and batch, for an installed
xteval) run in test_workspace.py, with the package installed from its wheel.

The commands run in a copy of the repository's ``params/`` alone (the notebooks ship in the package),
so what they write never lands in the checkout.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
XTEVAL = str(Path(sys.executable).with_name("xteval"))
GUIDES = ["README.md", "docs/使用指南.md"]
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
_EXIT = re.compile(r"#\s*退出码\s*(\d+)")


def blocks(guide: str, language: str) -> list[str]:
    return [m.group(2) for m in _BLOCK.finditer((ROOT / guide).read_text(encoding="utf-8")) if m.group(1) == language]


def commands(guide: str) -> list[tuple[list[str], int]]:
    """Each ``xteval`` command line of a guide's ``sh`` blocks, with the exit code it states."""
    out = []
    for block in blocks(guide, "sh"):
        for line in block.splitlines():
            if not line.startswith("xteval "):
                continue  # make (the CI runs it), pip and papermill lines are not xteval's
            stated = _EXIT.search(line)
            argv = shlex.split(line.split("#", 1)[0])
            out.append((argv[1:], int(stated.group(1)) if stated else 0))
    return out


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "params", tmp_path / "params")
    return tmp_path


def test_the_users_guide_has_the_walkthrough():
    """The walkthrough is there to be run: a workspace, check, extract, run, batch and the workbook."""
    verbs = [argv[0] for argv, _ in commands("docs/使用指南.md")]
    assert {"init", "check", "extract", "run", "batch", "score"} <= set(verbs), verbs
    assert any("--out" in argv for argv, _ in commands("docs/使用指南.md") if argv[0] == "check")


# The README's commands (a workspace: init, run, batch) are written for an installed xteval; they run as written with the
# package installed from its wheel in test_workspace.py, which asserts their exit codes too. The user's guide repeats
# two of them word for word: those run there, once.
INSTALLED = "README.md"


def test_every_command_of_the_guide_runs_as_written(workspace: Path):
    guide = "docs/使用指南.md"
    elsewhere = commands(INSTALLED)
    mine = [(argv, code) for argv, code in commands(guide) if (argv, code) not in elsewhere]
    assert mine
    for argv, code in mine:
        done = subprocess.run([XTEVAL, *argv], cwd=workspace, capture_output=True, text=True, timeout=900)
        assert done.returncode == code, (argv, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, (argv, done.stderr[-2000:])
    written = {p.relative_to(workspace).as_posix() for p in workspace.rglob("*") if p.is_file()}
    for argv, _ in mine:  # every file a command was told to write is there
        for flag in ("-o", "--html", "--xlsx"):  # (check --out writes a folder: its index is checked below)
            if flag in argv:
                assert argv[argv.index(flag) + 1] in written, argv
        if argv[0] == "check" and "--out" in argv:
            assert f"{argv[argv.index('--out') + 1]}/index.html" in written, argv


def test_the_readmes_commands_are_the_workspace_the_installed_package_runs():
    """What test_workspace.py runs for the README: a workspace's init, run and batch, none writing a file by a flag."""
    assert [argv[0] for argv, _ in commands(INSTALLED)] == ["init", "run", "batch"]
    assert all(not {"-o", "--html", "--xlsx", "--out"} & set(argv) for argv, _ in commands(INSTALLED))


@pytest.mark.parametrize("guide", GUIDES)
def test_each_guide_runs_the_example_of_the_workspace_it_makes(guide: str):
    """``xteval init DIR --year Y`` is followed by a run of ``DIR/params/Y/department.yaml``, from outside DIR."""
    lines = [argv for argv, _ in commands(guide)]
    (init,) = [argv for argv in lines if argv[0] == "init"]
    folder, year = init[1], init[init.index("--year") + 1]
    assert ["run", f"{folder}/params/{year}/department.yaml"] in lines


def test_the_readme_python_example_runs(tmp_path: Path):
    (code,) = blocks("README.md", "python")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_guides_name_only_files_the_repository_ships():
    """A path the README's command table or a guide's command names as input exists in the checkout."""
    named = set()
    for guide in GUIDES:
        text = (ROOT / guide).read_text(encoding="utf-8")
        named |= set(re.findall(r"(?<![\w/])(?:params|tests/fixtures)/[\w./-]+\.(?:txt|yaml|csv|docx|pdf)", text))
    missing = sorted(p for p in named if not (ROOT / p).exists() and "draft" not in p)
    assert named and not missing, missing
