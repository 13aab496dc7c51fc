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


# --------------------------------------------------------------------------- documents as text

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Word 97-2003 .doc, or an encrypted Office file
OFFICE_MAX_UNPACKED = 256 * 1024 * 1024  # a .docx or .xlsx is a zip: refuse one that would unpack into more than this
OCR_INSTALL = "pip install 'xteval[ocr]'"


class ScannedDocument(InputError):
    """A PDF with no text layer: its text needs OCR (the optional ``ocr`` extra)."""

    def __init__(self, path: Path, data: bytes):
        super().__init__(f"是扫描件（无文字层），需要 OCR：{OCR_INSTALL} (scanned PDF: install the ocr extra)", file=path)
        self.data = data


def document_format(path: Path, data: bytes) -> str:
    """``txt``, ``docx`` or ``pdf`` by content (a renamed file is read for what it is); refuses .doc."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        if path.suffix.lower() == ".docx":
            raise InputError("是加密的 .docx，请去除密码后另存 (encrypted .docx)", file=path)
        raise InputError("是旧版 Word .doc 格式，请在 Word 中另存为 .docx (old binary .doc: save as .docx)", file=path)
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if path.suffix.lower() in (".pdf", ".docx", ".doc"):
        what = {".pdf": "PDF", ".docx": ".docx", ".doc": ".doc"}[path.suffix.lower()]
        raise InputError(f"不是有效的 {what} 文件（文件已损坏） (corrupt {what})", file=path)
    return "txt"


def read_document(path: str | Path, *, root: str | Path | None = None) -> str:
    """A report's text, whatever it arrived as: plain text (UTF-8, GBK/GB18030), .docx, or a PDF's text layer.

    A .docx gives its paragraphs and tables in reading order, one table row per line with its
    cells separated by tabs (as a table pasted from Word). A PDF gives its text layer page by
    page, with a line that was wrapped at the right margin joined to the next, so a label or a
    number broken by the layout reads whole again.

    Raises:
        ScannedDocument: a PDF with no text layer (see ``xteval.audit.ocr``).
        InputError: missing, not a regular file, too large, empty, binary, an old .doc, an
            encrypted or corrupt .docx or PDF; one line naming the file.
    """
    path = Path(path)
    return document_text(path, read_input(path, root=root))[0]


def document_text(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a document's bytes (see :func:`read_document`) and how it was read: an encoding, ``docx`` or ``pdf``."""
    kind = document_format(path, data)
    if kind == "pdf":
        return _pdf_text(path, data), "pdf"
    if kind == "docx":
        return _docx_text(path, data), "docx"
    return plain_text(data, path)


OFFICE_MAX_MEMBERS = 10_000  # parts in one package; Word and Excel write a few dozen
OFFICE_MAX_PART = 32 * 1024 * 1024  # one XML part: a 500-page report's document.xml is a few MB
# What an XML part may hold before its parser is let loose on it (a report has some thousands of each).
OFFICE_MAX_ELEMENTS = {"paragraphs": 200_000, "table cells": 500_000, "sheet cells": 1_000_000}
OFFICE_MAX_SHEET = (100_000, 1_000)  # rows, columns a sheet's cells may reach (a cell at XFD1048576 is refused)
_ELEMENT = {"paragraphs": re.compile(rb"<w:p[\s>/]"), "table cells": re.compile(rb"<w:tc[\s>/]"), "sheet cells": re.compile(rb"<c[\s>/]")}
_CELL_REF = re.compile(rb"<c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")


def check_office_zip(path: Path, data: bytes, kind: str, member: str) -> None:
    """Refuse a .docx or .xlsx (a zip) that is corrupt, lacks its main part, or would unpack too large.

    A zip's headers say what its members unpack to, and a hostile one lies: a few bytes declared, a
    stream that inflates to gigabytes. So every member is inflated here, counting the bytes as
    they come, and refused as soon as it passes what it declared or the package passes
    :data:`OFFICE_MAX_UNPACKED`; only the methods Office writes (stored, deflate) are accepted,
    since bzip2 and LZMA inflate without a bound per call. The XML parts a reader parses are
    capped in size and in elements (paragraphs, cells, the reach of a sheet) before any parser
    sees them. What passes unpacks to exactly what was counted, so the reader that follows is bounded.
    """
    import io
    import zipfile

    def refuse(reason: str) -> InputError:
        return InputError(reason, file=path)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > OFFICE_MAX_MEMBERS:
                raise refuse(f"包含 {len(infos)} 个部件，过多，拒绝读取 ({kind} has too many parts)")
            if sum(i.file_size for i in infos) > OFFICE_MAX_UNPACKED:
                raise refuse(f"解压后过大，拒绝读取 ({kind} unpacks to more than {OFFICE_MAX_UNPACKED // 2**20} MB)")
            if member not in z.namelist():
                raise refuse(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind}: no {member})")
            total = 0
            for info in infos:
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise refuse(
                        f"部件 {info.filename!r} 的压缩方式不是 Office 所用的，拒绝读取 ({kind}: compression {info.compress_type})"
                    )
                total = _inflate_counted(z, info, total, kind, refuse)
    except zipfile.BadZipFile:
        raise InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind})", file=path) from None
    except (zipfile.LargeZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind}: {type(exc).__name__})", file=path) from None


