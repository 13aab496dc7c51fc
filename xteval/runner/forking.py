"""Kernels forked from a warm template: the worker's side.

A batch worker keeps one template process (``xteval.runner.template``) that has
imported the notebook stack and never ran a notebook. Each kernel start asks it
to fork; the child becomes the run's ipykernel. The worker's kernel manager is
``kernels.ForkedPythonKernelManager``: jupyter_client's ``LocalProvisioner``
with :class:`ForkProvisioner` in its place, whose ``launch_kernel`` forks
instead of calling ``Popen``. Its ``process`` is a :class:`ForkedKernel`, a
``Popen``-like handle (pid, poll, wait, send_signal, kill, terminate,
returncode), so everything that drives a ``Popen`` — the provisioner,
``shutdown_kernel``, ``kernels.kill_kernels`` — works unchanged.

Faults: a template that cannot start, dies, fails a fork or does not answer makes
that one start fall back to the normal launcher, with one warning line per
process; the next start tries again (a dead template is restarted), up to
``MAX_CONSECUTIVE_FAILURES`` in a row. Lifetimes: the template dies with its
worker and each kernel with its template (parent-death signals); closing the
template's socket also stops it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from . import template as template_module
from .template import BOOT, INLINE_BACKEND, default_preload, send

log = logging.getLogger("xteval.runner.forking")

DISABLE_ENV = "XTEVAL_FORK_KERNELS"  # "0": every kernel starts normally
SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")
MAX_CONSECUTIVE_FAILURES = 3
WARM_TIMEOUT = 120.0  # seconds a template may take to import the stack
REPLY_TIMEOUT = 10.0  # seconds a warm template may take to answer a fork

# Environment read at interpreter start-up or at import time: a template started under
# other values would give its kernels another sys.path, hash seed, backend... A request
# whose values differ gets a new template started under its environment.
IMPORT_SENSITIVE_ENV = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONHASHSEED",
    "PYTHONSAFEPATH",
    "PYTHONNOUSERSITE",
    "PYTHONUSERBASE",
    "PYTHONWARNINGS",
    "PYTHONDEVMODE",
    "PYTHONFAULTHANDLER",
    "PYTHONUTF8",
    "PYTHONIOENCODING",
    "PYTHONPYCACHEPREFIX",
    "VIRTUAL_ENV",
    "MPLBACKEND",
    "MPLCONFIGDIR",
    "MATPLOTLIBRC",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "PYDEVD_DISABLE_FILE_VALIDATION",  # read when debugpy is imported (ipykernel.debugger)
)

# The folder that holds the xteval package: on the template's sys.path only while it
# imports xteval.runner.template.
_ROOT = str(Path(template_module.__file__).resolve().parents[2])


class ForkFailed(Exception):
    """The template could not give a kernel; start one normally instead."""

    def __init__(self, msg: str, kind: str = "fork"):
        super().__init__(msg)
        self.kind = kind


_spawner: ThreadPoolExecutor | None = None
_spawner_lock = threading.Lock()


def _spawn(cmd: list[str], **kw) -> subprocess.Popen:
    """Popen from one long-lived thread of this process.

    A parent-death signal fires when the *thread* that created the child ends, not
    the process: a template started from a short-lived thread (an executor's, a
    run_sync helper's) would die with that thread.
    """
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xtk-spawner")
    return _spawner.submit(subprocess.Popen, cmd, **kw).result()


def _env_key(env: dict[str, str]) -> tuple:
    return tuple(env.get(k) for k in IMPORT_SENSITIVE_ENV)


# =========================================================================== the template handle


class Template:
    """This worker's handle on its template process: a socket of JSON lines and a Popen."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        preload: list[str] | None = None,
        *,
        python: str = sys.executable,
        backend: str = INLINE_BACKEND,
    ):
        env = {k: v for k, v in (os.environ if env is None else env).items() if not k.startswith("JPY_")}
        self.env_key = _env_key(env)
        self.owner = os.getpid()
        self.lock = threading.RLock()
        self.buf = b""
        self.replies: dict[int, dict] = {}
        self.exits: dict[int, dict] = {}  # request id -> the template's exit report
        self.info: dict | None = None
        self.dead: str | None = None
        self._ids = iter(range(1, 1 << 62))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock = ours
        cfg = json.dumps({"preload": default_preload() if preload is None else list(preload), "backend": backend})
        cmd = [python, "-c", BOOT, _ROOT, template_module.__name__, str(theirs.fileno()), str(os.getpid()), cfg]
        try:
            self.proc = _spawn(cmd, pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        except OSError as exc:
            ours.close()
            raise ForkFailed(f"template did not start: {exc}") from exc
        finally:
            theirs.close()
        self.pid = self.proc.pid

    # -- messages
    def _pump(self, timeout: float) -> None:
        """Read what the template sent, waiting up to ``timeout`` for the first bytes."""
        if self.dead:
            return
        ready, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        while ready:
            try:
                data = self.sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            except OSError as exc:
                data = b""
                self.dead = f"socket: {exc}"
            if not data:
                self.dead = self.dead or f"template exited ({self.proc.poll()})"
                break
            self.buf += data
            ready, _, _ = select.select([self.sock], [], [], 0)
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            op = msg.get("op")
            if op == "ready":
                self.info = msg
            elif op == "failed":
                self.dead = f"template failed to warm up: {msg.get('error')}"
            elif op == "exit":
                self.exits[msg["id"]] = msg
            else:
                self.replies[msg["id"]] = msg

    def pump(self, timeout: float = 0.0) -> None:
        with self.lock:
            self._pump(timeout)

    def request(self, msg: dict, timeout: float | None = None) -> dict:
        """Send a request and wait for its reply (a warm-up first, if the template is still warming)."""
        with self.lock:
            if self.dead:
                raise ForkFailed(self.dead)
            rid = next(self._ids)
            try:
                send(self.sock, {**msg, "id": rid})
            except OSError as exc:
                self.dead = f"template gone: {exc}"
                raise ForkFailed(self.dead) from exc
            if timeout is None:
                timeout = REPLY_TIMEOUT if self.info else WARM_TIMEOUT
            deadline = time.monotonic() + timeout
            while rid not in self.replies:
                left = deadline - time.monotonic()
                if self.dead:
                    raise ForkFailed(self.dead)
                if left <= 0:
                    self.close()
                    raise ForkFailed(f"template did not answer in {timeout:.0f} s")
                self._pump(left)
            return self.replies.pop(rid)

    def wait_ready(self, timeout: float = WARM_TIMEOUT) -> dict:
        """The template's ready message (its preload errors and self-check), once it is warm."""
        deadline = time.monotonic() + timeout
        while self.info is None and not self.dead and time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())
        if self.info is None:
            raise ForkFailed(self.dead or "template not ready")
        return self.info

    # -- operations
    def alive(self) -> bool:
        self.pump(0)
        return self.dead is None and self.proc.poll() is None

    def ping(self) -> dict:
        return self.request({"op": "ping"})

    def inject(self, fail_forks: int) -> None:
        """Make the next ``fail_forks`` forks fail (tests of the fallback)."""
        self.request({"op": "inject", "fail_forks": fail_forks})

    def fork(self, argv: list[str], cwd: str | None, env: dict[str, str]) -> ForkedKernel:
        reply = self.request({"op": "fork", "argv": argv, "cwd": cwd, "env": env})
        if reply["op"] != "forked":
            raise ForkFailed(reply.get("error", "fork refused"), reply.get("kind", "fork"))
        return ForkedKernel(self, reply["id"], reply["pid"], argv)

    def close(self) -> None:
        """Stop the template (its kernels die with it)."""
        with self.lock:
            self.dead = self.dead or "closed"
            try:
                self.sock.close()
            except OSError:
                pass
        if self.owner == os.getpid() and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


