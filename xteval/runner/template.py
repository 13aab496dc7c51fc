"""The warm template process: it imports the notebook stack once, then forks one kernel per run.

This module is the template's own code; ``xteval.runner.forking`` is the other
side, which starts templates and asks them for kernels.

A template is started as ``python -c BOOT …``: by a local batch, one per worker
before its pool starts, each then handed to (adopted by) one worker; or by a
worker itself (a dask worker, or a worker whose template died). It imports
pandas, matplotlib (with the CJK font registered), IPython, ipykernel's kernel
application and xteval's notebook-facing layers, and then waits on a socket. It
never starts a kernel, never creates a zmq context, an event loop or a Python
thread, and never runs notebook code (:func:`self_check` reports it). For each
run it forks; the child chdirs to the run's folder, takes the run's
environment and becomes ``ipykernel``'s ``IPKernelApp`` on the connection file
jupyter_client wrote, for exactly one notebook::

    batch (or worker)                     starts the template
      └─ template  "xtk-template"   parent-death signal: dies with its starter;
           │                        exits when its worker closes the socket
           ├─ kernel "xtk-kernel"   fork + setsid; parent-death signal: dies with the template
           └─ kernel …

Linux only (fork, prctl, pidfd); elsewhere ``forking.SUPPORTED`` is False and
kernels start normally.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import logging
import os
import pkgutil
import select
import signal
import socket
import sys
import threading
import time
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36  # orphans of a kernel's processes become the template's, not init's
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

# What a kernel would import before and during its first cells, imported once here.
# "module", "module:callable" (called after the import) or "package.*" (below). An entry that fails is
# recorded in the ready message and skipped: a kernel then imports it itself and
# fails (or not) exactly as a normal kernel would. A test asserts there is none.
STACK: tuple[str, ...] = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",  # the inline backend is a subclass of Agg
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    # What IPKernelApp.initialize and a first cell import (found by diffing sys.modules
    # in a kernel): without these each fork spends ~70 ms importing debugpy.
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.core.pylabtools",
    "IPython.extensions.storemagic",
    "sqlite3",
    "PIL.PngImagePlugin",
    "ipywidgets",  # xteval.panel's widgets
    # "-name": import for its dependencies, then forget the module itself, so that its
    # import-time side effect runs in the kernel as in a normal one: the inline backend
    # hooks itself into the IPython shell (PNG formatter, flush_figures) when pyplot
    # first loads it, and the template has no shell.
    "-matplotlib_inline.backend_inline",
    "xteval.render.charts:cjk_font",
)

# xteval's notebook-facing layers. "package.*" is the package and every module under it,
# so a module added to a layer is preloaded without editing this list. The runner, the
# exporter (nbconvert), the command line and the scaffold are the worker's, not a kernel's.
NOTEBOOK_LAYERS: tuple[str, ...] = (
    "xteval.money",
    "xteval.dates",
    "xteval.files",
    "xteval.params",
    "xteval.checks",
    "xteval.registry",
    "xteval.panel",
    "xteval.render.report",
    "xteval.render.charts",
    "xteval.render.sanitize",
    "xteval.audit.*",
    "xteval.department.*",
    "xteval.projects.*",
    "xteval.scoring.*",
    "xteval.summary.*",  # the year summary notebook's reader and tables
    "xteval.api.*",  # what the notebooks call: evaluate() and its sections
)


def default_preload() -> list[str]:
    """The preload list: the third-party stack, then every module of xteval's notebook layers."""
    return [*STACK, *NOTEBOOK_LAYERS]


# =========================================================================== both sides of the fork


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def set_pdeathsig(expected_parent: int, sig: int = signal.SIGKILL) -> None:
    """Receive ``sig`` when the parent dies; exit now if it already has.

    The setting is cleared by fork() and survives exec(). The "parent" is the
    *thread* that created this process, so the parent must create it from a
    thread that lives as long as it does. Checking getppid() right after closes
    the race of a parent that died before prctl ran (we were already reparented).
    """
    if _libc().prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    if os.getppid() != expected_parent:
        os._exit(1)


