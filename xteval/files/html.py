"""Saved web pages (.html, .htm): most 决算公开 is published so.

The page is decoded by its own charset (a BOM, ``<meta charset>``, else UTF-8 or GB18030 as plain text),
parsed by lxml's HTML parser with no network and no huge trees, and walked once: block elements become
lines, scripts, styles and comments are dropped, entities are decoded. Each ``<table>`` becomes one grid
(:class:`~xteval.files.grids.Grid`, rowspan and colspan resolved) written as one line per row; a table
that holds another table (a page laid out with tables) is read as blocks, each inner table as its own.

A hostile page is refused before or while it is read: entity declarations, more than
:data:`HTML_MAX_ELEMENTS` elements or :data:`HTML_MAX_TABLES` tables, nesting deeper than
:data:`HTML_MAX_DEPTH` (tables deeper than :data:`HTML_MAX_TABLE_DEPTH`), a span over the caps, or a
table reaching past :data:`HTML_MAX_COLS` columns or :data:`HTML_MAX_CELLS` positions in all.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import InputError
from .grids import Grid, Placed, check_extent, place
from .inputs import plain_text

HTML_MAX_ELEMENTS = 500_000  # a 决算公开 page with its eight or nine forms has some tens of thousands
HTML_MAX_TABLES = 2_000  # tables on one page (the forms, a layout): a page of 100,000 tiny tables is refused
HTML_MAX_DEPTH = 200  # elements inside one another (libxml2 stops at 256 and drops the rest)
HTML_MAX_TABLE_DEPTH = 12  # tables inside tables: layouts nest three or four
HTML_MAX_COLS = 1_000  # columns of one table (a browser's colspan cap too)
HTML_MAX_ROWSPAN = 65_534  # a browser's rowspan cap; a rowspan past the table's end stops at its end
HTML_MAX_CELLS = 2_000_000  # grid positions of all the tables of a page, merged cells counted in each position
LAYOUT_LINES = 12  # a cell with more block lines than this holds a page's content, not a figure

_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary ul".split()
)
_SKIP = frozenset("script style noscript template head title iframe object embed svg math select textarea button".split())
_CELL = frozenset(("td", "th"))
_SECTION = frozenset(("thead", "tbody", "tfoot"))
_META = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE)
_ENTITY_DECL = re.compile(r"<!ENTITY|<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_XML_DECL = re.compile(r"^[\ufeff\s]*<\?xml[^>]{0,400}\?>")
_TABLE_TAG = re.compile(r"<table[\s>/]", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\u00a0\u3000]+")
_GB = frozenset(("gb2312", "gbk", "gb18030", "x-gbk", "cp936", "hz-gb-2312", "x-euc-cn", "euc-cn"))


def html_text(path: Path, data: bytes) -> tuple[str, list[Placed]]:
    """A saved web page's text (one line per block, one line per table row) and its tables.

    Raises:
        InputError: not text, entity declarations, or past a cap (see the module); one line naming the file.
    """
    from lxml import etree

    text = decode_page(path, data)
    if _ENTITY_DECL.search(text):
        raise InputError("含实体声明（<!ENTITY> 或 DOCTYPE 内部子集），拒绝读取 (entity declarations are refused)", file=path)
    text = _XML_DECL.sub("", text, count=1)  # an XHTML page's <?xml encoding=…?>: the text is decoded already
    elements = text.count("<") - text.count("</")  # tags opened, or a little more (a bare < in the text)
    if elements > HTML_MAX_ELEMENTS:
        raise InputError(f"网页含 {elements} 个元素，超过上限 {HTML_MAX_ELEMENTS}，拒绝读取 (too many elements)", file=path)
    tables = sum(1 for _ in _TABLE_TAG.finditer(text))
    if tables > HTML_MAX_TABLES:
        raise InputError(f"网页含 {tables} 个表格，超过上限 {HTML_MAX_TABLES}，拒绝读取 (too many tables)", file=path)
    parser = etree.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True, recover=True)
    try:
        root = etree.fromstring(text, parser=parser)
    except Exception as exc:  # lxml raises ParserError, ValueError (nothing to parse) and others on junk
        raise InputError(f"不是有效的网页文件（无法解析） (unreadable HTML: {type(exc).__name__})", file=path) from None
    if any("depth" in str(e.message).lower() or "RESOURCE_LIMIT" in str(e.type_name) for e in parser.error_log):
        raise InputError(f"网页元素嵌套超过 {HTML_MAX_DEPTH} 层，拒绝读取 (nesting too deep)", file=path)
    if root is None:
        raise InputError("文件为空（网页中没有文字） (empty page)", file=path)
    etree.strip_elements(root, *_SKIP, with_tail=False)
    _mark_blocks(root)
    walker = _Walker(path, _holding_tables(root))
    walker.block(root, 0, 0)
    walker.flush()
    out = "\n".join(walker.lines)
    if not out.strip():
        raise InputError("文件为空（网页中没有文字） (empty page)", file=path)
    return out, walker.tables


def decode_page(path: Path, data: bytes) -> str:
    """A page's text in the charset it declares (BOM, then ``<meta charset>``), else as a plain-text report is decoded."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decoded(path, data, enc)
    m = _META.search(data[:8192])
    if m:
        name = m[1].decode("ascii").lower()
        if name in _GB:
            return _decoded(path, data, "gb18030")
        try:
            enc = codecs.lookup(name).name
        except LookupError:
            enc = ""
        if enc in ("utf-8", "big5", "big5hkscs", "cp950", "iso8859-1", "cp1252", "ascii"):
            return _decoded(path, data, "cp1252" if enc in ("iso8859-1", "ascii") else enc)  # as browsers read latin-1
    return plain_text(data, path)[0]


