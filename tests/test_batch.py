"""xteval batch: discovery, planning of bad inputs, isolation, incremental skips, interrupts, dask."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, SEED_PARAMS, needs, variant
from processes import Watch, ppid, tagged, tagged_by_name, wait_gone

from xteval.errors import InputError, WriteError
from xteval.params import load_params
from xteval.runner.batch import discover, input_key, plan, run_batch, save_state

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


def test_batch_isolates_a_failure_then_skips_what_succeeded(project, capsys):
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
    (folder / "invalid.yaml").unlink()
    # The third batch from the command line: no invalid input left, so its exit code is the failed run's.
    proc = subprocess.run([XTEVAL, "batch", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr  # a run failed
    third = dict((name, status) for status, name in re.findall(r"^\[\d/2\] (\w+) +(\S+) \d+\.\ds$", proc.stdout, re.M))
    # not a TTY: one plain line per run; the department ran again, as the data file it reads changed
    assert third == {"2023/department": "ok", "2023/failing": "failed"}, proc.stdout
    assert "failures:" in proc.stdout and "2022/failing.yaml" in proc.stdout and "Traceback" not in proc.stderr
    (folder / "failing.yaml").unlink()

    # Unchanged, forced: it runs again. Its page shows 3 不符: the batch wrote it (0); --strict makes that 1, as check
    # does, also when the run is skipped and its record read.
    from xteval.cli import main

    capsys.readouterr()
    assert main(["batch", str(folder), "--out", str(out), "--force"]) == 0
    assert re.search(r"^\[1/1\] ok +2023/department ", capsys.readouterr().out, re.M)
    assert main(["batch", str(folder / "department.yaml"), "--out", str(out), "--strict"]) == 1
    printed = capsys.readouterr().out
    assert "[1/1] skipped 2023/department" in printed and "--strict：1 页有不符：2023/department" in printed


def _as_if_run(project: Path, out: Path):
    """Plan the department as a batch would and save its state with outputs in place, as its run would leave them."""

    f = project / "params" / "2023" / "department.yaml"
    [job] = plan([f], out)
    for path in (job.ipynb, job.html):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("{}", encoding="utf-8")
    save_state(out, job)
    return f, job


def _validated(monkeypatch) -> list[str]:
    """The params files plan() validates from here on."""
    from xteval.runner import batch

    seen: list[str] = []
    real = batch.load_params

    def counting(path, **kw):
        seen.append(Path(path).name)
        return real(path, **kw)

    monkeypatch.setattr(batch, "load_params", counting)
    return seen


def test_an_unchanged_params_file_is_planned_from_its_last_run_without_validating_it_again(project, monkeypatch):
    out = project / "outputs"
    f, job = _as_if_run(project, out)
    seen = _validated(monkeypatch)
    [again] = plan([f], out)
    assert (
        seen == []
        and again.key == job.key
        and (again.name, again.ipynb, again.html, again.notebook)
        == (
            job.name,
            job.ipynb,
            job.html,
            job.notebook,
        )
    )
    # the batch's title-block options are part of the key: other options, another plan
    [other] = plan([f], out, {"organization": "某评价机构"})
    assert seen == ["department.yaml"] and other.key["evaluation"] == {"organization": "某评价机构"}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f, out: f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8"), id="params-file"),
        pytest.param(
            lambda f, out: (p := f.parent / "sources" / "xiangtan-bigdata-2023.txt").write_bytes(p.read_bytes() + b"\n"), id="report"
        ),
        pytest.param(lambda f, out: (out / "2023" / "department.html").unlink(), id="page-gone"),
        pytest.param(lambda f, out: _retarget_state(out, "ipynb", "/tmp/elsewhere.ipynb"), id="state-names-a-page-outside-out"),
        pytest.param(lambda f, out: _retarget_state(out, "name", "2023/other"), id="state-of-another-name"),
        pytest.param(lambda f, out: _retarget_state(out, "data", ["/etc/hostname"]), id="state-names-a-file-outside-the-tree"),
    ],
)
def test_anything_the_last_run_did_not_read_as_it_is_now_is_validated_and_planned_again(project, monkeypatch, change):
    out = project / "outputs"
    f, _ = _as_if_run(project, out)
    change(f, out)
    seen = _validated(monkeypatch)
    from xteval.runner import batch

    read: list[Path] = []
    real_read = batch.read_input
    monkeypatch.setattr(batch, "read_input", lambda path, **kw: read.append(Path(path)) or real_read(path, **kw))
    plan([f], out)
    assert seen == ["department.yaml"]
    assert all(p.resolve().is_relative_to(project.resolve()) for p in read), read  # nothing read outside, whatever the state names


def test_a_params_file_turned_into_a_link_after_its_run_is_refused_not_skipped(project, tmp_path):
    out = project / "outputs"
    f, _ = _as_if_run(project, out)
    real = tmp_path / "elsewhere.yaml"
    real.write_bytes(f.read_bytes())
    f.unlink()
    f.symlink_to(real)
    [job] = plan([f], out)
    assert job.error is not None and job.ipynb is None


@pytest.mark.parametrize("force", [True, False])
def test_a_notebook_a_planted_state_names_is_never_run(project, tmp_path, monkeypatch, force):
    """A state in --out that names another notebook, with that notebook's hash made to match, may make a run be
    skipped; it never makes that notebook run: what can run is planned again from the params file."""
    import json

    from xteval.files import sha256
    from xteval.runner import executors

    out = project / "outputs"
    f, job = _as_if_run(project, out)
    evil = tmp_path / "elsewhere.ipynb"
    evil.write_bytes(Path(job.notebook).read_bytes().replace(b"import", b"import os  # planted\nimport", 1))
    path = out / ".state" / "2023" / "department.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    state["job"]["notebook"] = str(evil)
    state["key"]["notebook"] = sha256(evil)
    path.write_text(json.dumps(state), encoding="utf-8")
    ran: list = []
    monkeypatch.setattr(executors, "local", lambda jobs, out_dir, n, done, *then: ran.extend(jobs))
    summary = run_batch([f], out, force=force)
    assert all(j.notebook != str(evil) for j in ran)
    if force:
        assert [j.notebook for j in ran] == [job.notebook]  # the params file's own notebook, validated
    else:
        assert ran == [] and [o.status for o in summary.outcomes] == ["skipped"]


def _retarget_state(out: Path, field: str, value) -> None:
    import json

    path = out / ".state" / "2023" / "department.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    if field == "data":
        state["key"]["data"] = dict.fromkeys(value, "0" * 64)
    else:
        state["job"][field] = value
    path.write_text(json.dumps(state), encoding="utf-8")


# A cell that holds its kernel until the test is done with it: the two runs of a tagged batch are then both
# under way when the test looks, however fast or slow the machine (a notebook that ran to its end before the
# second kernel forked made the test miss a kernel). The cap only bounds a kernel the test failed to stop.
HOLD = "import time\nfor _ in range(12000):  # at most 10 minutes\n    time.sleep(0.05)"


def _start_tagged_batch(project: Path, out: Path) -> tuple[subprocess.Popen, str]:
    """``xteval batch --jobs 2`` on two notebooks that hold their kernels, every process of it tagged in its environment."""
    import nbformat

    variant(project / "params" / "2023", "second.yaml")
    (project / "notebooks").unlink()  # the project's own notebooks: the package's, with the hold after its parameters
    (project / "notebooks").mkdir()
    nb = nbformat.read(ROOT / "xteval" / "notebooks" / "department.ipynb", as_version=4)
    nb.cells.insert(
        1 + next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), nbformat.v4.new_code_cell(HOLD)
    )
    nbformat.write(nb, project / "notebooks" / "department.ipynb")
    name, value = "XTEVAL_TEST_TAG", uuid.uuid4().hex
    proc = subprocess.Popen(
        [XTEVAL, "batch", str(project / "params"), "--out", str(out), "--jobs", "2"],
        env={**os.environ, name: value},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return proc, f"{name}={value}"


def _wait_for_kernels(proc: subprocess.Popen, tag: str, n: int = 2) -> dict[str, list[int]]:
    """The batch's processes by name once ``n`` kernels, forked from the workers' templates, run."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        by_name = tagged_by_name(tag)
        if len(by_name.get("xtk-kernel", [])) >= n:
            return by_name
        time.sleep(0.05)
    raise AssertionError(f"no {n} forked kernels seen (batch exit {proc.poll()}): {tagged_by_name(tag)}")


