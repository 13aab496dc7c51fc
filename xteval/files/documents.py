"""Documents as they arrive: plain text, .docx (paragraphs and tables), saved web pages and workbooks (read in
:mod:`.html` and :mod:`.workbooks`) and PDF text layers, told apart by their content and read into one
:class:`SourceDocument` with its tables; and the caps that keep a hostile container (a zip that lies about its size, a page
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
from .grids import Grid, Placed, caption, preamble
from .html import html_text
from .inputs import plain_text, read_input, sha256_bytes
from .sections import Section, sections
from .tables import Table, find_tables
from .workbooks import ole_streams, xls_text, xlsx_text

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
    """``txt``, ``docx``, ``pdf``, ``html``, ``xlsx`` or ``xls`` by content (a renamed file is read for what it is).

    An OLE2 compound file is an .xls when it holds a ``Workbook`` (or ``Book``) stream; one holding
    ``WordDocument`` is an old .doc and one holding ``EncryptedPackage`` an encrypted .docx/.xlsx, both refused.
    A page is HTML when it opens with ``<!DOCTYPE html``, ``<html`` or ``<table`` (or is named .htm/.html).
    """
    suffix = path.suffix.lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        return _ole_format(path, data)
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(path, data)
    if _looks_html(data):
        return "html"  # also a page saved as .xls, as some sites publish a table for Excel to open
    if suffix in _BINARY_SUFFIXES:
        what = _BINARY_SUFFIXES[suffix]
        raise InputError(f"不是有效的 {what} 文件（文件已损坏） (corrupt {what})", file=path)
    return "html" if suffix in _HTML_SUFFIXES else "txt"


_BINARY_SUFFIXES = {".pdf": "PDF", ".docx": ".docx", ".doc": ".doc", ".xlsx": ".xlsx", ".xls": ".xls"}
_HTML_SUFFIXES = (".htm", ".html", ".xhtml", ".shtml")
_HTML_OPENINGS = (b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta")


def _looks_html(data: bytes) -> bool:
    """True when the bytes open as a web page (after a BOM, blanks, an XML declaration or comments)."""
    head = data[:2048]
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[2:].decode(enc, "ignore").encode("utf-8", "ignore")
    head = re.sub(rb"^(?:\xef\xbb\xbf|\s|<\?xml[^>]{0,200}\?>|<!--.{0,400}?-->)+", b"", head.lower(), flags=re.DOTALL)
    return head.startswith(_HTML_OPENINGS)


def _ole_format(path: Path, data: bytes) -> str:
    """``xls`` for a workbook; an old .doc or an encrypted Office file is refused with what to do."""
    streams = ole_streams(data)
    if streams & {"Workbook", "Book", "WORKBOOK", "BOOK"}:
        return "xls"
    if streams & {"EncryptedPackage", "EncryptionInfo"}:
        what = path.suffix.lower() if path.suffix.lower() in (".docx", ".xlsx") else "Office"
        raise InputError(f"是加密的 {what} 文件，请去除密码后另存 (encrypted {what})", file=path)
    if "WordDocument" not in streams and path.suffix.lower() == ".xls":
        raise InputError("不是有效的 .xls 文件（文件已损坏） (corrupt .xls)", file=path)
    return _old_doc(path)


def _old_doc(path: Path) -> str:
    if path.suffix.lower() == ".docx":
        raise InputError("是加密的 .docx，请去除密码后另存 (encrypted .docx)", file=path)
    raise InputError("是旧版 Word .doc 格式，请在 Word 中另存为 .docx (old binary .doc: save as .docx)", file=path)


def _zip_format(path: Path, data: bytes) -> str:
    """``xlsx`` for a package with a workbook part, else ``docx`` (a damaged zip: as its name says, refused by its reader)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist()[: OFFICE_MAX_MEMBERS + 1])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        names = set()
    if "xl/workbook.xml" in names or (not names & {"word/document.xml"} and path.suffix.lower() in (".xlsx", ".xlsm")):
        return "xlsx"
    return "docx"


@dataclass(frozen=True)
class SourceDocument:
    """A report read once: what every reader of it takes (the quote check of ``seed`` figures, the audit, ``extract``).

    ``text`` is the whole text as read (decoded, or a .docx's or web page's paragraphs and table rows, or a
    workbook's sheets row by row, or a PDF's
    text layer, or what OCR read from a scan), before any normalising; ``pages`` and ``tables``
    are filled where the format gives them.
    """

    path: Path
    text: str
    how: str  # an encoding, ``docx``, ``html``, ``xlsx``, ``xls``, ``pdf`` or ``ocr``
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
        path: plain text (UTF-8, GBK/GB18030), a .docx, a saved web page (.html/.htm), an .xlsx or .xls
            workbook, or a PDF.
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
        return SourceDocument(path, text, "docx", digest, tables=_with_text_tables(tables, text, (), _DOCX_TYPED))
    if kind in ("html", "xlsx", "xls"):
        text, placed = _structured(path, data, kind)
        tables = tuple(Table(p.row_lines[0], p.rows, p.row_lines, None, p.title, p.unit, kind) for p in placed)
        return SourceDocument(path, text, kind, digest, tables=tables)
    text, how = plain_text(data, path)
    return SourceDocument(path, text, how, digest, tables=find_tables(text))


