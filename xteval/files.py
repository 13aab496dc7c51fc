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

import bisect
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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Table:
    """A table as the format gives it (a .docx table): its rows of cell texts, and the line of its first row."""

    line: int  # 1-based, in :attr:`SourceDocument.text`
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SourceDocument:
    """A report read once: what every reader of it takes (the quote check of ``seed`` figures, the audit, ``extract``).

    ``text`` is the whole text as read (decoded, or a .docx's paragraphs and table rows, or a PDF's
    text layer, or what OCR read from a scan), before any normalising; ``pages`` and ``tables``
    are filled where the format gives them.
    """

    path: Path
    text: str
    how: str  # an encoding, ``docx``, ``pdf`` or ``ocr``
    sha256: str  # of the bytes read: a params file's input hash of its source report
    pages: tuple[int, ...] = ()  # the 1-based line each page begins on (PDF, scan)
    tables: tuple[Table, ...] = ()  # (.docx)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def page_of(self, line: int) -> int | None:
        """The 1-based page of a 1-based line, when the format gives pages."""
        return bisect.bisect_right(self.pages, line) or None if self.pages else None

    def is_file(self, path: str | Path) -> bool:
        """True when ``path`` names the file this document was read from (links resolved)."""
        return Path(path).resolve() == self.path.resolve()


Scanner = Callable[[Path, bytes], tuple[str, ...]]  # a scanned PDF's bytes → its pages' text (OCR)


def read_source(path: str | Path, *, root: str | Path | None = None, scan: Scanner | None = None) -> SourceDocument:
    """Read a report once, whatever it arrived as, into a :class:`SourceDocument`.

    Args:
        path: plain text (UTF-8, GBK/GB18030), a .docx, or a PDF.
        root: when given, the file must lie inside it.
        scan: reads a PDF without a text layer (``xteval.audit.ocr``); without it such a PDF raises.

    Raises:
        ScannedDocument: a PDF with no text layer and no ``scan``.
        InputError: as :func:`read_document`.
    """
    path = Path(path)
    data = read_input(path, root=root)
    try:
        return _document(path, data)
    except ScannedDocument:
        if scan is None:
            raise
        pages = scan(path, data)
        return SourceDocument(path, "\n".join(pages), "ocr", sha256_bytes(data), _page_starts(pages))


def _page_starts(pages: Sequence[str]) -> tuple[int, ...]:
    """The 1-based line each page's text begins on, once the pages are joined by line breaks."""
    starts, line = [], 1
    for page in pages:
        starts.append(line)
        line += page.count("\n") + 1
    return tuple(starts)


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
    return read_source(path, root=root).text


def document_text(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a document's bytes (see :func:`read_document`) and how it was read: an encoding, ``docx`` or ``pdf``."""
    doc = _document(path, data)
    return doc.text, doc.how


def _document(path: Path, data: bytes) -> SourceDocument:
    kind = document_format(path, data)
    digest = sha256_bytes(data)
    if kind == "pdf":
        pages = _pdf_pages(path, data)
        return SourceDocument(path, "\n".join(pages), "pdf", digest, _page_starts(pages))
    if kind == "docx":
        text, tables = _docx_text(path, data)
        return SourceDocument(path, text, "docx", digest, tables=tables)
    text, how = plain_text(data, path)
    return SourceDocument(path, text, how, digest)


def check_office_zip(path: Path, data: bytes, kind: str, member: str) -> None:
    """Refuse a .docx or .xlsx (a zip) that is corrupt, lacks its main part, or would unpack too large.

    The sizes checked are those the zip declares, and they are the most Python's zipfile will
    unpack of each member (it stops there and checks the CRC), so a zip bomb stops here.
    """
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > OFFICE_MAX_UNPACKED:
                raise InputError(f"解压后过大，拒绝读取 ({kind} unpacks to more than {OFFICE_MAX_UNPACKED // 2**20} MB)", file=path)
            if member not in z.namelist():
                raise InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind}: no {member})", file=path)
    except zipfile.BadZipFile:
        raise InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind})", file=path) from None


def _docx_text(path: Path, data: bytes) -> tuple[str, tuple[Table, ...]]:
    """Paragraphs and table rows of a .docx in reading order (python-docx), and its tables."""
    import io

    check_office_zip(path, data, ".docx", "word/document.xml")
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        tables: list[Table] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                rows = _table_rows(DocxTable(child, document))
                tables.append(Table(len(lines) + 1, rows))
                lines += ["\t".join(row) for row in rows]
    except InputError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on a damaged package
        raise InputError(f"不是有效的 .docx 文件（文件已损坏） (corrupt .docx: {type(exc).__name__})", file=path) from None
    text = "\n".join(lines)
    if not text.strip():
        raise InputError("文件为空 (empty document)", file=path)
    return text, tuple(tables)


def _table_rows(table) -> tuple[tuple[str, ...], ...]:
    """A table's rows of cell texts (a row is a line with its cells separated by tabs); a merged cell once; a cell's paragraphs joined."""
    out = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        out.append(tuple(cells))
    return tuple(out)


_SENTENCE_END = "。：:；;！？!?|"  # a line ending so is complete (a sentence, a label, a table row)


def _pdf_pages(path: Path, data: bytes) -> list[str]:
    """The text layer of a PDF page by page, wrapped lines joined (pypdfium2)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("是加密的 PDF，请去除密码后再读取 (encrypted PDF)", file=path) from None
        raise InputError("不是有效的 PDF 文件（文件已损坏） (corrupt PDF)", file=path) from None
    try:
        pages = [_page_lines(pdf[i]) for i in range(len(pdf))]
    finally:
        pdf.close()
    chars = sum(len(text.strip()) for page, _ in pages for text, _, _ in page)
    if chars < 20 * max(1, len(pages)) // 4 or not pages:
        raise ScannedDocument(path, data)
    # the right margin of the typeset text: the furthest any line reaches, on any page
    margin = max((right for page, _ in pages for _, right, _ in page), default=0.0)
    return ["\n".join(_join_wrapped(page, margin, width)) for page, width in pages]


def _page_lines(page) -> tuple[list[tuple[str, float, float]], float]:
    """A page's lines as (text, right edge, width of the last character), and the page's width.

    Where two characters of a line stand far apart (a gap wider than two characters: the columns of
    a table), a tab separates them, as in a table pasted from Word.
    """
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        n = textpage.count_chars()
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