def _no_partial_output(out: Path) -> None:
    leftovers = [p.name for p in out.rglob("*") if p.is_file() and (p.name.startswith(".") or p.suffix == ".tmp")]
    assert leftovers == []
    assert [p for p in out.glob(".state/*/*.json") if p.parent.name != "fonts"] == []  # no run recorded as done


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupt_leaves_no_partial_output_and_no_process(project, sig):
    out = project / "outputs"
    proc, tag = _start_tagged_batch(project, out)
    try:
        by_name = _wait_for_kernels(proc, tag)
        # one warm template per worker, started by the batch before its pool and adopted by a worker;
        # (a kernel caught between its fork and its renaming still has the template's name)
        templates = [t for t in by_name["xtk-template"] if ppid(t) == proc.pid]
        assert len(templates) == 2 and all(ppid(t) in templates for t in by_name["xtk-template"] if t not in templates)
        assert {ppid(k) for k in by_name["xtk-kernel"]} == set(templates)  # each worker forks from its own
        proc.send_signal(sig)
        assert proc.wait(timeout=600) == 130
        # kernels are killed and templates stopped, not left to notice their parent is gone
        assert wait_gone(tagged(tag), timeout=600) == []
    finally:
        if proc.poll() is None:
            proc.kill()
    _no_partial_output(out)


