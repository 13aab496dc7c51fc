"""Reading untrusted inputs and writing outputs safely, and fingerprinting inputs.

Light imports only: the batch fast path uses this module.

Every file xteval reads on someone else's behalf (a params file, a report, a CSV,
a workbook) goes through :func:`read_input`: a regular file only (never a FIFO
that would block or a device that never ends), at most :func:`input_limit`
bytes, and, when a root is given, inside that root after every link is
resolved. Texts are decoded by :func:`decode_text` (UTF-8, else GB18030, which
covers GBK: the same for reports and CSV files).

Every output goes through :func:`write_atomic` (bytes we produce) or
:func:`write_with` (a file a library writes, such as an openpyxl workbook): the
temporary file is created exclusively under a random name in the target's folder
(so a link planted at a guessable name is never followed), then renamed over the
target. A write that fails leaves the previous output in place and raises
:class:`~xteval.errors.WriteError`, one line naming the file and the reason.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import InputError, WriteError, XtevalError

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


# --------------------------------------------------------------------------- decoding

ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312


def decode_text(data: bytes, path: str | Path, *, nul: bool = False) -> tuple[str, str]:
    """Decode an input text as UTF-8 (BOM allowed), else GB18030: reports and CSV files alike.

    Args:
        data: the file's bytes (from :func:`read_input`).
        path: the file, for the message.
        nul: keep NUL characters (a cell the caller cleans later) instead of refusing the file.

    Returns:
        ``(text, encoding)``, the encoding as ``utf-8`` or ``gb18030``.

    Raises:
        InputError: a NUL byte (binary data, or a field cut short in most readers),
            naming its line; or neither encoding decodes the bytes.
    """
    if not nul and b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("含 NUL 字节，是二进制文件而不是文本 (binary file: NUL bytes)", file=path, row=line)
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    raise InputError("不是 UTF-8 或 GBK/GB18030 文本 (binary or unknown encoding)", file=path)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_text(path: str | Path, *, root: str | Path | None = None) -> tuple[str, str]:
    """An untrusted text file (a report) read and decoded, refusing what is not text.

    Returns:
        ``(text, encoding)`` as :func:`decode_text` gives them.

    Raises:
        InputError: as :func:`read_input`, or the file is empty, has NUL bytes, is in
            no known encoding, or is mostly control characters (binary).
    """
    path = Path(path)
    data = read_input(path, root=root)
    if not data.strip():
        raise InputError("文件为空 (empty file)", file=path)
    text, encoding = decode_text(data, path)
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise InputError("是二进制文件而不是文本 (binary file: control characters)", file=path)
    return text, encoding


def read_csv(path: str | Path, columns: Sequence[str], *, root: str | Path | None = None) -> list[dict[str, str]]:
    """Rows of an untrusted CSV file that must have ``columns``; row numbers count the header as 1.

    Read with :func:`read_input` (a regular file under the size cap, inside ``root``),
    decoded with :func:`decode_text` (UTF-8 or GBK/GB18030; a NUL byte is refused).

    Raises:
        InputError: unreadable, not text, malformed CSV, or a column is missing;
            the message names the file and the row.
    """
    path = Path(path)
    text, _ = decode_text(read_input(path, root=root), path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        have = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in columns if c not in have]
        if missing:
            raise InputError(f"缺少列 {', '.join(missing)}（现有 {', '.join(have) or '无'}）(missing columns)", file=path, row=1)
        return [{(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()} for row in reader]
    except csv.Error as exc:  # a field over the csv module's limit, a stray quote in strict mode
        raise InputError(f"不是有效的 CSV ({exc})", file=path, row=reader.line_num) from None


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
    write_with(path, lambda tmp: tmp.write_bytes(payload), root=root)


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


def sha256(path: Path) -> str:
    """Content hash of a file, for provenance and incremental runs."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Content hash of bytes already read (what is hashed is what was read)."""
    return hashlib.sha256(data).hexdigest()