def _decoded(path: Path, data: bytes, enc: str) -> str:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return plain_text(data, path)[0]  # the declaration is wrong: the bytes decide, as for a text report
    if "\x00" in text:
        raise InputError("含 NUL 字符，是二进制文件而不是网页 (binary file: NUL)", file=path)
    return text


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


_BREAK = "\ue000"  # a private-use character marking where a block or <br> breaks the text into lines


def _mark_blocks(root) -> None:
    """Mark each block element's edges and each <br> with :data:`_BREAK`, so a subtree's text splits into its lines."""
    for el in root.iter(*_BLOCK, "br"):
        el.text = _BREAK + (el.text or "")
        el.tail = _BREAK + (el.tail or "")


def _holding_tables(root) -> set:
    """The tables and every element that holds one: the only elements walked one by one, the rest read as text."""
    held: set = set()
    for table in root.iter("table"):
        el = table
        while el is not None and el not in held:
            held.add(el)
            el = el.getparent()
    return held


def _cell_lines(cell) -> list[str]:
    """A cell's lines (a cell holds no table here): its text alone, as most cells are, or its blocks' text."""
    if not len(cell):
        line = _SPACE.sub(" ", cell.text or "").strip()
        return [line] if line else []
    return _lines("".join(cell.itertext()))


def _lines(text: str) -> list[str]:
    return [line for part in text.split(_BREAK) if (line := _SPACE.sub(" ", part).strip())]


