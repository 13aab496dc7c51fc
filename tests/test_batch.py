"""xteval batch: discovery, planning of bad inputs, isolation, incremental skips, interrupts, dask."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, SEED_PARAMS, variant

from xteval.errors import InputError, WriteError
from xteval.params import load_params
from xteval.runner.batch import discover, input_key, plan, run_batch

XTEVAL = str(Path(sys.executable).parent / "xteval")


@pytest.fixture
def project(project: Path) -> Path:
    """The shared project fixture with only the department params: other notebooks come and go."""
    for f in (project / "params" / "2023").glob("*.yaml"):
        if f.name != "department.yaml":
            f.unlink()
    return project


def _statuses(summary) -> dict[str, str]:
    return {Path(o.job.params_file).name: o.status for o in summary.outcomes}


# --------------------------------------------------------------------------- planning (no kernels)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "expect"),
    [
        (lambda d: variant(d, "nb.yaml", ("notebook: department", "notebook: nosuch")), "未知 notebook"),
        (lambda d: variant(d, "bad.yaml", ("year: 2023", "year: [")), "bad.yaml"),
        (lambda d: _write(d / "empty.yaml", b""), "empty.yaml"),
        (lambda d: _write(d / "bin.yaml", b"\xff\xfe\x00bad"), "bin.yaml"),
    ],
    ids=["unknown-notebook", "invalid-yaml", "empty", "not-utf8"],
)
def test_bad_params_become_invalid_jobs_not_exceptions(project, make, expect):
    folder = project / "params" / "2023"
    bad = make(folder)
    jobs = {Path(j.params_file).name: j for j in plan(discover([project / "params"]), project / "outputs")}
    assert jobs["department.yaml"].error is None
    assert expect in jobs[bad.name].error and "\n" not in jobs[bad.name].error


def test_a_registered_notebook_whose_file_is_missing_is_invalid(project, tmp_path):
    nbdir = tmp_path / "elsewhere"
    nbdir.mkdir()
    (project / "notebooks").unlink()
    (project / "notebooks").mkdir()  # notebooks/ exists, department.ipynb does not
    [job] = plan(discover([project / "params"]), project / "outputs")
    assert "notebook 不存在" in job.error


def test_two_params_writing_the_same_output_both_clash(project):
    other = project / "params" / "2023" / "copy"
    other.mkdir()
    shutil.copy(SEED_PARAMS, other / "department.yaml")
    shutil.copytree(SEED_PARAMS.parent / "sources", other / "sources")
    jobs = plan(discover([project / "params"]), project / "outputs")
    assert len(jobs) == 2 and all("输出冲突" in j.error for j in jobs)


def test_discovery_skips_sources_and_rejects_missing_paths(project):
    (project / "params" / "2023" / "sources" / "x.yaml").write_text("a: 1", encoding="utf-8")
    assert [p.name for p in discover([project / "params"])] == ["department.yaml"]
    with pytest.raises(InputError, match="no such file"):
        discover([project / "nope"])


def test_unwritable_output_dir_is_an_error_before_anything_runs(project):
    blocker = project / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(WriteError, match="not writable"):
        run_batch([project / "params"], blocker / "out")
    assert not list(project.rglob("*.ipynb.*")) and not (project / "outputs").exists()


@pytest.mark.parametrize("change", ["params", "notebook", "data"])
def test_every_input_changes_the_key(tmp_path, change):
    nb = tmp_path / "n.ipynb"
    nb.write_text("{}", encoding="utf-8")
    params = variant(tmp_path, "p.yaml")
    report = tmp_path / "sources" / "xiangtan-bigdata-2023.txt"
    before = input_key(load_params(params), nb)
    assert list(before["data"]) == [str(report.resolve())]  # the files the params name, nothing else
    target = {"params": params, "notebook": nb, "data": report}[change]
    target.write_text(target.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert input_key(load_params(params), nb) != before
    assert input_key(load_params(params), nb) == input_key(load_params(params), nb)


# --------------------------------------------------------------------------- real runs


def _failing(folder: Path) -> Path:
    """A valid params file whose notebook fails: its earlier year (read by the 多年度比较 cell) is broken.

    Every file a params file names is checked before the run, so a notebook failure
    needs something the notebook alone reads.
    """
    earlier = folder.parent / "2022"
    earlier.mkdir(exist_ok=True)
    (earlier / "failing.yaml").write_text("notebook: department\nunit: [\n", encoding="utf-8")
    return variant(folder, "failing.yaml")


def test_batch_isolates_a_failure_then_skips_what_succeeded(project):
    folder = project / "params" / "2023"
    _failing(folder)
    variant(folder, "invalid.yaml", ("year: 2023", "year: 二〇二三"))
    out = project / "outputs"

    first = run_batch([folder], out, jobs=2)
    assert _statuses(first) == {"department.yaml": "ok", "failing.yaml": "failed", "invalid.yaml": "invalid"}
    [failed] = [o for o in first.failed if o.status == "failed"]
    assert failed.error.startswith("cell ") and "2022/failing.yaml" in failed.error
    assert (out / "2023" / "department.html").is_file()
    failed_page = (out / "2023" / "failing.html").read_text(encoding="utf-8")
    assert "2022/failing.yaml" in failed_page  # papermill's error banner survives into the page
    index = first.index.read_text(encoding="utf-8")
    assert index.count('<tr class="failed">') == 1 and index.count('<tr class="invalid">') == 1
    assert index.count('<tr class="ok findings">') == 1 and 'href="2023/department.html"' in index  # ok, with 不符 items

    second = run_batch([folder], out, jobs=2)
    assert _statuses(second) == {"department.yaml": "skipped", "failing.yaml": "failed", "invalid.yaml": "invalid"}
    assert '<tr class="skipped findings">' in second.index.read_text(encoding="utf-8")  # still listed, with its links

    report = folder / "sources" / "xiangtan-bigdata-2023.txt"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (folder / "failing.yaml").unlink()
    (folder / "invalid.yaml").unlink()
    third = run_batch([folder], out, jobs=1)
    assert _statuses(third) == {"department.yaml": "ok"}  # the data file it reads changed
    assert _statuses(run_batch([folder], out, force=True)) == {"department.yaml": "ok"}


def test_cli_exit_code_is_1_when_a_run_fails(project):
    _failing(project / "params" / "2023")
    (project / "params" / "2023" / "department.yaml").unlink()
    proc = subprocess.run(
        [XTEVAL, "batch", str(project / "params" / "2023"), "--out", str(project / "o")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "[1/1] failed  2023/failing" in proc.stdout  # not a TTY: one plain line per run
    assert "failures:" in proc.stdout and "2022/failing.yaml" in proc.stdout and "Traceback" not in proc.stderr


def _tagged_processes(tag: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and tag.encode() in (d / "environ").read_bytes():
                pids.append(int(d.name))
        except OSError:
            pass
    return pids


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupt_leaves_no_partial_output_and_no_kernels(project, sig):
    folder = project / "params" / "2023"
    variant(folder, "second.yaml")
    tag = f"XTEVAL_TEST_TAG={uuid.uuid4().hex}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    out = project / "outputs"
    proc = subprocess.Popen(
        [XTEVAL, "batch", str(project / "params"), "--out", str(out), "--jobs", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_tagged_processes(tag)) < 5:  # batch + 2 workers + 2 kernels
        time.sleep(0.1)
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == 130
    for _ in range(100):  # kernels are killed, not left to notice their parent is gone
        if not _tagged_processes(tag):
            break
        time.sleep(0.1)
    assert _tagged_processes(tag) == []
    leftovers = [p.name for p in out.rglob("*") if p.is_file() and (p.name.startswith(".") or p.suffix == ".tmp")]
    assert leftovers == []
    assert not (out / ".state").exists() or not list((out / ".state").rglob("*.json"))


def test_dask_local_cluster_runs_a_small_batch(project):
    pytest.importorskip("distributed")
    variant(project / "params" / "2023", "second.yaml")
    summary = run_batch([project / "params"], project / "outputs", executor="dask", jobs=2)
    assert _statuses(summary) == {"department.yaml": "ok", "second.yaml": "ok"}
    assert (project / "outputs" / "2023" / "second.html").is_file()
    assert ROOT.joinpath("notebooks").is_dir()
