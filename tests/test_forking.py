"""Kernels forked from a warm template: warm and pristine, isolated, faithful, and they end on time.

This test process plays the batch worker: it uses ``kernels.ForkedPythonKernelManager``
directly, so forking is never switched on for the other tests' runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import subprocess
import sys
import textwrap

import nbformat
import papermill as pm
import pytest
from conftest import ROOT, SEED_PARAMS
from processes import gone, ppid, stat, wait_gone

from xteval.runner import forking
from xteval.runner.kernels import CurrentPythonKernelManager, ForkedPythonKernelManager, kernel_env

pytestmark = pytest.mark.skipif(not forking.SUPPORTED, reason="forked kernels need Linux (fork, prctl, pidfd)")

LOGGER = "xteval.runner.forking"


# --------------------------------------------------------------------------- helpers


def make_nb(path, *cells: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells]
    nbformat.write(nb, path)
    return path


def run_nb(nb, out, cwd, km=ForkedPythonKernelManager, **params):
    pm.execute_notebook(
        str(nb),
        str(out),
        parameters=params,
        kernel_name="python3",
        kernel_manager_class=km,
        cwd=str(cwd),
        progress_bar=False,
        start_timeout=120,
    )
    return nbformat.read(out, as_version=4)


def printed(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


def facts(nb) -> dict:
    """The JSON a notebook printed on its last line."""
    return json.loads(printed(nb).strip().splitlines()[-1])


WHO = """
import json, os
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid()}))
"""


def fork_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


@pytest.fixture(autouse=True)
def fresh_options():
    forking.configure()
    forking.reset_warning()
    yield
    forking.configure()
    forking.reset_warning()


@pytest.fixture(scope="module", autouse=True)
def stop_template_after_module():
    yield
    forking.shutdown()


@pytest.fixture
def template():
    t = forking.get_template(kernel_env())
    t.wait_ready()
    return t


# --------------------------------------------------------------------------- the template


def notebook_imports() -> set[str]:
    """Every xteval module the shipped notebooks import."""
    found = set()
    for path in (ROOT / "xteval" / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for m in re.finditer(r"^\s*from (xteval[\w.]*) import ([\w, ]+)|^\s*import (xteval[\w.]*)", cell.source, re.M):
                if m.group(3):
                    found.add(m.group(3))
                    continue
                found.add(m.group(1))
                for name in m.group(2).replace(" ", "").split(","):
                    found.add(f"{m.group(1)}.{name}")  # a submodule, when it is one
    return found


def test_template_is_warm_and_pristine(template):
    info = template.ping()
    assert info["preload_errors"] == {}  # a renamed module would silently cost every run its speed-up
    check = info["check"]
    assert check["python_threads"] == 1  # numpy's OpenBLAS pool is native, and fork-safe
    assert check["zmq_contexts"] == 0
    assert check["event_loop"] is False
    assert check["kernelapp_instantiated"] is False
    assert check["ipython_shell"] is False
    assert ppid(template.pid) == os.getpid()
    assert stat(template.pid)[0] == "xtk-template"
    preloaded = set(check["xteval_modules"])
    imported = notebook_imports()
    assert "xteval.api" in imported  # the scan above found the notebooks' imports (they call the library)
    # and what the library's evaluate() reaches for each notebook is warm too
    assert {"xteval.api.department", "xteval.api.projects", "xteval.department.tables", "xteval.department.charts"} <= preloaded
    modules = {m for m in imported if is_module(m)}
    assert modules - preloaded == set()


def is_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # "xteval.money.half_up": a function, not a module
        return False


# --------------------------------------------------------------------------- isolation

POISON = """
import builtins, json, os, sys, types
pre_loaded = "pandas" in sys.modules and "xteval.render.charts" in sys.modules
import matplotlib, numpy, pandas, xteval
import matplotlib.pyplot as plt
from xteval.render import charts
matplotlib.rcParams["lines.linewidth"] = 7.0
matplotlib.rcParams["font.sans-serif"] = ["DejaVu Serif"]
plt.figure()                                   # resolves the backend and leaves a figure open
pandas.set_option("display.max_rows", 3)
numpy.random.seed(0)
os.chdir("/")
xteval.POISON = "set by run 1"
charts.PALETTE = ["#000000"]
sys.modules["poison_mod"] = types.ModuleType("poison_mod")
os.environ["XT_POISON"] = "1"
builtins.XT_POISON = 1
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "pre_loaded": pre_loaded}))
"""

CHECK = """
import builtins, json, os, sys
pre_loaded = "pandas" in sys.modules and "xteval.render.charts" in sys.modules
import matplotlib, pandas, xteval
import matplotlib.pyplot as plt
from xteval.render import charts
problems = []
if matplotlib.rcParams["lines.linewidth"] != matplotlib.rcParamsDefault["lines.linewidth"]: problems.append("rcParams lines.linewidth")
if matplotlib.rcParams["font.sans-serif"][0] != charts.cjk_font(): problems.append("rcParams font")
if plt.get_fignums(): problems.append("open figures")
if pandas.get_option("display.max_rows") != 60: problems.append("pandas option")
if not os.path.exists("check.ipynb"): problems.append("cwd " + os.getcwd())
if hasattr(xteval, "POISON"): problems.append("module attribute xteval.POISON")
if charts.PALETTE[0] == "#000000": problems.append("module attribute charts.PALETTE")
if "poison_mod" in sys.modules: problems.append("sys.modules")
if "XT_POISON" in os.environ: problems.append("environment")
if hasattr(builtins, "XT_POISON"): problems.append("builtins")
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "pre_loaded": pre_loaded, "problems": problems, "cwd": os.getcwd()}))
"""


def test_a_run_that_changes_global_state_cannot_affect_the_next(tmp_path, template):
    """rcParams, the working directory, sys.modules, module attributes, environment: the next run sees none of it."""
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    first = facts(run_nb(make_nb(nbdir / "poison.ipynb", POISON), tmp_path / "poison.out.ipynb", nbdir))
    second = facts(run_nb(make_nb(nbdir / "check.ipynb", CHECK), tmp_path / "check.out.ipynb", nbdir))
    # Both kernels were forks of one template, still running, that had the stack imported.
    assert first["ppid"] == second["ppid"] == template.pid
    assert template.alive()
    assert first["pre_loaded"] and second["pre_loaded"]
    assert first["pid"] != second["pid"]
    assert second["problems"] == []
    assert second["cwd"] == str(nbdir)
    assert "XT_POISON" not in os.environ


def test_each_fork_draws_its_own_random_numbers(tmp_path, template):
    nb = make_nb(
        tmp_path / "rng.ipynb",
        'import json, os, random, numpy\nprint(json.dumps({"r": random.random(), "n": float(numpy.random.random()), "ppid": os.getppid()}))',
    )
    a = facts(run_nb(nb, tmp_path / "a.ipynb", tmp_path))
    b = facts(run_nb(nb, tmp_path / "b.ipynb", tmp_path))
    assert a["ppid"] == b["ppid"] == template.pid
    assert a["r"] != b["r"] and a["n"] != b["n"]


def test_forks_share_the_string_hash_seed_as_the_readme_says(tmp_path, template):
    nb = make_nb(tmp_path / "hash.ipynb", 'import json\nprint(json.dumps({"h": hash("预算绩效评价")}))')
    a = facts(run_nb(nb, tmp_path / "a.ipynb", tmp_path))
    b = facts(run_nb(nb, tmp_path / "b.ipynb", tmp_path))
    assert a["h"] == b["h"]


def _outputs(nb) -> str:
    text = json.dumps([c.get("outputs", []) for c in nb.cells], sort_keys=True, ensure_ascii=False)
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x", text)  # object addresses
    return re.sub(r"T_[0-9a-f]{5}", "T_x", text)  # pandas Styler's random table ids


def test_department_notebook_gives_the_same_outputs_forked_and_normal(tmp_path, template):
    """The same text and HTML, and byte-identical PNG charts (inline backend, CJK font)."""
    nb = ROOT / "xteval" / "notebooks" / "department.ipynb"
    params = {"params_path": str(SEED_PARAMS)}
    forked = run_nb(nb, tmp_path / "forked.ipynb", nb.parent, **params)
    normal = run_nb(nb, tmp_path / "normal.ipynb", nb.parent, km=CurrentPythonKernelManager, **params)
    assert sum("image/png" in o.get("data", {}) for c in forked.cells for o in c.get("outputs", [])) >= 4
    assert _outputs(forked) == _outputs(normal)


# --------------------------------------------------------------------------- the handle


def test_interrupt_and_the_popen_like_handle(tmp_path, template):
    """interrupt_kernel reaches the forked kernel's group; kill_kernels' poll/kill/wait idiom works."""

    async def go():
        km = ForkedPythonKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        assert km.provisioner.forked
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=600)
        msg_id = kc.execute("import time; print('asleep', flush=True); time.sleep(600)")
        while True:  # interrupt once the cell sleeps, however long the kernel took to start it
            msg = await kc.get_iopub_msg(timeout=600)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                break
        await km.interrupt_kernel()
        # Waits, not deadlines: on a busy machine the reply may take long, and the test only fails
        # if it never comes or the cell slept through the interrupt (600 s).
        reply = await kc.get_shell_msg(timeout=600)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        kc.stop_channels()
        proc = km.provisioner.process  # what kernels.kill_kernels touches
        assert proc.poll() is None
        proc.kill()
        assert proc.wait(timeout=600) == -signal.SIGKILL
        assert not await km.is_alive()
        await km.shutdown_kernel(now=True)
        await km.cleanup_resources()

    asyncio.run(go())


def test_concurrent_starts_a_restart_and_clean_exit_codes(tmp_path, template):
    async def go():
        kms = [ForkedPythonKernelManager(kernel_name="python3") for _ in range(3)]
        for km in kms:
            # A clean exit is what is tested, not its speed: on a loaded machine a kernel can take longer
            # than jupyter_client's 5 s shutdown wait to exit, and is then terminated (-15).
            km.shutdown_wait_time = 600
        await asyncio.gather(*(km.start_kernel(cwd=str(tmp_path)) for km in kms))
        assert all(km.provisioner.forked for km in kms)
        pids = {km.provisioner.pid for km in kms}
        assert len(pids) == 3 and {ppid(p) for p in pids} == {template.pid}
        clients = [km.client() for km in kms]
        for kc in clients:
            kc.start_channels()
        await asyncio.gather(*(kc.wait_for_ready(timeout=600) for kc in clients))
        km = kms[0]
        old = km.provisioner.pid
        await km.restart_kernel()
        assert km.provisioner.forked and km.provisioner.pid != old and wait_gone([old], 600) == []
        clients[0].stop_channels()
        clients[0] = km.client()  # talk to the new kernel, as a caller of restart_kernel would
        clients[0].start_channels()
        await clients[0].wait_for_ready(timeout=600)
        procs = [k.provisioner.process for k in kms]
        for kc in clients:
            kc.stop_channels()
        await asyncio.gather(*(k.shutdown_kernel() for k in kms))
        assert [p.returncode for p in procs] == [0, 0, 0]
        assert all(p.cpu is not None and p.cpu > 0 for p in procs)  # the template reaped them

    asyncio.run(go())


def test_a_kernel_that_ends_is_seen_ending_when_it_does_not_at_the_next_poll(tmp_path, template):
    """jupyter_client checks a shutting-down kernel every ``pollinterval`` (0.1 s): a kernel that ended 2 ms after its
    shutdown request was found 0.1 s later, on every run. The wait is woken by the exit itself: with a poll every
    600 s it still ends as soon as the kernel does (the bound below is half a poll; the exit takes milliseconds)."""

    async def go():
        km = ForkedPythonKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        proc = km.provisioner.process
        assert km.provisioner.forked and proc.poll() is None
        await km.request_shutdown()
        await asyncio.wait_for(km.finish_shutdown(waittime=2400, pollinterval=600), timeout=300)
        assert proc.returncode == 0  # it ended by itself: neither terminated nor killed
        await km.cleanup_resources()

    asyncio.run(go())


# --------------------------------------------------------------------------- lifetimes

WORKER = """
import asyncio, json, os
from xteval.runner import forking
from xteval.runner.kernels import ForkedPythonKernelManager