class _Walker:
    """One pass over the page: lines of text, and each table placed among them."""

    def __init__(self, path: Path, held: set):
        self.path = path
        self.held = held
        self.lines: list[str] = []
        self.tables: list[Placed] = []
        self.inline: list[str] = []
        self.cells = 0

    def flush(self) -> None:
        self.lines += _lines("".join(self.inline))
        self.inline = []

    def block(self, el, depth: int, tables: int) -> None:
        """Walk an element: a table as a grid, an element holding one child by child, any other as its text."""
        if depth > HTML_MAX_DEPTH:
            raise InputError(f"网页元素嵌套超过 {HTML_MAX_DEPTH} 层，拒绝读取 (nesting too deep)", file=self.path)
        if el not in self.held:
            self.inline += [*el.itertext(), el.tail or ""]
            return
        if _tag(el) == "table":
            self.flush()
            self.table(el, depth, tables + 1)
        else:
            self.inline.append(el.text or "")
            for child in el:
                self.block(child, depth + 1, tables)
        self.inline.append(el.tail or "")

    def table(self, el, depth: int, tables: int) -> None:
        if tables > HTML_MAX_TABLE_DEPTH:
            raise InputError(f"表格嵌套超过 {HTML_MAX_TABLE_DEPTH} 层，拒绝读取 (tables nested too deep)", file=self.path)
        if next(el.iterdescendants("table"), None) is not None:
            self.layout(el, depth, tables)  # a table that lays out the page (it holds tables): its cells are blocks
            return
        cells = [[c for c in row if _tag(c) in _CELL] for row in _rows(el)]
        texts = [[_cell_lines(c) for c in row] for row in cells]
        if any(len(t) > LAYOUT_LINES for row in texts for t in row):
            self.layout(el, depth, tables)  # a cell holding a page's paragraphs: read as blocks
            return
        caption = next((c for c in el if _tag(c) == "caption"), None)
        explicit = " ".join(_lines("".join(caption.itertext()))) if caption is not None else ""
        if explicit:
            self.lines.append(explicit)
        spans = (
            (_span(c, "colspan", HTML_MAX_COLS, self.path), _span(c, "rowspan", HTML_MAX_ROWSPAN, self.path)) for row in cells for c in row
        )
        grid = self.grid([[" ".join(t) for t in row] for row in texts], spans)
        placed = place(grid, self.lines, explicit)
        if placed is not None:
            self.tables.append(placed)

    def layout(self, el, depth: int, tables: int) -> None:
        for row in _rows(el):
            for cell in row:
                if _tag(cell) in _CELL:
                    self.flush()
                    self.block(cell, depth + 2, tables)
                    self.flush()

    def grid(self, texts: list[list[str]], spans) -> Grid:
        """The rectangular grid of a table's cells, a rowspan or colspan repeated in each position it covers."""
        n = len(texts)
        out_t: list[list[str]] = [[] for _ in range(n)]
        out_o: list[list[object]] = [[] for _ in range(n)]
        for r, row in enumerate(texts):
            col, row_t, row_o = 0, out_t[r], out_o[r]
            for k, text in enumerate(row):
                colspan, rowspan = next(spans)
                while col < len(row_t) and row_o[col] is not None:
                    col += 1  # a position a rowspan from above fills
                check_extent(n, col + colspan, self.path, "网页表格", HTML_MAX_ROWSPAN, HTML_MAX_COLS)
                down = min(rowspan, n - r)
                self.cells += colspan * down
                if self.cells > HTML_MAX_CELLS:
                    raise InputError(f"网页表格共超过 {HTML_MAX_CELLS} 个单元格位置，拒绝读取 (too many table cells)", file=self.path)
                if down == colspan == 1 and col == len(row_t):
                    row_t.append(text)  # a plain cell, as most are
                    row_o.append((r, k))
                else:
                    for i in range(r, r + down):
                        _put(out_t[i], out_o[i], col, colspan, text, (r, k))
                col += colspan
        return Grid(out_t, out_o)


def _put(texts: list[str], origins: list[object], col: int, span: int, text: str, origin: object) -> None:
    if len(texts) < col + span:
        texts.extend([""] * (col + span - len(texts)))
        origins.extend([None] * (col + span - len(origins)))
    for j in range(col, col + span):
        texts[j], origins[j] = text, origin


def _rows(table):
    """A table's own rows: its ``<tr>`` children and those of its thead/tbody/tfoot, never a nested table's."""
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child
        elif tag in _SECTION:
            yield from (tr for tr in child if _tag(tr) == "tr")


def _span(cell, name: str, cap: int, path: Path) -> int:
    raw = cell.get(name)
    if raw is None:
        return 1
    digits = re.match(r"\s*(\d{1,12})", raw)
    value = int(digits[1]) if digits else 1
    if value > cap:
        raise InputError(f"表格单元格 {name}={value} 超过上限 {cap}，拒绝读取 ({name} beyond the cap)", file=path)
    return max(value, 1)