class ForkedKernel:
    """A ``subprocess.Popen``-like handle on a kernel forked by the template.

    The kernel is the template's child, not ours: liveness comes from a pidfd
    (immune to pid reuse), the exit status from the template, which reaps it
    (``wait4``) and reports its code and CPU seconds. A kernel whose template died
    was killed by its parent-death signal: its code is then -SIGKILL.
    """

    stdin = stdout = stderr = None

    def __init__(self, template: Template, rid: int, pid: int, args: list[str]):
        self.template, self.rid, self.pid, self.args = template, rid, pid, args
        self.returncode: int | None = None
        self.cpu: float | None = None
        try:
            self.pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone and reaped: its exit report is on the way
            self.pidfd = None

    def _exited(self) -> bool:
        if self.pidfd is None:
            return True
        ready, _, _ = select.select([self.pidfd], [], [], 0)
        return bool(ready)

    def _finish(self, code: int, report: dict | None = None) -> int:
        self.returncode = code
        if report:
            self.cpu = report.get("cpu")
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        return code

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        t = self.template
        t.pump(0)
        report = t.exits.pop(self.rid, None)
        if report is not None:
            return self._finish(report["code"], report)
        if not self._exited():
            return None
        # It has exited; the template reports the status as soon as it has reaped it.
        deadline = time.monotonic() + 1.0
        while not t.dead and time.monotonic() < deadline:
            t.pump(deadline - time.monotonic())
            report = t.exits.pop(self.rid, None)
            if report is not None:
                return self._finish(report["code"], report)
        return self._finish(-signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)
            fds = [self.pidfd] if self.pidfd is not None else []
            select.select(fds, [], [], 0.05 if left is None else min(left, 0.05))
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        if self.poll() is None and self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, sig)
            except ProcessLookupError:
                pass

    def signal_group(self, sig: int) -> None:
        """Signal the kernel's process group (it called setsid), as LocalProvisioner does."""
        if self.poll() is not None:
            return
        try:
            os.killpg(self.pid, sig)  # the pidfd above says the group leader is still ours
        except OSError:
            self.send_signal(sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __del__(self):
        if getattr(self, "pidfd", None) is not None:
            try:
                os.close(self.pidfd)
            except OSError:
                pass


# =========================================================================== one template per process

_state: dict[str, Any] = {"pid": None, "template": None, "enabled": False, "failures": 0, "warned": False, "disabled": False}
_state_lock = threading.RLock()
_options: dict[str, Any] = {}


def _forget_after_fork() -> None:
    """In a child of a worker (a forkserver, a multiprocessing fork): the template is not ours."""
    t = _state.get("template")
    if t is not None:
        try:
            t.sock.close()  # our copy only; the owner keeps its template
        except OSError:
            pass
    _state.update(pid=None, template=None, enabled=False, failures=0, warned=False, disabled=False)


os.register_at_fork(after_in_child=_forget_after_fork)


def _mine() -> None:
    """Make the state this process's (the at-fork hook already does; a belt for the braces)."""
    if _state["pid"] != os.getpid():
        _forget_after_fork()
        _state["pid"] = os.getpid()


def configure(**options: Any) -> None:
    """Options for templates started from now on (``preload=``, ``python=``, ``backend=``); none resets."""
    _options.clear()
    _options.update(options)


def current_template() -> Template | None:
    """This process's template, if it has started one."""
    return _state["template"] if _state["pid"] == os.getpid() else None


def get_template(env: dict[str, str] | None = None) -> Template:
    """This process's template, (re)started if missing, dead or started under another environment.

    ``env`` is the kernel's environment; None accepts the running template's, or ours.
    """
    with _state_lock:
        _mine()
        t: Template | None = _state["template"]
        if t is not None and (not t.alive() or (env is not None and t.env_key != _env_key(env))):
            t.close()
            t = _state["template"] = None
        if t is None:
            t = Template(dict(os.environ if env is None else env), **_options)
            _state["template"] = t
        return t


def enable(env: dict[str, str]) -> None:
    """Fork this process's kernels from now on, and start its template now: it warms up meanwhile.

    ``env`` is the environment the kernels get (ours plus the kernelspec's): part of
    it is read at import time, so the template must be started under it.
    Does nothing where forking is unsupported or ``XTEVAL_FORK_KERNELS=0``.
    """
    if not SUPPORTED or os.environ.get(DISABLE_ENV, "1") == "0":
        return
    with _state_lock:
        _mine()
        _state["enabled"] = True
        try:
            get_template(env)
        except Exception as exc:  # never break a worker's start: the first run retries, and warns
            log.debug("template start: %s", exc)


def enabled() -> bool:
    """True when this process forks its kernels (a batch worker after :func:`enable`)."""
    return bool(_state["enabled"]) and _state["pid"] == os.getpid()


def shutdown() -> None:
    """Stop this process's template, if any, and start kernels normally from now on."""
    with _state_lock:
        t = current_template()
        _state.update(template=None, enabled=False)
        if t is not None:
            t.close()


def reset_warning() -> None:
    """Forget past failures: the next failure warns again (tests)."""
    _state.update(warned=False, failures=0, disabled=False)


def _warn_once(reason: str) -> None:
    if not _state["warned"]:
        _state["warned"] = True
        reason = " ".join(str(reason).split())  # one line, whatever the error said
        log.warning("xteval: forked kernel start failed (%s); starting kernels normally", reason)


def ipykernel_args(cmd: list[str]) -> list[str] | None:
    """The arguments after ``python -m ipykernel_launcher`` when this Python runs them, else None."""
    if len(cmd) >= 3 and list(cmd[1:3]) == ["-m", "ipykernel_launcher"]:
        try:
            if cmd[0] == sys.executable or os.path.realpath(cmd[0]) == os.path.realpath(sys.executable):
                return list(cmd[3:])
        except OSError:
            return None
    return None


def fork_kernel(cmd: list[str], cwd: str | None, env: dict[str, str]) -> ForkedKernel | None:
    """A forked kernel for this launch, or None to launch normally (warned once on failure)."""
    argv = ipykernel_args(cmd)
    if argv is None or _state["disabled"] or not SUPPORTED:
        return None
    try:
        # No cwd means "inherit mine", as with Popen: the template's own cwd is stale.
        proc = get_template(env).fork(argv, str(cwd or os.getcwd()), env)
    except Exception as exc:  # any failure: this start goes the normal way
        if isinstance(exc, ForkFailed) and exc.kind == "cwd":  # Popen raises its usual error
            return None
        _state["failures"] += 1
        if _state["failures"] >= MAX_CONSECUTIVE_FAILURES:
            _state["disabled"] = True
        _warn_once(str(exc))
        return None
    _state["failures"] = 0
    return proc


# =========================================================================== jupyter_client glue


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose ``launch_kernel`` forks the warm template.

    ``pre_launch`` (connection file, environment, the ``python -m ipykernel_launcher
    -f …`` command) and ``poll``/``wait``/``kill``/``terminate``/``cleanup`` are
    LocalProvisioner's, acting on ``self.process``, a :class:`ForkedKernel` after a
    fork. Only the process-group signal differs: it is sent only while the pidfd
    says our kernel still holds its pid.
    """

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        proc = fork_kernel(cmd, kwargs.get("cwd"), kwargs.get("env") or dict(os.environ))
        if proc is None:
            self.forked = False
            return await super().launch_kernel(cmd, **kwargs)
        self.forked = True
        self.process = proc
        self.pid = self.pgid = proc.pid
        self.cwd = kwargs.get("cwd", Path.cwd())
        await self._wait_bound(proc)
        return self.connection_info

    async def _wait_bound(self, proc: ForkedKernel, timeout: float = 10.0) -> None:
        """Return once the kernel has bound its IPC sockets (a few ms after the fork).

        The client connects right after start_kernel returns. A zmq connect to an IPC
        path that does not exist yet is retried only after reconnect_ivl (100 ms):
        with a kernel that is up in ~30 ms, that retry would be most of the start.
        """
        info = self.connection_info
        if info.get("transport") != "ipc":
            return
        ports = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")
        paths = [f"{info['ip']}-{info[k]}" for k in ports]
        deadline = time.monotonic() + timeout
        while not all(os.path.exists(p) for p in paths):
            if proc.poll() is not None or time.monotonic() > deadline:
                return  # the manager's own checks report a dead or silent kernel
            await asyncio.sleep(0.002)

    async def send_signal(self, signum: int) -> None:
        if isinstance(self.process, ForkedKernel):
            self.process.signal_group(signum)
            return
        await super().send_signal(signum)


class ForkingMixin:
    """Mix into an AsyncKernelManager subclass to start its kernels from the template.

    ``KernelManager._async_pre_start_kernel`` asks the provisioner factory (entry
    points) only while ``self.provisioner`` is None, so setting it first installs
    ours without registering anything. Restarts reuse it and fork again.
    """

    async def _async_pre_start_kernel(self, **kw: Any):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            kw.pop("kernel_id", None)
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    pre_start_kernel = _async_pre_start_kernel
