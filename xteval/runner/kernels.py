"""Kernels for runs: always this interpreter's ipykernel, over IPC in a private socket folder.

A single ``xteval run`` starts its kernel normally. A batch worker forks its kernels
from a warm template (``xteval.runner.forking``): :func:`manager_class` picks the
manager for the process it is called in.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import weakref
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.provisioning import LocalProvisioner

from . import forking

# The kernelspec's environment; the template is started under it too (debugpy reads it at import).
KERNEL_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}
_kernel_ids = itertools.count()
_live: weakref.WeakSet = weakref.WeakSet()  # kernel managers this process started


def kill_kernels() -> None:
    """Kill every kernel this process started and has not shut down (on interrupt)."""
    for km in list(_live):
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


@functools.cache
def _made_socket_dir() -> Path:
    from multiprocessing.util import Finalize

    folder = Path(tempfile.mkdtemp(prefix="xtk-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # A pool worker leaves by os._exit after multiprocessing's own finalizers, never atexit.
    Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=0)
    return folder


def remove_socket_dir() -> None:
    """Remove this process's socket folder now, if it made one (a worker leaving by os._exit)."""
    if _made_socket_dir.cache_info().currsize:
        shutil.rmtree(_made_socket_dir(), ignore_errors=True)


def _socket_dir() -> Path:
    """One short-pathed folder per process for kernel sockets, removed at exit.

    Made anew (another random name) if something removed it meanwhile (a tmp cleaner,
    a test's temporary folder): a kernel whose socket folder is gone dies before
    replying, and re-creating the old, now known name could adopt a folder or link
    someone else planted there.
    """
    folder = _made_socket_dir()
    if folder.is_symlink() or not folder.is_dir():
        _made_socket_dir.cache_clear()
        folder = _made_socket_dir()
    return folder


class ReadyKernelClient(AsyncKernelClient):
    """A kernel client that is ready when the kernel says so, not 0.2 s later.

    jupyter_client's ``wait_for_ready`` ends by reading IOPub until it has been silent
    for 0.2 s: a fixed 0.2 s per kernel, a sixth of a warm run. This one stops at the
    kernel's ``idle`` status for its own ``kernel_info`` request, which is the last
    message that request causes; it falls back to the silence rule if that never comes.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # is IOPub connected? (a PUB socket drops what it sends before that)
                    first = await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    first = None
                if first is not None:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        msg = first
        while not (
            msg["msg_type"] == "status"
            and msg["content"].get("execution_state") == "idle"
            and msg["parent_header"].get("msg_id") == request
        ):
            try:
                msg = await self.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


async def _until_exit(process: Any, timeout: float) -> None:
    """Wait until ``process`` (a ``Popen`` or a ``forking.ForkedKernel``) ends, or ``timeout`` seconds.

    A forked kernel's handle holds a pidfd; for a child of ours started by ``Popen`` and
    not yet reaped (its ``poll()`` said so) one is opened here: its pid cannot have been
    reused. Where there is none (not Linux, a process already gone) this is a plain sleep.
    """
    pidfd = getattr(process, "pidfd", None)
    opened = None
    if pidfd is None and isinstance(process, subprocess.Popen) and hasattr(os, "pidfd_open"):
        try:
            pidfd = opened = os.pidfd_open(process.pid)
        except OSError:  # already gone: the caller's next check says so
            pidfd = None
    if pidfd is None:
        await asyncio.sleep(timeout)
        return
    loop = asyncio.get_running_loop()
    ended = loop.create_future()
    try:
        loop.add_reader(pidfd, lambda: ended.done() or ended.set_result(None))
    except (NotImplementedError, OSError):  # a loop that cannot watch file descriptors
        if opened is not None:
            os.close(opened)
        await asyncio.sleep(timeout)
        return
    try:
        await asyncio.wait([ended], timeout=timeout)
    finally:
        loop.remove_reader(pidfd)
        if opened is not None:
            os.close(opened)


class CurrentPythonKernelManager(AsyncKernelManager):
    """A kernel manager that always starts ipykernel on this interpreter.

    Runs never depend on a kernelspec installed elsewhere on the machine: a
    user-level ``python3`` spec pointing at another Python is ignored.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("client_class", f"{__name__}.ReadyKernelClient")
        super().__init__(**kwargs)
        # IPC (Unix sockets) instead of TCP: many kernels starting at once cannot
        # race for the same port, and nothing listens on the network.
        self.transport = "ipc"
        self.ip = str(_socket_dir() / f"k{next(_kernel_ids)}")
        _live.add(self)

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt, except as the first step of a shutdown.

        jupyter_client interrupts a kernel before asking it to shut down. papermill asks
        for ``kernel_info`` after the last cell and shuts the kernel down as soon as the
        reply arrives, while the kernel is still finishing that request: the SIGINT lands
        in the handler and the kernel prints "KeyboardInterrupt caught in kernel." on the
        batch's terminal, for half the runs. nbclient shuts kernels down once their cells
        are done; a kernel still busy is killed after the shutdown wait, and an
        interrupted batch kills its kernels outright. (``interrupt_kernel()`` itself is
        jupyter_client's and unchanged.)
        """
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Return once the kernel process has ended, woken by its exit rather than found at the next poll.

        jupyter_client sleeps ``pollinterval`` (0.1 s) between two checks: a kernel that ends
        2 ms after its shutdown request was found 0.1 s later, on every run. Here each wait
        between two checks ends as soon as the process does (a pidfd), and at the latest
        after ``pollinterval``, as before; the callers' time limits are unchanged.
        """
        while await self._async_is_alive():
            await _until_exit(getattr(self.provisioner, "process", None), pollinterval)

    @property
    def kernel_spec(self) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (xteval)",
            language="python",
            env=dict(KERNEL_ENV),
        )