def _is_parsed_part(name: str) -> bool:
    """The parts a reader parses as XML: the document body and the sheets with their shared strings."""
    return name == "word/document.xml" or name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml"


def _inflate_counted(z, info, total: int, kind: str, refuse) -> int:
    """Inflate one member in bounded steps, refusing it past its declared size or the package cap; returns the new total."""
    parsed = _is_parsed_part(info.filename)
    if parsed and info.file_size > OFFICE_MAX_PART:
        raise refuse(f"部件 {info.filename!r} 过大，拒绝读取 ({kind}: a part over {OFFICE_MAX_PART // 2**20} MB)")
    size, chunks = 0, []
    with z.open(info) as stream:
        while chunk := stream.read(1 << 20):  # deflate's output per call is bounded by the size asked for
            size += len(chunk)
            if size > info.file_size or total + size > OFFICE_MAX_UNPACKED:
                raise refuse(f"部件 {info.filename!r} 解压后大于其声明的大小，拒绝读取 ({kind}: a member inflates past its declared size)")
            if parsed:
                chunks.append(chunk)
    if parsed:
        _check_elements(b"".join(chunks), info.filename, kind, refuse)
    return total + size


def _check_elements(xml: bytes, name: str, kind: str, refuse) -> None:
    for what, pattern in _ELEMENT.items():
        count = sum(1 for _ in pattern.finditer(xml))
        if count > OFFICE_MAX_ELEMENTS[what]:
            raise refuse(
                f"部件 {name!r} 含 {count} 个{_ELEMENT_CN[what]}，超过上限 {OFFICE_MAX_ELEMENTS[what]}，拒绝读取 ({kind}: too many {what})"
            )
    if name.startswith("xl/worksheets/"):
        max_rows, max_cols = OFFICE_MAX_SHEET
        for m in _CELL_REF.finditer(xml):
            row, col = int(m[2]), _column_number(m[1])
            if row > max_rows or col > max_cols:
                ref = m[1].decode() + m[2].decode()
                raise refuse(f"工作表单元格 {ref} 超出 {max_rows} 行 × {max_cols} 列，拒绝读取 ({kind}: a cell beyond the sheet cap)")


_ELEMENT_CN = {"paragraphs": "段落", "table cells": "表格单元格", "sheet cells": "单元格"}


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + (c - 64)
    return n


def _docx_text(path: Path, data: bytes) -> str:
    """Paragraphs and table rows of a .docx in reading order (python-docx)."""
    import io

    check_office_zip(path, data, ".docx", "word/document.xml")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                lines += _table_lines(Table(child, document))
    except InputError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on a damaged package
        raise InputError(f"不是有效的 .docx 文件（文件已损坏） (corrupt .docx: {type(exc).__name__})", file=path) from None
    text = "\n".join(lines)
    if not text.strip():
        raise InputError("文件为空 (empty document)", file=path)
    return text


def _table_lines(table) -> list[str]:
    """One line per table row, cells separated by tabs; a merged cell once; a cell's paragraphs joined."""
    out = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        out.append("\t".join(cells))
    return out


_SENTENCE_END = "。：:；;！？!?|"  # a line ending so is complete (a sentence, a label, a table row)


