"""Writing an output: an exclusive temporary file in the target's folder, then a rename; nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import WriteError, XtevalError
from .inputs import inside

# The results store of a batch check (xteval check … --out DIR): written by the intake, read by the year summary.
RESULTS_STORE = "xteval-results.sqlite"

# --------------------------------------------------------------------------- writing


def cannot_write(path: Path, exc: OSError) -> WriteError:
    """The one-line error for an output that could not be written, naming the cause by its errno."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = f"磁盘已满 ({reason})"
    elif exc.errno == errno.EROFS:
        reason = f"只读文件系统 ({reason})"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = f"没有写权限 ({reason})"
    return WriteError(f"无法写入，原有文件保持不变 (cannot write: {reason}; any previous output is kept)", file=path)


def _folder(path: Path, root: str | Path | None) -> Path:
    """The target's folder, created if needed, and checked to be inside ``root`` once links are followed."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    if root is not None and not inside(folder, root):
        raise WriteError(f"目标目录经链接指向 {root} 之外，拒绝写入 (folder leads outside the output folder)", file=path)
    return folder


def write_atomic(path: str | Path, data: str | bytes, *, root: str | Path | None = None) -> None:
    """Write ``data`` to ``path`` atomically: an exclusive temporary file beside it, then a rename.

    Args:
        path: the file to write; a link planted at its name is replaced, never followed.
        data: text (written as UTF-8) or bytes.
        root: when given, the target's folder (links followed) must lie inside it.

    Raises:
        WriteError: the folder cannot be made or written (disk full, read-only, permission);
            the previous file at ``path``, if any, is unchanged.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path = Path(path)
    folder = _folder(path, root)
    # mkstemp opens a new random name exclusively (O_EXCL, no link followed): nothing planted can be written
    # through. A private folder, as write_with needs, costs a mkdir and an rmdir: 2.7 ms a file here, not 0.3.
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            os.fchmod(out.fileno(), 0o666 & ~current_umask())  # outputs are meant to be shared, like any file the user writes
        os.replace(tmp, path)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def write_with(path: str | Path, write: Callable[[Path], object], *, root: str | Path | None = None) -> Path:
    """Let ``write(tmp)`` produce the file at a private temporary path, then rename it to ``path``.

    For libraries that write by file name (openpyxl's ``Workbook.save``, papermill):
    the temporary path lies in a folder made by ``mkdtemp`` (random name, mode 0700)
    in the target's folder, so whatever name the library adds to it cannot have
    been planted, and the rename stays on one filesystem.

    Returns:
        ``path``.

    Raises:
        WriteError: as :func:`write_atomic`.
    """
    path = Path(path)
    folder = _folder(path, root)
    try:
        private = Path(tempfile.mkdtemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=folder))
    except OSError as exc:
        raise cannot_write(path, exc) from None
    tmp = private / path.name
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())  # outputs are meant to be shared, like any file the user writes
        os.replace(tmp, path)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    except XtevalError as exc:
        if exc.file and Path(exc.file).parent == private:  # the writer's own "cannot write": name the target
            raise WriteError(exc.reason, file=path) from None
        raise
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return path


def current_umask() -> int:
    """The process umask (os.umask can only be read by setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