def _structured(path: Path, data: bytes, kind: str) -> tuple[str, list[Placed]]:
    """A web page's or a workbook's text and tables, by its reader (:mod:`.html`, :mod:`.workbooks`)."""
    if kind == "html":
        return html_text(path, data)
    if kind == "xlsx":
        check_office_zip(path, data, ".xlsx", "xl/workbook.xml")  # a zip bomb, a cell or merged range past the sheet cap
        return xlsx_text(path, data, OFFICE_MAX_SHEET)
    return xls_text(path, data, OFFICE_MAX_SHEET)


OFFICE_MAX_MEMBERS = 10_000  # parts in one package; Word and Excel write a few dozen
OFFICE_MAX_PART = 32 * 1024 * 1024  # one XML part: a 500-page report's document.xml is a few MB
# What an XML part may hold before its parser is let loose on it (a report has some thousands of each).
OFFICE_MAX_ELEMENTS = {"paragraphs": 200_000, "table cells": 500_000, "sheet cells": 1_000_000}
OFFICE_MAX_WORKBOOK_CELLS = 2_000_000  # cells of all a workbook's sheets: openpyxl holds an object for each
OFFICE_MAX_SHEET = (100_000, 1_000)  # rows, columns a sheet's cells may reach (a cell at XFD1048576 is refused)
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an XML namespace prefix a hostile part may use (<x:c>), which openpyxl reads alike
_ELEMENT = {
    "paragraphs": re.compile(rb"<w:p[\s>/]"),
    "table cells": re.compile(rb"<w:tc[\s>/]"),
    "sheet cells": re.compile(rb"<" + _NS + rb"c[\s>/]"),
}
_CELL_REF = re.compile(rb"<" + _NS + rb"c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_MERGE_REF = re.compile(rb"<" + _NS + rb"mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']{0,40})")
_RANGE = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,9})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,9}))?")
DOCX_MAX_GRID = 2_000_000  # grid positions of all a .docx's tables, a merged cell counted in each position it covers


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
            total, counts = 0, {"sheet cells": 0}
            for info in infos:
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise refuse(
                        f"部件 {info.filename!r} 的压缩方式不是 Office 所用的，拒绝读取 ({kind}: compression {info.compress_type})"
                    )
                total = _inflate_counted(z, info, total, kind, refuse, counts)
    except InputError:
        raise
    except zipfile.BadZipFile:
        raise InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind})", file=path) from None
    except Exception as exc:  # a damaged zip raises many kinds: ValueError (a negative seek), zlib.error, NotImplementedError…
        raise InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind}: {type(exc).__name__})", file=path) from None


def _is_parsed_part(name: str) -> bool:
    """The parts a reader may parse as XML: every .xml and .rels part, since a package's relationships, not the part's
    name, say which part is the document body or a sheet (a hostile one points them at ``xl/other.xml``)."""
    return name.lower().endswith((".xml", ".rels"))


def _inflate_counted(z, info, total: int, kind: str, refuse, counts: dict[str, int]) -> int:
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
        _check_elements(b"".join(chunks), info.filename, kind, refuse, counts)
    return total + size


def _check_elements(xml: bytes, name: str, kind: str, refuse, counts: dict[str, int]) -> None:
    for what, pattern in _ELEMENT.items():
        count = sum(1 for _ in pattern.finditer(xml))
        if count > OFFICE_MAX_ELEMENTS[what]:
            raise refuse(
                f"部件 {name!r} 含 {count} 个{_ELEMENT_CN[what]}，超过上限 {OFFICE_MAX_ELEMENTS[what]}，拒绝读取 ({kind}: too many {what})"
            )
        if what in counts and kind == ".xlsx":
            counts[what] += count
            if counts[what] > OFFICE_MAX_WORKBOOK_CELLS:
                raise refuse(f"工作簿共含超过 {OFFICE_MAX_WORKBOOK_CELLS} 个单元格，拒绝读取 ({kind}: too many cells in all its sheets)")
    if kind == ".xlsx" and name.lower().endswith(".xml"):
        max_rows, max_cols = OFFICE_MAX_SHEET
        for m in _CELL_REF.finditer(xml):
            row, col = int(m[2]), _column_number(m[1].upper())
            if row > max_rows or col > max_cols:
                ref = m[1].decode() + m[2].decode()
                raise refuse(f"工作表单元格 {ref} 超出 {max_rows} 行 × {max_cols} 列，拒绝读取 ({kind}: a cell beyond the sheet cap)")
        _check_merged(xml, kind, refuse)