def set_name(name: str) -> None:
    """The process name ``ps`` and /proc/<pid>/comm show (15 bytes at most)."""
    try:
        _libc().prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
    except (OSError, AttributeError):  # cosmetic only
        pass


def send(sock: socket.socket, msg: dict) -> None:
    """One message: a JSON line."""
    sock.sendall(json.dumps(msg).encode() + b"\n")


# =========================================================================== the template


def _modules(entry: str) -> list[str]:
    """The modules an entry names: itself, or for "package.*" the package and every module under it."""
    if not entry.endswith(".*"):
        return [entry]
    package = entry[:-2]
    names = [package]
    for info in pkgutil.walk_packages(importlib.import_module(package).__path__, prefix=f"{package}."):
        names.append(info.name)
    return names


def warm(preload: list[str], backend: str) -> dict:
    """Import the notebook stack; return the entries that failed (runs in the template only)."""
    # ipykernel names the inline backend in MPLBACKEND before any notebook code runs
    # (IPKernelApp.init_gui_pylab), so in a normal kernel matplotlib and xteval's charts
    # (which choose Agg unless the backend is inline) are imported with it named. Do the
    # same, or every forked kernel is stuck on Agg and display(fig) shows "<Figure …>".
    set_backend = bool(backend) and not os.environ.get("MPLBACKEND")
    if set_backend:
        os.environ["MPLBACKEND"] = backend
    errors: dict[str, str] = {}
    for entry in preload:
        name, _, func = entry.partition(":")
        forget = name.startswith("-")
        name = name.lstrip("-")
        try:
            for each in _modules(name):
                mod = importlib.import_module(each)
            if func:
                getattr(mod, func)()
            if forget:
                del sys.modules[name]
                parent, _, child = name.rpartition(".")
                if parent in sys.modules and getattr(sys.modules[parent], child, None) is mod:
                    delattr(sys.modules[parent], child)
        except Exception as exc:  # recorded: the kernel will meet it again and report it as usual
            errors[entry] = " ".join(f"{type(exc).__name__}: {exc}".split())
    if set_backend:
        del os.environ["MPLBACKEND"]  # each kernel's own environment decides
    return {"preload_errors": errors}


def self_check() -> dict[str, Any]:
    """What the template holds that a fresh interpreter would not: must be nothing but imports."""
    check: dict[str, Any] = {
        "python_threads": threading.active_count(),
        "native_threads": len(os.listdir("/proc/self/task")),  # numpy's OpenBLAS pool; fork-safe
        "kernelapp_instantiated": False,
        "zmq_contexts": 0,
        "event_loop": False,
        "ipython_shell": False,
        "xteval_modules": sorted(m for m in sys.modules if m == "xteval" or m.startswith("xteval.")),
    }
    zmq = sys.modules.get("zmq")
    if zmq is not None:
        check["zmq_contexts"] = sum(isinstance(o, zmq.Context) for o in gc.get_objects())
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    if kernelapp is not None:
        check["kernelapp_instantiated"] = kernelapp.IPKernelApp.initialized()
    import asyncio.events as ev

    policy = ev._event_loop_policy
    check["event_loop"] = bool(ev._get_running_loop() or (policy is not None and getattr(policy._local, "_loop", None)))
    getipython = sys.modules.get("IPython.core.getipython")
    check["ipython_shell"] = bool(getipython and getipython.get_ipython())
    return check