def test_kill_9_of_the_batch_leaves_no_worker_template_or_kernel(project):
    out = project / "outputs"
    proc, tag = _start_tagged_batch(project, out)
    try:
        _wait_for_kernels(proc, tag)
        proc.kill()  # no handler runs in the batch: its children must notice by themselves
        proc.wait(timeout=600)
        # the forkserver exits with the batch; workers get a parent-death SIGTERM and unwind
        # (kernels killed, temporary files removed); templates and kernels die with their parents
        assert wait_gone(tagged(tag), timeout=600) == []
    finally:
        if proc.poll() is None:
            proc.kill()
    _no_partial_output(out)
    err = proc.stderr.read().decode(errors="replace")
    assert err.count("Traceback") == 0, err


def test_dask_local_cluster_runs_a_small_batch_on_forked_kernels(project, monkeypatch):
    needs("distributed", "dask")
    variant(project / "params" / "2023", "second.yaml")
    tag = f"XTEVAL_TEST_TAG={uuid.uuid4().hex}"
    monkeypatch.setenv(*tag.split("="))  # the cluster's worker processes inherit it
    with Watch(tag) as watch:  # one worker: each dask worker process costs a start of distributed and a template
        summary = run_batch([project / "params"], project / "outputs", executor="dask", jobs=1)
    assert _statuses(summary) == {"department.yaml": "ok", "second.yaml": "ok"}
    # the worker plugin gave the dask worker a template, and the runs' kernels were its forks
    assert ("xtk-kernel", "xtk-template") in watch.names()
    assert (project / "outputs" / "2023" / "second.html").is_file()
    assert ROOT.joinpath("xteval", "notebooks").is_dir()


def test_a_page_with_findings_exits_1_with_strict(project, capsys):
    """The seed's department page shows 3 不符: ``run --strict`` exits 1, as check does (the batch's --strict: above)."""
    from xteval.cli import main

    params = project / "params" / "2023" / "department.yaml"
    assert main(["run", str(params), "--out", str(project / "o"), "--strict"]) == 1
    assert "不符 3 项" in capsys.readouterr().out


def test_a_params_file_named_by_another_form_of_its_path_is_still_planned_from_its_last_run(project, monkeypatch):
    """A batch run on params/2023 and then on the same folder's absolute path (or the other way round) reads the same
    files: the second plans them from their last run, without validating them again."""
    out = project / "outputs"
    monkeypatch.chdir(project)
    relative = Path("params") / "2023" / "department.yaml"
    [job] = plan([relative], out)
    for path in (job.ipynb, job.html):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("{}", encoding="utf-8")
    save_state(out, job)
    seen = _validated(monkeypatch)
    [again] = plan([project / relative], out)
    assert seen == [] and again.key == job.key and again.params_file == str(project / relative)


def test_a_workers_watchdog_leaves_even_when_killing_its_kernels_fails(monkeypatch):
    """The batch gone, a worker's watchdog kills its kernels, then interrupts and leaves. Killing a kernel whose handle
    the run's own thread closed at that moment raised (EBADF on its pidfd), the watchdog thread died, and the worker
    ran on with a kernel it restarted: kill -9 of a batch could leave a worker, a template and a kernel behind."""
    import subprocess
    import threading

    from xteval.runner import executors, kernels

    def closed_meanwhile():
        raise OSError(9, "Bad file descriptor")

    done = threading.Event()
    calls = []
    monkeypatch.setattr(kernels, "kill_kernels", closed_meanwhile)
    monkeypatch.setattr(executors.os, "kill", lambda pid, sig: calls.append(sig))
    monkeypatch.setattr(executors, "LEAVE_GRACE", 0)
    monkeypatch.setattr(executors, "_batch_gone", False)  # the watchdog sets it: restored for the tests after
    monkeypatch.setattr(executors, "_leave", lambda: (calls.append("leave"), done.set()))
    gone = subprocess.Popen(["true"])
    gone.wait()  # a batch that has ended (and been reaped)
    executors._watch_batch(gone.pid)
    assert done.wait(timeout=600)
    assert calls == [signal.SIGTERM, "leave"]
