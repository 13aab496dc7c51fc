"""Reading an untrusted input: a regular file within its caps and its tree, never through a link; decoding
its text (UTF-8, else GB18030); fingerprinting its bytes."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError

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


LINK_REFUSED = "是链接（符号链接、硬链接或经链接的目录），拒绝读取：请复制文件本身 (links are refused)"


def refuse_links(path: str | Path, root: str | Path | None = None) -> None:
    """Refuse a file reached through a link: a symbolic link, a hard link, or (under ``root``) a linked folder on the way.

    A link inside a data tree can point anywhere, and a hard link cannot even be told from the
    file it shares: both are refused, and the user copies the file in. ``root`` itself may lie
    behind links (a home folder on another disk); only the way below it is checked.

    Raises:
        InputError: naming the file.
    """
    path = Path(path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        return  # missing is the reader's to say
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read: {exc.strerror})", file=path) from None
    if stat.S_ISLNK(info.st_mode) or (stat.S_ISREG(info.st_mode) and info.st_nlink > 1):
        raise InputError(LINK_REFUSED, file=path)
    if root is None:
        return
    lexical, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        below = lexical.relative_to(base).parts
    except ValueError:
        return  # not under root by its name: inside() already judged where it leads
    step = base
    for part in below[:-1]:
        step = step / part
        if step.is_symlink():
            raise InputError(LINK_REFUSED, file=path)


def read_input(path: str | Path, *, root: str | Path | None = None, limit: int | None = None) -> bytes:
    """Read an untrusted input file whole, refusing what could hang, exhaust memory or escape.

    Args:
        path: the file to read.
        root: when given, the file (after resolving every link) must lie inside it, and it may not be
            reached through a link of any kind (:func:`refuse_links`).
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
    if root is not None:
        refuse_links(path, root)
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
        if root is not None and info.st_nlink > 1:  # the file opened, so a hard link planted after the check is caught too
            raise InputError(LINK_REFUSED, file=path)
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
        except UnicodeDecodeError as exc:
            if enc.startswith("utf-8") and _utf8_before(data, exc.start):
                # UTF-8 up to here, so not a GBK file: a phrase pasted in another encoding. GB18030 would
                # "decode" the whole file into other characters, so it is refused naming the line instead.
                line = data.count(b"\n", 0, exc.start) + 1
                reason = "这一行混有非 UTF-8 的文字（常见于从 GBK 文本复制粘贴），请把整个文件另存为 UTF-8 (mixed encodings)"
                raise InputError(reason, file=path, row=line) from None
            continue
    raise InputError("不是 UTF-8 或 GBK/GB18030 文本 (binary or unknown encoding)", file=path)


def _utf8_before(data: bytes, end: int) -> bool:
    """True when the text before ``end`` reads as UTF-8 Chinese (the file is UTF-8, not GBK).

    A GBK pair can happen to be a valid UTF-8 sequence (CA BE is U+02BE), but GBK text read as
    UTF-8 does not give two ideographs in a row before it fails; UTF-8 Chinese gives them at once.
    """
    prefix = data[max(0, end - 65536) : end].decode("utf-8", "ignore")
    return sum(1 for ch in prefix if "\u4e00" <= ch <= "\u9fff") >= 2


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_text(path: str | Path, *, root: str | Path | None = None) -> tuple[str, str]:
    """An untrusted text file (a report) read and decoded, refusing what is not text.

    Returns:
        ``(text, encoding)`` as :func:`decode_text` gives them.

    Raises:
        InputError: as :func:`read_input`, or as :func:`plain_text`.
    """
    path = Path(path)
    return plain_text(read_input(path, root=root), path)


def plain_text(data: bytes, path: str | Path) -> tuple[str, str]:
    """The bytes of a plain-text report decoded, refusing what is not text.

    Raises:
        InputError: the file is empty, has NUL bytes, is in no known encoding, or is
            mostly control characters (binary).
    """
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


def sha256(path: Path) -> str:
    """Content hash of a file, for provenance and incremental runs."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Content hash of bytes already read (what is hashed is what was read)."""
    return hashlib.sha256(data).hexdigest()


# The documents a report arrives as (text, .docx, web pages, workbooks, PDF) are read in .documents; its names are the package's.
