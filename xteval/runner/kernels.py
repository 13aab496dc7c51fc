"""Kernels for runs: always this interpreter's ipykernel, over IPC in a private socket folder."""

from __future__ import annotations

import atexit
import functools
import itertools
import shutil
import sys
import tempfile
import weakref
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec

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
    folder = Path(tempfile.mkdtemp(prefix="xtk-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # A pool worker ends with os._exit, which skips atexit; multiprocessing runs its
    # finalizers first, so the folder goes with the worker too.
    from multiprocessing import util

    util.Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=0)
    return folder


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


class CurrentPythonKernelManager(AsyncKernelManager):
    """A kernel manager that always starts ipykernel on this interpreter.

    Runs never depend on a kernelspec installed elsewhere on the machine: a
    user-level ``python3`` spec pointing at another Python is ignored.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # IPC (Unix sockets) instead of TCP: many kernels starting at once cannot
        # race for the same port, and nothing listens on the network.
        self.transport = "ipc"
        self.ip = str(_socket_dir() / f"k{next(_kernel_ids)}")
        _live.add(self)

    @property
    def kernel_spec(self) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (xteval)",
            language="python",
            env={"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        )