def template_main(fd: int, starter_pid: int, cfg_json: str):
    """The template's loop. Returns only in a freshly forked child: ``(request, template_pid)``."""
    set_pdeathsig(starter_pid)
    set_name("xtk-template")
    # A notebook's process that outlives its kernel (left running, or detached with setsid) is
    # reparented here rather than to init, so the template can end it with the run (_end_leftovers).
    _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # Ctrl-C at a terminal reaches the whole foreground group: the template leaves with
    # its starter (parent-death signal) or on its socket's EOF, never with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cfg = json.loads(cfg_json)
    sock = socket.socket(fileno=fd)
    sock.setblocking(True)
    started = time.perf_counter()
    try:
        info = warm(cfg["preload"], cfg.get("backend", INLINE_BACKEND))
    except BaseException as exc:  # a preload that exits or crashes the import machinery
        send(sock, {"op": "failed", "error": f"{type(exc).__name__}: {exc}"})
        os._exit(3)
    info["warm_seconds"] = round(time.perf_counter() - started, 3)
    # Objects alive now live as long as the template: keep the collector off them, so that
    # the kernels' collections do not touch (and copy) the pages they share with it.
    gc.collect()
    gc.freeze()
    info["check"] = self_check()
    info["pid"] = os.getpid()
    send(sock, {"op": "ready", **info})
    return _serve(sock, info)


def _serve(sock: socket.socket, info: dict):
    """Answer fork/ping requests; reap kernels and report their exits. Returns in a child only."""
    me = os.getpid()
    children: dict[int, tuple[int, int]] = {}  # pidfd -> (pid, request id)
    fail_forks = 0  # fault injection, for the tests of the fallback
    buf = b""
    while True:
        readable, _, _ = select.select([sock, *children], [], [])
        for pidfd in readable:
            if pidfd is sock:
                continue
            pid, rid = children.pop(pidfd)
            os.close(pidfd)
            _, status, usage = os.wait4(pid, 0)
            cpu = round(usage.ru_utime + usage.ru_stime, 4)
            _end_leftovers(pid, {p for p, _ in children.values()})
            send(sock, {"op": "exit", "id": rid, "pid": pid, "code": os.waitstatus_to_exitcode(status), "cpu": cpu})
        if sock not in readable:
            continue
        data = sock.recv(1 << 16)
        if not data:  # the worker closed its end: leave; the kernels follow by their parent-death signal
            os._exit(0)
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            req = json.loads(line)
            op, rid = req.get("op"), req.get("id")
            if op == "ping":
                send(sock, {"op": "pong", "id": rid, **info, "children": [p for p, _ in children.values()]})
            elif op == "inject":
                fail_forks = int(req.get("fail_forks", 0))
                send(sock, {"op": "ok", "id": rid})
            elif op == "fork":
                cwd = req.get("cwd")
                if cwd and not os.path.isdir(cwd):
                    send(sock, {"op": "error", "id": rid, "kind": "cwd", "error": f"no such directory: {cwd}"})
                    continue
                if fail_forks:
                    fail_forks -= 1
                    send(sock, {"op": "error", "id": rid, "kind": "fork", "error": "OSError: [Errno 11] injected fork failure"})
                    continue
                gc.freeze()  # what the loop allocated since: the kernel's collector leaves it alone too
                try:
                    pid = os.fork()
                except OSError as exc:
                    send(sock, {"op": "error", "id": rid, "kind": "fork", "error": f"OSError: {exc}"})
                    continue
                if pid == 0:  # the kernel-to-be: drop everything that is the template's
                    for pidfd in children:
                        os.close(pidfd)
                    sock.close()  # this process's copy only
                    return req, me
                children[os.pidfd_open(pid)] = (pid, rid)
                send(sock, {"op": "forked", "id": rid, "pid": pid})


def _end_leftovers(kernel: int, kernels: set[int]) -> None:
    """End every process a finished kernel left behind: every process of its group, and, once no kernel runs, every
    other child of the template (orphans reparented here from a detached session). Every process a run starts ends
    with the run; none keeps writing after it."""
    try:
        os.killpg(kernel, signal.SIGKILL)  # the kernel called setsid: its pid is its group's id
    except OSError:
        pass  # no process is left in the group
    if kernels:
        return  # another kernel's processes may be among the orphans: they end with that kernel
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me:
            try:
                os.kill(int(entry), signal.SIGKILL)
                os.waitpid(int(entry), 0)
            except (OSError, ChildProcessError):
                pass