async def main():
    km = ForkedPythonKernelManager(kernel_name="python3")
    await km.start_kernel(cwd={cwd!r})
    kc = km.client(); kc.start_channels()
    await kc.wait_for_ready(timeout=600)
    print(json.dumps({{"template": forking.current_template().pid, "kernel": km.provisioner.pid,
                      "forked": km.provisioner.forked, "sockets": os.path.dirname(km.ip)}}), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def test_kill_9_of_the_worker_takes_its_template_and_kernel_with_it(tmp_path):
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(cwd=str(tmp_path))], stdout=subprocess.PIPE, text=True)
    line = ""
    try:
        line = worker.stdout.readline()
        assert line, "the worker printed nothing"
        pids = json.loads(line)
        assert pids["forked"]
        assert ppid(pids["template"]) == worker.pid and ppid(pids["kernel"]) == pids["template"]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(5)
        assert wait_gone([pids["template"], pids["kernel"]], timeout=600) == []
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if line:  # a worker killed by -9 cannot remove its socket folder, forked or not
            import shutil

            shutil.rmtree(json.loads(line)["sockets"], ignore_errors=True)


def test_a_template_that_dies_takes_its_kernel_and_is_restarted(tmp_path, template, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)

    async def start():
        km = ForkedPythonKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        return km

    km = asyncio.run(start())
    assert km.provisioner.forked
    kernel, old = km.provisioner.pid, template.pid
    os.kill(old, signal.SIGKILL)
    assert wait_gone([old, kernel], timeout=600) == []

    async def dead():
        for _ in range(600):  # a zombie counts as gone above; its reaping (by init) can lag on a loaded machine
            if not await km.is_alive():
                break
            await asyncio.sleep(0.1)
        assert not await km.is_alive()
        assert km.provisioner.process is None or km.provisioner.process.poll() == -signal.SIGKILL
        await km.shutdown_kernel(now=True)
        await km.cleanup_resources()

    asyncio.run(dead())
    who = facts(run_nb(make_nb(tmp_path / "who.ipynb", WHO), tmp_path / "who.out.ipynb", tmp_path))
    new = forking.current_template()
    assert new is not None and new.pid != old and not gone(new.pid)
    assert who["ppid"] == new.pid  # forked from the restarted template
    assert fork_warnings(caplog) == []  # a restart is not a failure