def _check_merged(xml: bytes, kind: str, refuse) -> None:
    """Refuse merged ranges past the sheet cap, or covering more cells in all than a sheet may hold (openpyxl makes one per cell)."""
    max_rows, max_cols = OFFICE_MAX_SHEET
    covered = 0
    for m in _MERGE_REF.finditer(xml):
        r = _RANGE.fullmatch(m[1].strip())
        if r is None:
            continue  # not a range: openpyxl refuses the sheet itself
        c0, r0 = _column_number(r[1].upper()), int(r[2])
        c1, r1 = (_column_number(r[3].upper()), int(r[4])) if r[3] else (c0, r0)
        if max(r0, r1) > max_rows or max(c0, c1) > max_cols:
            raise refuse(
                f"合并单元格 {m[1].decode(errors='replace')} 超出 {max_rows} 行 × {max_cols} 列，拒绝读取 ({kind}: a merged range beyond the sheet cap)"
            )
        covered += (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
        if covered > OFFICE_MAX_ELEMENTS["sheet cells"]:
            raise refuse(f"合并单元格共覆盖超过 {OFFICE_MAX_ELEMENTS['sheet cells']} 个单元格，拒绝读取 ({kind}: merged ranges too large)")


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
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        tables: list[Table] = []
        budget = [DOCX_MAX_GRID]
        line = 1  # the text line the next paragraph or row starts on (a paragraph's line break makes two)
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
                line += lines[-1].count("\n") + 1
            elif tag == "tbl":
                before = len(lines)
                tables.append(_docx_table(child, document, lines, line, path, budget))
                line += sum(row.count("\n") + 1 for row in lines[before:])
    except InputError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on a damaged package
        raise InputError(f"不是有效的 .docx 文件（文件已损坏） (corrupt .docx: {type(exc).__name__})", file=path) from None
    text = "\n".join(lines)
    if not text.strip():
        raise InputError("文件为空 (empty document)", file=path)
    return text, tuple(tables)


def _docx_table(tbl, parent, lines: list[str], line: int, path: Path, budget: list[int]) -> Table:
    """A .docx table as a rectangular grid, its rows written to ``lines`` as they always were.

    A cell merged across columns (gridSpan) or down rows (vMerge) stands in every position it covers;
    the line of a row gives each of its cells once, tab-joined, a cell's paragraphs joined by a space.
    ``line`` is the text line the table starts on; a row whose cell holds a line break spans two.
    The merges are resolved here in one pass over the rows (not by asking each cell for the one above).
    """
    from docx.text.paragraph import Paragraph

    texts: list[list[str]] = []
    origins: list[list[object]] = []
    above = "\n".join(lines[-3:]).split("\n")[-3:]
    row_lines: list[int] = []
    for tr in tbl.tr_lst:
        row_t, row_o = [""] * tr.grid_before, [None] * tr.grid_before
        for tc in tr.tc_lst:
            col, span = len(row_t), tc.grid_span
            budget[0] -= span
            if col + span > OFFICE_MAX_SHEET[1] or budget[0] < 0:
                raise InputError(
                    f"表格超过 {OFFICE_MAX_SHEET[1]} 列或 {DOCX_MAX_GRID} 个单元格位置，拒绝读取 (.docx: table beyond the cap)", file=path
                )
            if tc.vMerge == "continue" and origins and col < len(origins[-1]) and origins[-1][col] is not None:
                text, origin = texts[-1][col], origins[-1][col]
            else:
                text, origin = " ".join(t for p in tc.p_lst if (t := Paragraph(p, parent).text.strip())), tc
            row_t += [text] * span
            row_o += [origin] * span
        texts.append(row_t)
        origins.append(row_o)
        firsts = {id(o): j for j, o in reversed(list(enumerate(row_o))) if o is not None}
        lines.append("\t".join(row_t[j] for j in sorted(firsts.values())))
        row_lines.append(line)
        line += lines[-1].count("\n") + 1
    grid = Grid(texts, origins).squared()
    k = preamble(grid)
    title, unit = caption(above, grid.texts[:k], head=grid.texts[k : k + 3])
    rows = tuple(tuple(r) for r in grid.texts[k:])
    first = row_lines[k] if k < len(row_lines) else line
    return Table(first, rows, tuple(row_lines[k:]), None, title, unit, "docx")


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


# The shapes of a table typed into a document's text that its layout keeps: a PDF keeps pipes and one cell per
# line (its tabs and runs of spaces are the layout's), a .docx's paragraphs keep their tabs and spaces too.
_PDF_TYPED = ("pipes", "cells")
_DOCX_TYPED = ("pipes", "cells", "tabs", "spaces")


def _with_text_tables(
    tables: tuple[Table, ...], text: str, starts: tuple[int, ...], shapes: tuple[str, ...] = _PDF_TYPED
) -> tuple[Table, ...]:
    """A document's own tables (a PDF's drawn ones, a .docx's Word tables) and, on lines none of them stands on,
    the tables typed into its text, each with its page: a PDF or a .docx whose paragraphs hold a pasted table
    gives the tables the same text gives as .txt."""
    taken = {line for t in tables for line in t.row_lines}
    typed = [
        dataclasses.replace(t, page=bisect.bisect_right(starts, t.line) or None)
        for t in find_tables(text)
        if t.how in shapes and not taken.intersection(t.row_lines)
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