# --------------------------------------------------------------------------- forking: the jupyter_client side


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose ``launch_kernel`` forks the warm template.

    ``pre_launch`` (connection file, environment, the ``python -m ipykernel_launcher
    -f …`` command) and ``poll``/``wait``/``kill``/``terminate``/``cleanup`` are
    LocalProvisioner's, acting on ``self.process``, a ``forking.ForkedKernel`` after a
    fork. Only the process-group signal differs: it is sent only while the pidfd
    says our kernel still holds its pid.
    """

    forked = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        proc = forking.fork_kernel(cmd, kwargs.get("cwd"), kwargs.get("env") or dict(os.environ))
        if proc is None:
            self.forked = False
            return await super().launch_kernel(cmd, **kwargs)
        self.forked = True
        self.process = proc
        self.pid = self.pgid = proc.pid
        self.cwd = kwargs.get("cwd", Path.cwd())
        await self._wait_bound(proc)
        return self.connection_info

    async def _wait_bound(self, proc: forking.ForkedKernel, timeout: float = 10.0) -> None:
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
        if isinstance(self.process, forking.ForkedKernel):
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


class ForkedPythonKernelManager(ForkingMixin, CurrentPythonKernelManager):
    """CurrentPythonKernelManager whose kernels are forked from this process's warm template.

    A start the template cannot serve falls back to CurrentPythonKernelManager's
    normal start (warned once); see ``xteval.runner.forking``.
    """


def kernel_env() -> dict[str, str]:
    """The environment a kernel of this process gets: ours plus the kernelspec's."""
    return {**os.environ, **KERNEL_ENV}


def manager_class() -> type[CurrentPythonKernelManager]:
    """The kernel manager for a run in this process: forking in a batch worker, normal elsewhere.

    One run alone gains nothing from a template: it would pay the template's warm-up itself.
    """
    return ForkedPythonKernelManager if forking.enabled() else CurrentPythonKernelManager
