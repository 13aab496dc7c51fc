"""Documents as they arrive: plain text, .docx (paragraphs and tables) and PDF text layers, read into one
:class:`SourceDocument`; and the caps that keep a hostile container (a zip that lies about its size, a page
larger than A0, a page tree with a cycle) from exhausting the reader.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from . import pdftables
from .inputs import plain_text, read_input, sha256_bytes
from .sections import Section, sections
from .tables import Table, find_tables

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
    tables: tuple[Table, ...] = ()  # every table the format gives, and those found in its text

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @functools.cached_property
    def sections(self) -> tuple[Section, ...]:
        """The heading tree of the text (一、（一）1.（1）第X部分), read once when first asked for."""
        return sections(self.text)

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
        pages, tables = _pdf_pages(path, data)
        text, starts = "\n".join(pages), _page_starts(pages)
        return SourceDocument(path, text, "pdf", digest, starts, _with_text_tables(tables, text, starts))
    if kind == "docx":
        text, tables = _docx_text(path, data)
        return SourceDocument(path, text, "docx", digest, tables=tables)
    text, how = plain_text(data, path)
    return SourceDocument(path, text, how, digest, tables=find_tables(text))


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


def _docx_text(path: Path, data: bytes) -> tuple[str, tuple[Table, ...]]:
    """Paragraphs and table rows of a .docx in reading order (python-docx), and its tables."""

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


def _pdf_pages(path: Path, data: bytes) -> tuple[list[str], tuple[Table, ...]]:
    """The text layer of a PDF page by page, wrapped lines joined, with its tables (pypdfium2; see :mod:`.pdftables`)."""
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
        pages, rules = [], []
        for i in range(len(pdf)):
            page = pdf_page(pdf, i, path)
            pages.append(_page_lines(page, path, i + 1))
            rules.append(pdftables.strokes(page))
    finally:
        pdf.close()
    chars = sum(len(line.text.strip()) for page, _ in pages for line in page)
    if chars < 20 * max(1, len(pages)) // 4 or not pages:
        raise ScannedDocument(path, data)
    # the right margin of the typeset text: the furthest any line reaches, on any page
    margin = max((line.right for page, _ in pages for line in page), default=0.0)
    edges = pdftables.furniture([page for page, _ in pages])
    found = [pdftables.page_tables(page, hs, vs, skip) for (page, _), (hs, vs), skip in zip(pages, rules, edges, strict=True)]
    follows = _continued(pages, found, edges)
    texts, row_lines, line = [], [], 1
    for (page, width), tables in zip(pages, found, strict=True):
        joined, tags = _join_wrapped(pdftables.page_text(page, tables), margin, width)
        texts.append("\n".join(joined))
        at: dict[int, list[int]] = {}
        for k, tag in enumerate(tags):
            if tag >= 0:
                at.setdefault(tag, []).append(line + k)
        row_lines.append(at)
        line += len(joined)
    return texts, _pdf_tables(found, follows, row_lines)


def _with_text_tables(tables: tuple[Table, ...], text: str, starts: tuple[int, ...]) -> tuple[Table, ...]:
    """A PDF's drawn tables and, on lines none of them stands on, the tables typed into its text (pipes, one cell
    per line), each with its page: the text of a PDF gives the tables the same text gives as .txt."""
    taken = {line for t in tables for line in t.row_lines}
    typed = [
        dataclasses.replace(t, page=bisect.bisect_right(starts, t.line) or None)
        for t in find_tables(text)
        if t.how in ("pipes", "cells") and not taken.intersection(t.row_lines)
    ]
    return tuple(sorted([*tables, *typed], key=lambda t: t.line))


def _continued(pages, found, edges) -> list[bool]:
    """Whether each page's first table carries on the last table of the page before: nothing but a running header,
    footer or page number between them, and the same columns. The header repeated at the top of the page goes."""
    follows = [False] * len(found)
    origin = [tables[0] if tables else None for tables in found]  # the first part of each page's first table
    for i in range(1, len(found)):
        if not found[i] or not found[i - 1]:
            continue
        prev, nxt = found[i - 1][-1], found[i][0]
        lines_before, lines_after = pages[i - 1][0], pages[i][0]
        below = [k for k in range(max(prev.lines) + 1, len(lines_before)) if k not in edges[i - 1] and lines_before[k].text.strip()]
        above = [k for k in range(nxt.first) if k not in edges[i] and lines_after[k].text.strip()]
        if below or above or not pdftables.continues(prev, nxt):
            continue
        follows[i] = True
        head = origin[i - 1] if len(found[i - 1]) == 1 and follows[i - 1] else prev
        origin[i] = head
        while len(nxt.rows) > 1 and nxt.rows[0] in head.rows[:3] and not any(c and pdftables.is_figure(c) for c in nxt.rows[0][1:]):
            nxt.rows.pop(0)  # the header repeated at the top of the page
    return follows


def _pdf_tables(found, follows, row_lines) -> tuple[Table, ...]:
    """The pages' tables as :class:`Table`, a table's parts on consecutive pages joined into one."""
    out: list[list] = []
    for i, tables in enumerate(found):
        for n, table in enumerate(tables):
            part = (table, i + 1, row_lines[i].get(n, []))
            if n == 0 and follows[i] and out:
                out[-1].append(part)
            else:
                out.append([part])
    tables = []
    for parts in out:
        rows = [tuple(r) for t, _, _ in parts for r in t.rows]
        at = [k for _, _, lines in parts for k in lines]
        if rows and len(at) == len(rows):
            width = max(len(r) for r in rows)
            grid = tuple(r + ("",) * (width - len(r)) for r in rows)
            tables.append(Table(line=at[0], rows=grid, row_lines=tuple(at), page=parts[0][1], how="pdf"))
    return tuple(tables)


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


def _page_lines(page, path: Path | None = None, number: int = 0) -> tuple[list[pdftables.PageLine], float]:
    """A page's lines (text, right edge, width of the last character, the characters' boxes), and the page's width.

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
        lines: list[pdftables.PageLine] = []
        start = 0
        for part in text.split("\n"):
            part = part.removesuffix("\r")
            line = pdftables.PageLine(part, 0.0, 0.0)
            if aligned:
                line = _line_geometry(textpage, start, part)
            line.text = line.text.rstrip()
            lines.append(line)
            start = text.find("\n", start) + 1 if "\n" in text[start:] else len(text)
    finally:
        textpage.close()
    return lines, page.get_width()