def _pdf_text(path: Path, data: bytes) -> str:
    """The text layer of a PDF, wrapped lines joined (pypdfium2)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("是加密的 PDF，请去除密码后再读取 (encrypted PDF)", file=path) from None
        raise InputError("不是有效的 PDF 文件（文件已损坏） (corrupt PDF)", file=path) from None
    try:
        if len(pdf) > PDF_MAX_PAGES:
            raise InputError(f"PDF 超过 {PDF_MAX_PAGES} 页，拒绝读取 (PDF has more than {PDF_MAX_PAGES} pages)", file=path)
        pages = [_page_lines(pdf_page(pdf, i, path), path, i + 1) for i in range(len(pdf))]
    finally:
        pdf.close()
    chars = sum(len(text.strip()) for page, _ in pages for text, _, _ in page)
    if chars < 20 * max(1, len(pages)) // 4 or not pages:
        raise ScannedDocument(path, data)
    # the right margin of the typeset text: the furthest any line reaches, on any page
    margin = max((right for page, _ in pages for _, right, _ in page), default=0.0)
    return "\n".join(line for page, width in pages for line in _join_wrapped(page, margin, width))


PDF_MAX_PAGES = 2_000  # a year's 决算公开 bound in one file has some hundreds
PDF_MAX_PAGE_CHARS = 200_000  # characters on one page: a dense A4 page holds about 3,000, an A0 sheet some tens of thousands
PDF_MAX_PAGE_AREA = 8_200_000  # pt² of one page: A0 (2,384 × 3,370 pt, 8.03 M) and a little more; a 14,400 pt square is 207 M


def pdf_page(pdf, index: int, path: Path):
    """Page ``index`` of an open PDF, refusing one too large to read or that PDFium cannot load (a page tree with a cycle)."""
    import pypdfium2 as pdfium

    try:
        page = pdf[index]
        width, height = page.get_size()
    except (pdfium.PdfiumError, ValueError, RuntimeError, OSError) as exc:
        raise InputError(f"第 {index + 1} 页无法读取（文件已损坏） (corrupt PDF page: {type(exc).__name__})", file=path) from None
    if not (0 < width * height <= PDF_MAX_PAGE_AREA):
        reason = f"第 {index + 1} 页尺寸 {width:.0f} × {height:.0f} pt，超过 A0，拒绝读取 (a page larger than A0)"
        raise InputError(reason, file=path)
    return page


def _page_lines(page, path: Path | None = None, number: int = 0) -> tuple[list[tuple[str, float, float]], float]:
    """A page's lines as (text, right edge, width of the last character), and the page's width.

    Where two characters of a line stand far apart (a gap wider than two characters: the columns of
    a table), a tab separates them, as in a table pasted from Word.
    """
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if n > PDF_MAX_PAGE_CHARS:  # the geometry below costs per character: refused before it is paid
            reason = f"第 {number} 页有 {n} 个字符，超过上限 {PDF_MAX_PAGE_CHARS}，拒绝读取 (too many characters on one page)"
            raise InputError(reason, file=path)
        text = textpage.get_text_range()
        aligned = len(text) == n  # the text range and the character index agree (they do for PDFium's breaks)
        lines: list[tuple[str, float, float]] = []
        start = 0
        for part in text.split("\n"):
            part = part.removesuffix("\r")
            right = width = 0.0
            if aligned:
                part, right, width = _line_geometry(textpage, text, start, part)
            lines.append((part.rstrip(), right, width))
            start = text.find("\n", start) + 1 if "\n" in text[start:] else len(text)
    finally:
        textpage.close()
    return lines, page.get_width()


def _line_geometry(textpage, text: str, start: int, part: str) -> tuple[str, float, float]:
    """A line with tabs at its wide gaps, its right edge and the width of its last character."""
    out: list[str] = []
    prev_right = None
    right = width = 0.0
    pending_space = False
    for k, ch in enumerate(part):
        if ch.isspace():
            pending_space = True
            continue
        left, _, right, _ = textpage.get_charbox(start + k, loose=True)
        width = right - left
        if prev_right is not None and left - prev_right > 2.0 * max(width, 1.0):
            out.append("\t")
        elif pending_space:
            out.append(" ")
        out.append(ch)
        prev_right, pending_space = right, False
    return "".join(out), right, width


def _join_wrapped(lines: list[tuple[str, float, float]], margin: float, page_width: float) -> list[str]:
    """Lines with each one that reaches the right margin without ending a sentence joined to the next."""
    out: list[str] = []
    joining = False
    for line, right, width in lines:
        if joining and out:
            nxt = line.lstrip()
            glue = " " if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and nxt[:1].isascii() and nxt[:1].isalnum() else ""
            out[-1] += glue + nxt
        else:
            out.append(line)
        reach = max(margin - 2.5 * max(width, 1.0), 0.75 * page_width)
        joining = bool(line) and line[-1] not in _SENTENCE_END and right >= reach
    return out
