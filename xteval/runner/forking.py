"""Kernels forked from a warm template: the worker's side of the process machinery.

A batch worker keeps one template process (``xteval.runner.template``) that has
imported the notebook stack and never ran a notebook. Each kernel start asks it
to fork; the child becomes the run's ipykernel. :class:`Template` is the worker's
handle on that process (a socket of JSON lines); :class:`ForkedKernel` is a
``Popen``-like handle (pid, poll, wait, send_signal, kill, terminate,
returncode) on a forked kernel, so everything that drives a ``Popen`` — the
provisioner, ``shutdown_kernel``, ``kernels.kill_kernels`` — works unchanged.
The jupyter_client side (a provisioner that forks instead of calling ``Popen``)
is in ``xteval.runner.kernels``; this module imports nothing but the standard
library, so the batch process can start templates cheaply.

Where a template comes from: a local batch starts one per worker before its pool,
so that they warm up while the pool starts, and hands each worker one
(:func:`start_templates`, :func:`adopt`); a worker without one (a dask worker, or
one whose template died) starts its own (:func:`get_template`).

Faults: a template that cannot start, dies, fails a fork or does not answer makes
that one start fall back to the normal launcher, with one warning line per
process; the next start tries again (a dead template is restarted), up to
``MAX_CONSECUTIVE_FAILURES`` in a row. Lifetimes: a template dies with the process
that started it and each kernel with its template (parent-death signals); closing
the template's last socket also stops it.
"""

from __future__ import annotations

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
        self._setup(_env_key(env))
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

    def _setup(self, env_key: tuple) -> None:
        self.env_key = env_key
        self.owner = os.getpid()
        self.lock = threading.RLock()
        self.buf = b""
        self.replies: dict[int, dict] = {}
        self.exits: dict[int, dict] = {}  # request id -> the template's exit report
        self.info: dict | None = None
        self.dead: str | None = None
        self._ids = iter(range(1, 1 << 62))
        self.proc: subprocess.Popen | None = None
        self.pidfd: int | None = None

    def handoff(self) -> tuple:
        """What another process needs to adopt this template (see :func:`start_templates`)."""
        return (self.sock, self.pid, self.env_key)

    @classmethod
    def adopt(cls, handoff: tuple) -> Template:
        """A template another process started, handed over: this process owns it from now on."""
        sock, pid, env_key = handoff
        t = cls.__new__(cls)
        t._setup(tuple(env_key))
        t.sock, t.pid = sock, pid
        try:
            t.pidfd = os.pidfd_open(pid)  # not our child: liveness and kill go through a pidfd
        except ProcessLookupError:
            t.dead = "template exited before it was adopted"
        return t

    def _running(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        if self.pidfd is None:
            return False
        ready, _, _ = select.select([self.pidfd], [], [], 0)
        return not ready

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
                self.dead = self.dead or "template exited"
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
        return self.dead is None and self._running()

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
        if self.owner != os.getpid():
            return
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        elif self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.close(self.pidfd)
            self.pidfd = None

    def release(self) -> None:
        """Let go of a template handed to another process: close our socket, do not stop it."""
        self.owner = -1
        self.dead = "handed over"
        self.sock.close()


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
        with self.template.lock:  # a worker's watchdog thread may poll while the run's thread does: one at a time
            return self._poll()

    def _poll(self) -> int | None:
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
            try:
                select.select(fds, [], [], 0.05 if left is None else min(left, 0.05))
            except OSError:  # the pidfd closed by another thread's poll, which saw the kernel end: poll again
                pass
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


def wanted() -> bool:
    """Forking is possible here and not turned off (``XTEVAL_FORK_KERNELS=0``)."""
    return SUPPORTED and os.environ.get(DISABLE_ENV, "1") != "0"


def enable(env: dict[str, str], handoff: tuple | None = None) -> None:
    """Fork this process's kernels from now on, from the template handed over or one started now.

    ``env`` is the environment the kernels get (ours plus the kernelspec's): part of
    it is read at import time, so a template must be started under it. A template
    started now warms up while the caller goes on. Does nothing unless :func:`wanted`.
    """
    if not wanted():
        return
    with _state_lock:
        _mine()
        _state["enabled"] = True
        if handoff is not None:
            old = _state["template"]
            if old is not None:
                old.close()
            _state["template"] = Template.adopt(handoff)
        try:
            get_template(env)  # the adopted one if it lives and suits env; else a new one
        except Exception as exc:  # never break a worker's start: the first run retries, and warns
            log.debug("template start: %s", exc)


def start_templates(n: int, env: dict[str, str]) -> list[Template | None]:
    """Start ``n`` templates for ``n`` workers that do not exist yet (None where one failed).

    The batch process calls this before it starts its pool, so the templates import
    the notebook stack while the pool's processes start, instead of after; each
    worker then adopts one (:func:`enable` with its :meth:`Template.handoff`). A
    template's parent is then the batch process: it dies with the batch.
    """
    started: list[Template | None] = []
    for _ in range(n):
        try:
            started.append(Template(env, **_options))
        except ForkFailed as exc:
            log.debug("template start: %s", exc)
            started.append(None)
    return started


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
