"""Reading untrusted inputs and writing outputs safely, and fingerprinting inputs.

Light imports only: the batch fast path uses this module.

Every file xteval reads on someone else's behalf (a params file, a report, a CSV,
a workbook) goes through :func:`read_input`: a regular file only (never a FIFO
that would block or a device that never ends), at most :func:`input_limit`
bytes, and, when a root is given, inside that root after every link is
resolved. Every output goes through :func:`write_atomic`.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError

DEFAULT_LIMIT_MB = 50
LIMIT_ENV = "XTEVAL_MAX_INPUT_MB"  # raises or lowers the cap for one run


def input_limit() -> int:
    """The most bytes xteval reads from one input file: 50 MB unless ``XTEVAL_MAX_INPUT_MB`` says otherwise."""
    raw = os.environ.get(LIMIT_ENV, "")
    try:
        mb = int(raw) if raw.strip() else DEFAULT_LIMIT_MB
    except ValueError:
        mb = DEFAULT_LIMIT_MB
    return max(1, mb) * 1024 * 1024


def inside(path: Path, root: Path) -> bool:
    """True when ``path`` (resolved, links followed) lies in ``root`` (resolved)."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def read_input(path: str | Path, *, root: str | Path | None = None, limit: int | None = None) -> bytes:
    """Read an untrusted input file whole, refusing what could hang, exhaust memory or escape.

    Args:
        path: the file to read.
        root: when given, the file (after resolving every link) must lie inside it.
        limit: the most bytes to read; :func:`input_limit` by default.

    Returns:
        The file's bytes.

    Raises:
        InputError: missing, a directory, not a regular file (FIFO, device, socket),
            outside ``root``, larger than the limit, or unreadable; the message names the file.
    """
    path = Path(path)
    limit = input_limit() if limit is None else limit
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise InputError("文件不存在 (file not found)", file=path) from None
    except (OSError, RuntimeError) as exc:  # a link loop, a permission problem on the way
        raise InputError(f"无法读取 (cannot read: {getattr(exc, 'strerror', None) or exc})", file=path) from None
    if root is not None and not inside(real, root):
        raise InputError(f"不在允许的目录 {root} 内 (outside the allowed folder, links followed)", file=path)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise InputError("是目录而不是文件 (is a directory)", file=path) from None
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read: {exc.strerror})", file=path) from None
    try:
        info = os.fstat(fd)  # the file opened, not the name checked: nothing can be swapped in between
        if stat.S_ISDIR(info.st_mode):
            raise InputError("是目录而不是文件 (is a directory)", file=path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("不是普通文件（设备、管道或套接字）(not a regular file: device, FIFO or socket)", file=path)
        if info.st_size > limit:
            raise InputError(f"文件过大: {info.st_size:,} 字节，上限 {limit:,} (file too large; see {LIMIT_ENV})", file=path)
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # the file grew while being read
                raise InputError(f"文件过大: 超过上限 {limit:,} 字节 (file too large; see {LIMIT_ENV})", file=path)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read: {exc.strerror})", file=path) from None
    finally:
        os.close(fd)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over, so no reader sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256(path: Path) -> str:
    """Content hash of a file, for provenance and incremental runs."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