def _line_geometry(textpage, start: int, part: str) -> pdftables.PageLine:
    """A line with tabs at its wide gaps, its right edge, the width of its last character and its characters' boxes."""
    out: list[str] = []
    chars: list[tuple[str, float, float, float, float]] = []
    prev_right = None
    right = width = 0.0
    pending_space = False
    for k, ch in enumerate(part):
        if ch.isspace():
            pending_space = True
            chars.append((" ", 0.0, 0.0, 0.0, 0.0))
            continue
        left, bottom, right, top = textpage.get_charbox(start + k, loose=True)
        chars.append((ch, left, bottom, right, top))
        width = right - left
        if prev_right is not None and left - prev_right > 2.0 * max(width, 1.0):
            out.append("\t")
        elif pending_space:
            out.append(" ")
        out.append(ch)
        prev_right, pending_space = right, False
    return pdftables.PageLine("".join(out), right, width, chars)


def _join_wrapped(lines: list[tuple[str, float, float, int]], margin: float, page_width: float) -> tuple[list[str], list[int]]:
    """Lines with each one that reaches the right margin without ending a sentence joined to the next; a table row
    (its tag, the table's index, not -1) is never joined, to or from. Returns the lines and each one's tag."""
    out: list[str] = []
    tags: list[int] = []
    joining = False
    for line, right, width, tag in lines:
        if joining and out and tag < 0:
            nxt = line.lstrip()
            glue = " " if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and nxt[:1].isascii() and nxt[:1].isalnum() else ""
            out[-1] += glue + nxt
        else:
            out.append(line)
            tags.append(tag)
        reach = max(margin - 2.5 * max(width, 1.0), 0.75 * page_width)
        joining = tag < 0 and bool(line) and line[-1] not in _SENTENCE_END and right >= reach
    return out, tags
