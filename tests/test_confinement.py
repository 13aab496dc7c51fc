"""Links of every kind are refused on input and output: a file never enters a params tree, a batch or a new year
through a symbolic link, a hard link or a linked folder, and nothing is written through a linked .state folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import PARAMS

from xteval import cli
from xteval.errors import EXIT_INPUT

REPORT = "xiangtan-bigdata-2023.txt"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(PARAMS / "2023", tmp_path / "params" / "2023")
    return tmp_path / "params" / "2023"


def run(argv, capsys) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("how", ["hard", "symbolic", "linked-folder"])
def test_a_source_report_reached_through_a_link_is_refused(tree, tmp_path, capsys, how):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    report = tree / "sources" / REPORT
    shutil.copy(report, outside / REPORT)
    if how == "hard":
        report.unlink()
        os.link(outside / REPORT, report)
    elif how == "symbolic":
        report.unlink()
        report.symlink_to(outside / REPORT)
    else:  # the whole sources/ folder is a link to a folder inside the tree: still a link on the way
        shutil.move(tree / "sources", tree / "real-sources")
        (tree / "sources").symlink_to(tree / "real-sources")
    code, err = run(["run", tree / "department.yaml", "--out", tmp_path / "out"], capsys)
    assert code == EXIT_INPUT and err.count("\n") == 1 and "链接" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("how", ["hard", "symbolic"])
def test_a_batch_does_not_read_a_params_file_linked_in(tree, tmp_path, how):
    from xteval.runner import batch

    planted = tmp_path / "planted.yaml"
    shutil.copy(tree / "department.yaml", planted)
    linked = tree / "linked.yaml"
    if how == "hard":
        os.link(planted, linked)
    else:
        linked.symlink_to(planted)
    jobs = {Path(j.params_file).name: j for j in batch.plan(batch.discover([tree]), tmp_path / "out")}
    assert jobs["department.yaml"].error is None
    assert jobs["linked.yaml"].error and "链接" in jobs["linked.yaml"].error and "\n" not in jobs["linked.yaml"].error


def test_new_does_not_copy_a_linked_file_into_the_next_year(tmp_path, capsys):
    params = tmp_path / "params"
    (params / "2023").mkdir(parents=True)
    outside = tmp_path / "planted.yaml"
    shutil.copy(PARAMS / "2023" / "department.yaml", outside)
    (params / "2023" / "department.yaml").symlink_to(outside)
    code, err = run(["new", "2024", "--params", params], capsys)
    assert code == EXIT_INPUT and "链接" in err and not (params / "2024").exists()


def test_a_state_folder_linked_out_of_out_is_not_written_through(tree, tmp_path, capsys):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / ".state").symlink_to(elsewhere)
    code, err = run(["batch", tree / "department.yaml", "--out", out], capsys)
    assert code == EXIT_INPUT and ".state" in err and "链接" in err
    assert list(elsewhere.iterdir()) == []


# --------------------------------------------------------------------------- outside services


@pytest.mark.parametrize("kind", ["not-an-address", "refused", "silent"])
def test_a_dask_scheduler_that_cannot_serve_is_one_line_within_its_timeout(tree, tmp_path, kind):
    """A wrong address at once; a refused or silent scheduler within XTEVAL_DASK_TIMEOUT (+ 5 s), never a hang or exit 3."""
    import socket
    import subprocess
    import sys

    from conftest import ROOT, needs

    needs("distributed", "dask")
    (tree.parent.parent / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if kind == "silent":
        listener.listen()  # accepts (the kernel completes the handshake) and never answers
    else:
        listener.close()  # nothing listens: refused
    address = {"not-an-address": "not a scheduler", "refused": f"tcp://127.0.0.1:{port}", "silent": f"tcp://127.0.0.1:{port}"}[kind]
    xteval = str(Path(sys.executable).parent / "xteval")
    try:
        proc = subprocess.run(
            [xteval, "batch", str(tree / "department.yaml"), "--out", str(tmp_path / "out"), "--executor", "dask", "--scheduler", address],
            capture_output=True,
            env={**os.environ, "XTEVAL_DASK_TIMEOUT": "3"},
            timeout=300,  # a hang fails the test instead of the suite
            check=False,
        )
    finally:
        listener.close()
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INPUT and err.count("\n") == 1 and "调度器" in err and "Traceback" not in err, err


# --------------------------------------------------------------------------- who runs code


@pytest.mark.parametrize("planted_in", ["year folder", "params tree"])
def test_a_notebook_planted_among_the_params_is_never_the_one_run(tree, planted_in):
    """Params are data: a notebooks/ folder inside the params tree is not the project's, however near it stands."""
    from conftest import ROOT

    from xteval.params import load_params
    from xteval.runner.paths import notebook_path

    project = tree.parent.parent
    (project / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    planted = (tree if planted_in == "year folder" else tree.parent) / "notebooks"
    planted.mkdir()
    (planted / "department.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    params_file = tree / "department.yaml"
    chosen = notebook_path(load_params(params_file), params_file)
    assert chosen == project / "notebooks" / "department.ipynb" and planted not in chosen.parents


# --------------------------------------------------------------------------- what is hashed is what runs


def test_a_params_file_swapped_and_restored_during_the_run_writes_nothing(tree, tmp_path, monkeypatch):
    """The kernel records the hash of the bytes it read; one that differs from the planned hash is a changed file,
    even when the file on disk is back to its old bytes by the time the run ends."""
    from conftest import ROOT

    from xteval.errors import ParamsError
    from xteval.runner import run as runner

    (tree.parent.parent / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    params_file = tree / "ppp.yaml"
    original = params_file.read_bytes()
    swapped = original.replace(b"\ntitle:", b"\ntitle: \xe6\x9b\xbf\xe6\x8d\xa2\xe7\x9a\x84\xe6\xa0\x87\xe9\xa2\x98  #", 1)
    assert swapped != original
    real = runner.execute

    def swap_during(nb_path, file, out_tmp, **kw):
        params_file.write_bytes(swapped)
        try:
            return real(nb_path, file, out_tmp, **kw)
        finally:
            params_file.write_bytes(original)

    monkeypatch.setattr(runner, "execute", swap_during)
    out = tmp_path / "out"
    with pytest.raises(ParamsError, match="changed during the run"):
        runner.run_params(params_file, out)
    assert not list(out.rglob("*.html")) and not list(out.rglob("*.ipynb"))


def test_a_home_folder_that_cannot_be_written_changes_nothing(tree, tmp_path):
    """A service account's read-only home (here /proc/self: not writable even by root): the run is as anywhere else."""
    import subprocess
    import sys

    from conftest import ROOT

    (tree.parent.parent / "notebooks").symlink_to(ROOT / "xteval" / "notebooks")
    xteval = str(Path(sys.executable).parent / "xteval")
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR")}
    proc = subprocess.run(
        [xteval, "run", str(tree / "ppp.yaml"), "--out", str(tmp_path / "out")],
        capture_output=True,
        env={**env, "HOME": "/proc/self"},
        timeout=600,
        check=False,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in err and "Warning" not in err, err
    assert (tmp_path / "out" / "2023" / "ppp.html").is_file()