# --------------------------------------------------------------------------- fallback


def test_a_failed_fork_falls_back_to_a_normal_kernel_and_says_so_once(tmp_path, template, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    nb = make_nb(tmp_path / "who.ipynb", WHO)
    template.inject(fail_forks=2)
    first = facts(run_nb(nb, tmp_path / "1.ipynb", tmp_path))
    second = facts(run_nb(nb, tmp_path / "2.ipynb", tmp_path))
    assert first["ppid"] == second["ppid"] == os.getpid()  # normal kernels: this process's children
    warnings = fork_warnings(caplog)
    assert len(warnings) == 1 and "injected fork failure" in warnings[0] and "\n" not in warnings[0]
    third = facts(run_nb(nb, tmp_path / "3.ipynb", tmp_path))
    assert third["ppid"] == template.pid  # the template serves again
    assert len(fork_warnings(caplog)) == 1


@pytest.mark.parametrize(
    ("options", "reason"),
    [({"python": "/nonexistent/python3"}, "template did not start"), ({"preload": ["sys:exit"]}, "failed to warm up")],
    ids=["cannot-start", "dies-warming-up"],
)
def test_a_template_that_cannot_serve_falls_back_with_one_warning(tmp_path, caplog, options, reason):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    forking.shutdown()
    forking.configure(**options)
    nb = make_nb(tmp_path / "who.ipynb", WHO)
    assert facts(run_nb(nb, tmp_path / "1.ipynb", tmp_path))["ppid"] == os.getpid()
    assert facts(run_nb(nb, tmp_path / "2.ipynb", tmp_path))["ppid"] == os.getpid()
    warnings = fork_warnings(caplog)
    assert len(warnings) == 1 and reason in warnings[0]
    forking.shutdown()


def test_only_this_pythons_ipykernel_is_forked():
    assert forking.ipykernel_args(["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "x"]) is None
    assert forking.ipykernel_args([sys.executable, "-m", "ipykernel_launcher", "-f", "x"]) == ["-f", "x"]
    assert forking.ipykernel_args([sys.executable, "-m", "other", "-f", "x"]) is None


def test_forking_is_off_outside_a_worker_and_when_disabled(monkeypatch):
    from xteval.runner.kernels import manager_class

    assert manager_class() is CurrentPythonKernelManager  # a single `xteval run` starts normally
    monkeypatch.setenv(forking.DISABLE_ENV, "0")
    forking.enable(kernel_env())
    assert not forking.enabled() and manager_class() is CurrentPythonKernelManager


LEAVER = """
import json, subprocess, sys, time
# one process in the kernel's group, and one that detaches into a session of its own (setsid in itself, so the
# pid is the sleeper's): neither may outlive the run
stay = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
detached = subprocess.Popen([sys.executable, "-c", "import os, sys, time; os.setsid(); print(os.getsid(0), flush=True); time.sleep(600)"],
                            stdout=subprocess.PIPE, text=True)
session = int(detached.stdout.readline())  # it has left the kernel's session before the kernel ends
print(json.dumps({"stay": stay.pid, "detached": detached.pid, "session": session}))
"""


def test_every_process_a_notebook_starts_ends_with_its_run(tmp_path, template):
    """A notebook's child left running, and one detached with setsid, both end when the kernel does."""
    pids = facts(run_nb(make_nb(tmp_path / "leaver.ipynb", LEAVER), tmp_path / "leaver.out.ipynb", tmp_path))
    assert pids["session"] == pids["detached"]  # it did detach
    assert wait_gone([pids["stay"], pids["detached"]], timeout=600) == []
