"""A workspace anywhere (issue 21, item 4): ``xteval init DIR``, notebooks shipped in the package, and a run
from any current directory with the package installed from its wheel, not from the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from test_any_unit import _plain_chinese
from test_guides import commands

from xteval.cli import main
from xteval.errors import ParamsError
from xteval.params import load_params, resolve
from xteval.runner.paths import PACKAGE_NOTEBOOKS, notebook_path

EXAMPLE = Path("params", "2024", "department.yaml")


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (folders too), with a file's bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def test_init_makes_the_workspace_with_an_illustrative_example(tmp_path, capsys):
    ws = tmp_path / "我的评价"
    assert main(["init", str(ws), "--year", "2024"]) == 0
    assert sorted(p.name for p in ws.iterdir()) == ["README.md", "outputs", "params", "sources"]
    readme = (ws / "README.md").read_text(encoding="utf-8")
    assert "xteval run params/2024/department.yaml" in readme and "{year}" not in readme and "工作目录" in readme
    params = load_params(ws / EXAMPLE)
    assert params.year == 2024 and "示例" in params.unit.name
    text = (ws / EXAMPLE).read_text(encoding="utf-8")
    assert "illustrative:" in text and "seed:" not in text and "todo" not in text  # every figure says it is an example
    # the shipped notebook renders it: the workspace has no notebooks/ of its own
    assert notebook_path(params, ws / EXAMPLE) == PACKAGE_NOTEBOOKS / "department.ipynb"
    assert "下一步" in capsys.readouterr().out


def test_init_takes_an_empty_folder_and_its_year_defaults_to_last_year(tmp_path):
    import datetime as dt

    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty" / "params" / str(dt.date.today().year - 1) / "department.yaml").is_file()


def test_init_of_the_empty_current_folder_keeps_that_folder(tmp_path, monkeypatch):
    """``xteval init .`` fills the folder the shell stands in: the same folder, not one renamed over it."""
    here = tmp_path / "here"
    here.mkdir()
    inode = here.stat().st_ino
    monkeypatch.chdir(here)
    assert main(["init", ".", "--year", "2024"]) == 0
    assert here.stat().st_ino == inode and (here / EXAMPLE).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]  # no staging folder left beside it


@pytest.mark.parametrize("kind", ["not empty", "a file", "a link", "bad year"])
def test_init_refuses_with_one_chinese_line_and_writes_nothing(tmp_path, capsys, kind):
    target = tmp_path / "ws"
    argv = ["init", str(target)]
    if kind == "not empty":
        target.mkdir()
        (target / "mine.txt").write_text("留着", encoding="utf-8")
    elif kind == "a file":
        target.write_text("x", encoding="utf-8")
    elif kind == "a link":
        (tmp_path / "real").mkdir()
        target.symlink_to(tmp_path / "real")
    else:
        argv += ["--year", "1999"]
    before = _tree(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("xteval: error:") and "Traceback" not in err
    assert any("\u4e00" <= c <= "\u9fff" for c in err)
    assert _tree(tmp_path) == before  # nothing half-written, no staging folder left


def test_a_workspace_report_in_sources_may_be_named_but_not_through_a_link(tmp_path):
    main(["init", str(tmp_path / "ws"), "--year", "2024"])
    ws = tmp_path / "ws"
    (ws / "sources" / "报告.txt").write_text("示例报告", encoding="utf-8")
    params = load_params(ws / EXAMPLE)
    assert resolve(params, "../../sources/报告.txt") == (ws / "sources" / "报告.txt").resolve()
    with pytest.raises(ParamsError):
        resolve(params, "../../README.md")  # the workspace's other files are not the params' data
    (ws / "sources").rename(ws / "elsewhere")
    (ws / "sources").symlink_to(ws / "elsewhere")
    with pytest.raises(ParamsError):
        resolve(params, "../../sources/报告.txt")


@pytest.mark.parametrize(
    ("name", "expect"),
    [("mine.txt", "不是 notebook"), ("broken.ipynb", "无法读取"), ("absent.ipynb", "absent.ipynb"), ("folder.ipynb", "folder.ipynb")],
)
def test_an_own_notebook_that_is_not_one_is_refused_before_any_kernel(tmp_path, capsys, name, expect):
    main(["init", str(tmp_path / "ws"), "--year", "2024"])
    ws = tmp_path / "ws"
    (ws / "mine.txt").write_text("{}", encoding="utf-8")
    (ws / "broken.ipynb").write_text('{"cells": ', encoding="utf-8")
    (ws / "folder.ipynb").mkdir()
    capsys.readouterr()
    assert main(["run", str(ws / EXAMPLE), "--notebook", str(ws / name)]) == 2
    err = capsys.readouterr().err.strip()
    assert expect in err and err.count("\n") == 0 and "Traceback" not in err
    assert not any((ws / "outputs").iterdir())  # nothing written


def test_params_name_no_notebook_file_they_are_data(tmp_path):
    main(["init", str(tmp_path / "ws"), "--year", "2024"])
    example = tmp_path / "ws" / EXAMPLE
    example.write_text(example.read_text(encoding="utf-8") + "notebook_file: mine.ipynb\n", encoding="utf-8")
    with pytest.raises(ParamsError):
        load_params(example)


def test_an_own_notebook_named_by_path_is_the_one_run(tmp_path, monkeypatch, capsys):
    main(["init", str(tmp_path / "ws"), "--year", "2024"])
    ws = tmp_path / "ws"
    nb = nbformat.read(PACKAGE_NOTEBOOKS / "department.ipynb", as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("本单位自备的 notebook"))
    nbformat.write(nb, ws / "本单位.ipynb")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["run", str(ws / EXAMPLE), "--notebook", str(ws / "本单位.ipynb")]) == 0
    page = ws / "outputs" / "2024" / "department.html"  # outputs/ of the workspace, whatever the cwd
    assert "本单位自备的 notebook" in page.read_text(encoding="utf-8")
    meta = json.loads(page.with_suffix(".ipynb").read_text(encoding="utf-8"))["metadata"]["xteval"]
    assert meta["notebook"] == "本单位.ipynb" and not (elsewhere / "outputs").exists()


def test_tornados_shutdown_noise_in_a_kernel_reaches_no_terminal(tmp_path):
    """ipykernel sends tornado's log to the kernel's stderr, which a batch's kernels share with the batch's terminal:
    a ZMQStream callback that meets a socket closed at shutdown logs a traceback there (seen once in four full suites).
    The batch's forked kernels keep that logger to critical records; the run's outcome says whether it worked."""
    main(["init", str(tmp_path / "ws"), "--year", "2024"])
    ws = tmp_path / "ws"
    noise = "Uncaught exception in ZMQStream callback (planted)"
    nb = nbformat.read(PACKAGE_NOTEBOOKS / "department.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"import logging\nlogging.getLogger('tornado.general').error({noise!r})"))
    (ws / "notebooks").mkdir(exist_ok=True)
    nbformat.write(nb, ws / "notebooks" / "department.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "xteval.cli", "batch", "params", "--jobs", "1"], cwd=ws, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ran = (ws / "outputs" / "2024" / "department.ipynb").read_text(encoding="utf-8")
    assert "tornado.general" in ran  # the workspace's own notebook ran, its last cell with it
    assert noise not in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- installed from the wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("xteval-*.whl")
    return built


def test_the_wheel_holds_the_notebooks_frameworks_templates_and_the_workspace(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in PACKAGE_NOTEBOOKS.glob("*.ipynb"):
        assert f"xteval/notebooks/{path.name}" in names
    for folder in ("scoring/frameworks", "render/templates", "audit/kinds", "rules", "workspace"):
        for path in (ROOT / "xteval" / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path.relative_to(ROOT).as_posix() in names
    # the Chinese font the pages embed comes with a dependency the wheel declares
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    assert "pylopdf-fonts-zh-cn" in zipfile.ZipFile(wheel).read(meta).decode()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, str]:
    """The environment of a process that imports xteval from the wheel, installed (not editable) into a folder of its own.

    Its dependencies are this interpreter's: a test installs nothing from the network. Installed once for the
    module: the tests only import from it.
    """
    tmp_path = tmp_path_factory.mktemp("installed")
    target = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import xteval; print(xteval.__file__)"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()).is_relative_to(target), where  # the installed package, not the checkout
    return env


def test_the_readmes_commands_run_from_anywhere_with_the_package_installed_from_its_wheel(installed, tmp_path):
    """The README's workspace commands as written (``init``, ``run``, ``batch``), with no checkout on the path: the wheel
    installed into a folder of its own, every command run from a folder outside the repository and the workspace.

    This is also test_guides' run of the README's commands (its exit codes, no traceback): the README presents them
    for an installed xteval, and running them twice, once from the checkout, cost a notebook run and a batch.
    """
    env = installed
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    (init, _), (run, _), (batch, _) = steps = commands("README.md")
    assert (init[0], run[0], batch[0]) == ("init", "run", "batch"), steps
    ws, year = cwd / init[1], init[init.index("--year") + 1]
    page = ws / "outputs" / year / "department.html"

    for argv, code in steps:
        if argv is batch:
            written = page.stat().st_ino  # the run's page: the batch writes its own (a new file, renamed over it)
        done = subprocess.run([sys.executable, "-m", "xteval.cli", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == code and "Traceback" not in done.stderr, (argv, done.stderr[-2000:])
        if argv is run:  # from the folder above the workspace: its pages still go to the workspace's outputs/
            meta = json.loads(page.with_suffix(".ipynb").read_text(encoding="utf-8"))["metadata"]["xteval"]
            assert meta["status"] == "ok" and meta["fail"] == 0
            text = _plain_chinese(page.read_text(encoding="utf-8"))  # no internal id, no English word
            assert "示例市某某服务中心" in text and "示例" in text
            assert meta["notebook_hash"] and not (ws / "notebooks").exists()
    assert page.is_file() and page.stat().st_ino != written
    assert (ws / "outputs" / "index.html").is_file() and not (cwd / "outputs").exists()


def test_the_project_of_a_params_tree_is_the_folder_holding_params_and_never_the_package(tmp_path, monkeypatch):
    from xteval.params import project_root

    assert project_root(ROOT / "params" / "2023" / "department.yaml") == ROOT
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loose.yaml").write_text("", encoding="utf-8")
    assert project_root(tmp_path / "loose.yaml") == tmp_path  # not in a year folder: the cwd, as before
    inside_package = PACKAGE_NOTEBOOKS / "params" / "2023" / "x.yaml"  # never written: only its folders are read
    assert project_root(inside_package) != PACKAGE_NOTEBOOKS.parent


def test_ones_own_report_from_init_to_the_appendix(installed, tmp_path):
    """Issue 21, end to end as the guide walks it, with the package installed from its wheel: a workspace, one's
    own 决算说明 as a .docx in sources/, a draft from it, the todos deleted, a run: the page is written, in
    Chinese, with no id and no figure not given."""
    from document_forms import make_docx

    xteval_cli = [sys.executable, "-m", "xteval.cli"]
    run = {"capture_output": True, "text": True, "timeout": 600, "env": installed}
    assert subprocess.run([*xteval_cli, "init", "ws", "--year", "2023"], cwd=tmp_path, **run).returncode == 0
    ws = tmp_path / "ws"
    report = ROOT / "tests" / "fixtures" / "documents" / "final_accounts" / "hunan-qingxi-agri-2023.txt"
    make_docx(report.read_text(encoding="utf-8"), ws / "sources" / "决算说明.docx")
    drafted = subprocess.run([*xteval_cli, "extract", "sources/决算说明.docx", "-o", "params/2023/mine.yaml"], cwd=ws, **run)
    assert drafted.returncode == 0, drafted.stderr
    draft = (ws / "params" / "2023" / "mine.yaml").read_text(encoding="utf-8")
    kept = [line for line in draft.splitlines() if "todo" not in line and not line.startswith("#")]
    text = "\n".join(kept).replace("unit:\n", "unit:\n  name: 清溪县农业农村局\n", 1)
    (ws / "params" / "2023" / "mine.yaml").write_text(text + "\n", encoding="utf-8")
    done = subprocess.run([*xteval_cli, "run", "params/2023/mine.yaml"], cwd=ws, **run)
    assert done.returncode == 0, done.stderr
    page = _plain_chinese((ws / "outputs" / "2023" / "mine.html").read_text(encoding="utf-8"))
    assert "清溪县农业农村局" in page and "未执行" in page
    assert "示例" not in page  # every figure came from the report: none is illustrative
    meta = json.loads((ws / "outputs" / "2023" / "mine.ipynb").read_text(encoding="utf-8"))["metadata"]["xteval"]
    assert meta["status"] == "ok" and meta["fail"] == 0  # a consistent text shows no 不符