# =========================================================================== the kernel


def kernel_main(req: dict, template_pid: int) -> None:
    """In a child just forked from the template: become this run's ipykernel."""
    os.setsid()  # its own process group, as LocalProvisioner's start_new_session=True
    set_pdeathsig(template_pid)
    set_name("xtk-kernel")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in any fresh interpreter
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    if req.get("cwd"):
        os.chdir(req["cwd"])
    env = dict(req["env"])
    env["JPY_PARENT_PID"] = str(template_pid)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()  # the C library reads TZ at start-up only
    # State that fork copies: `random` reseeds itself (os.register_at_fork); numpy's
    # legacy global generator does not.
    np_random = sys.modules.get("numpy.random")
    if np_random is not None:
        np_random.seed()
    import ipykernel_launcher  # only for its path: sys.argv[0] of `python -m ipykernel_launcher`

    argv = list(req["argv"])
    sys.argv = [ipykernel_launcher.__file__, *argv]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # parent_handle's default was read from JPY_PARENT_PID when kernelapp was imported in
    # the template: set it here, so that the kernel's parent poller watches the template.
    app.initialize([*argv, f"--IPKernelApp.parent_handle={template_pid}"])
    # At shutdown ipykernel may close a socket while a ZMQStream callback is still queued; tornado then logs
    # "Uncaught exception in ZMQStream callback … Socket operation on non-socket" with its traceback on the
    # kernel's stderr, which is the batch's terminal (seen once in four full suites on a loaded machine).
    # Whether a run worked is the notebook client's to tell, not this log's.
    logging.getLogger("tornado.general").setLevel(logging.CRITICAL)
    app.start()
    _leave(app)


def _leave(app) -> None:
    """End the kernel once ``app.start()`` has returned: its shutdown reply is sent and its loops have stopped.

    ipykernel leaves the rest to the interpreter's exit: atexit stops the IOPub thread, then terminates the
    heartbeat's zmq context and joins the control thread with no time limit. On a loaded machine that order
    raced: a thread still sending on a socket whose peer had gone blocked the join for good, or libzmq aborted
    (``Assertion failed: pfd.revents & POLLIN``, exit -6) when the context was terminated under a live socket
    (seen with a second copy of the suite running beside the first). Here the kernel's streams are flushed, the
    IOPub thread sends what it holds and stops (its own stop gives up after 30 s), and the process ends with 0,
    as a clean exit does.
    """
    _flush(sys.stdout, sys.stderr)  # the kernel's own streams: what they hold goes out through the IOPub thread
    try:
        if app.iopub_thread is not None:
            app.iopub_thread.stop()
    except Exception:  # a thread that would not stop must not keep the kernel alive
        pass
    _flush(sys.__stdout__, sys.__stderr__)
    os._exit(0)


def _flush(*streams) -> None:
    for stream in streams:
        try:
            stream.flush()
        except Exception:  # a closed or broken stream has nothing left to write
            pass


# python -c BOOT ROOT MODULE FD STARTER_PID CONFIG. ROOT (the folder holding the xteval
# package) is on sys.path only while this module is imported: the kernel gets the
# sys.path a `python -m ipykernel_launcher` would have.
BOOT = (
    "import sys, importlib\n"
    "if sys.path and sys.path[0] == '': del sys.path[0]\n"  # as ipykernel_launcher does
    "sys.path.insert(0, sys.argv[1])\n"
    "_t = importlib.import_module(sys.argv[2])\n"
    "del sys.path[0]\n"
    "_r = _t.template_main(int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])\n"
    "if _r is not None:\n"
    "    _t.kernel_main(*_r)\n"
)
