"""Workbooks (.xlsx, .xls): 决算 tables are often published as spreadsheets.

Each sheet with text becomes one grid (merged ranges resolved: the value stands in every position the
range covers), its title the first title row (收入支出决算总表, merged across the sheet) or else the sheet's
name, its unit from a ``单位：元`` cell; the document's text is the sheets' rows as tab-joined lines. Values
read as they are displayed: a number keeps its exact decimal (``Decimal(repr(v))``, never float
arithmetic), shown with the places, thousands separators and per cent its number format gives; a formula
gives the value the workbook saved with it (never evaluated).

.xlsx is read by openpyxl from bytes that :func:`~xteval.files.documents.check_office_zip` has inflated
and capped first; .xls (an OLE2 compound file, told from a .doc by its ``Workbook`` stream) by xlrd.
Sheets, rows, columns and cells are capped; a corrupt or encrypted workbook is one line.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from ..errors import InputError
from .grids import Grid, Placed, place

WORKBOOK_MAX_SHEETS = 200  # a 决算公开 workbook has its eight or nine forms, one a sheet
WORKBOOK_MAX_CELLS = 2_000_000  # grid positions of all sheets (rows × columns each, from A1 to the last value)
_DEFAULT_SHEET = re.compile(r"^\s*(?:sheet|工作表)\s*\d*\s*$", re.IGNORECASE)
_PLACES = re.compile(r"0\.(0+)")
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # quoted text, escapes, [Red]/[$-804], padding in a number format


def corrupt(path: Path, kind: str, why: str = "") -> InputError:
    detail = f": {why}" if why else ""
    return InputError(f"不是有效的 {kind} 文件（文件已损坏） (corrupt {kind}{detail})", file=path)


def number_text(value: Decimal, fmt: str | None) -> str:
    """A number as its format shows it: ``#,##0.00`` → ``12,345.60``, ``0.0%`` → ``95.0%``; General → its exact digits."""
    section = _LITERAL.sub("", (fmt or "General").split(";")[0])
    if section.strip().lower() in ("general", "@", "") or not re.search(r"[0#?]", section):
        return plain_number(value)
    percent = "%" in section
    if percent:
        value = value * 100
    m = _PLACES.search(section)
    places = len(m[1]) if m else 0
    try:
        q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: shown as they are
        return plain_number(value)
    text = f"{q:,.{places}f}" if "," in section else f"{q:.{places}f}"
    return text + ("%" if percent else "")


def plain_number(value: Decimal) -> str:
    """A number's exact digits, no exponent: 1234.0 → ``1234``, 0.1 → ``0.1``."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}" if abs(value) < Decimal("1e30") else f"{value:f}"
    return f"{value.normalize():f}"


def display(value: object, fmt: str | None) -> str:
    """A cell's value as text: numbers exact as displayed, dates as ISO dates, text stripped of its line breaks."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        try:
            number = value if isinstance(value, Decimal) else Decimal(repr(value))
        except InvalidOperation:
            return str(value)
        return str(value) if not number.is_finite() else number_text(number, fmt)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return " ".join(str(value).split())


def sheet_table(name: str, grid: Grid, lines: list[str]) -> Placed | None:
    """Place one sheet's grid in the workbook's lines: its title row, or its name when it has none, then its rows."""
    fallback = "" if _DEFAULT_SHEET.match(name) else " ".join(name.split())
    return place(grid, lines, fallback=fallback, above=False)


def check_cells(path: Path, kind: str, rows: int, cols: int, total: int) -> int:
    """Count a sheet's grid positions against :data:`WORKBOOK_MAX_CELLS`; returns the new total."""
    total += rows * cols
    if total > WORKBOOK_MAX_CELLS:
        raise InputError(
            f"工作簿单元格共超过 {WORKBOOK_MAX_CELLS} 个（从 A1 到最后一个有值的单元格），拒绝读取 ({kind}: too many cells)", file=path
        )
    return total


# --------------------------------------------------------------------------- .xlsx


def xlsx_text(path: Path, data: bytes, cap: tuple[int, int]) -> tuple[str, list[Placed]]:
    """An .xlsx workbook's text (a line per sheet title, a line per row) and one table per sheet with text.

    ``data`` has passed :func:`~xteval.files.documents.check_office_zip` (no zip bomb, no cell or merged
    range past the sheet cap); ``cap`` is that cap (rows, columns), held again for each sheet read.
    """
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # openpyxl warns of what it drops (data validation, slicers): not the reader's concern
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a package that is not a workbook
        raise corrupt(path, ".xlsx", type(exc).__name__) from None
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "merged_cells")]  # chart sheets hold no cells
    if len(sheets) > WORKBOOK_MAX_SHEETS:
        raise InputError(f"工作簿有 {len(sheets)} 个工作表，超过上限 {WORKBOOK_MAX_SHEETS}，拒绝读取 (.xlsx: too many sheets)", file=path)
    lines: list[str] = []
    tables: list[Placed] = []
    total = 0
    for ws in sheets:
        rows, cols = _xlsx_extent(ws)
        if rows > cap[0] or cols > cap[1]:
            raise InputError(f"工作表 {ws.title} 超出 {cap[0]} 行 × {cap[1]} 列，拒绝读取 (.xlsx: sheet cap)", file=path)
        total = check_cells(path, ".xlsx", rows, cols, total)
        placed = sheet_table(ws.title, _xlsx_grid(ws, rows, cols), lines)
        if placed is not None:
            tables.append(placed)
    return _text(path, lines), tables


def _xlsx_extent(ws) -> tuple[int, int]:
    """The last row and column holding a value: cells that only carry a border or a fill reach no further."""
    rows = cols = 0
    for (r, c), cell in ws._cells.items():  # the cells the sheet wrote (openpyxl's store): a sheet is never walked blank
        if cell.value is not None and cell.value != "":
            rows, cols = max(rows, r), max(cols, c)
    return rows, cols


def _xlsx_grid(ws, rows: int, cols: int) -> Grid:
    texts = [[""] * cols for _ in range(rows)]
    origins: list[list[object]] = [[(r, c) for c in range(cols)] for r in range(rows)]
    for (r, c), cell in ws._cells.items():
        if cell.value is not None and r <= rows and c <= cols:
            texts[r - 1][c - 1] = display(cell.value, cell.number_format)
    for rng in ws.merged_cells.ranges:
        r0, c0 = rng.min_row - 1, rng.min_col - 1
        text = texts[r0][c0] if r0 < rows and c0 < cols else ""
        for r in range(r0, min(rng.max_row, rows)):
            for c in range(c0, min(rng.max_col, cols)):
                texts[r][c], origins[r][c] = text, ("merged", r0, c0)
    return Grid(texts, origins)


def _text(path: Path, lines: list[str]) -> str:
    text = "\n".join(lines)
    if not text.strip():
        raise InputError("工作簿为空（没有有值的单元格） (empty workbook)", file=path)
    return text


# --------------------------------------------------------------------------- .xls


def ole_streams(data: bytes) -> set[str]:
    """The stream names of an OLE2 compound file (``Workbook``, ``WordDocument``, ``EncryptedPackage``…); empty when unreadable."""
    from xlrd.compdoc import CompDoc

    try:
        doc = CompDoc(data, logfile=io.StringIO())
        return {d.name for d in doc.dirlist if d.name}
    except Exception:  # a damaged directory: the caller says what the file is not
        return set()


def xls_text(path: Path, data: bytes, cap: tuple[int, int]) -> tuple[str, list[Placed]]:
    """An .xls workbook's text and one table per sheet with text (xlrd; merged cells need its formatting info); ``cap`` as for .xlsx."""
    import xlrd

    try:
        book = _open_xls(data)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise InputError("是加密的 .xls，请去除密码后另存 (encrypted .xls)", file=path) from None
        raise corrupt(path, ".xls", type(exc).__name__) from None
    except Exception as exc:  # a truncated or damaged file raises many kinds
        raise corrupt(path, ".xls", type(exc).__name__) from None
    try:
        if book.nsheets > WORKBOOK_MAX_SHEETS:
            raise InputError(
                f"工作簿有 {book.nsheets} 个工作表，超过上限 {WORKBOOK_MAX_SHEETS}，拒绝读取 (.xls: too many sheets)", file=path
            )
        lines: list[str] = []
        tables: list[Placed] = []
        total = 0
        for i in range(book.nsheets):
            sheet = _xls_sheet(book, i, path)
            rows, cols = _xls_extent(sheet)
            if rows > cap[0] or cols > cap[1]:
                raise InputError(f"工作表 {sheet.name} 超出 {cap[0]} 行 × {cap[1]} 列，拒绝读取 (.xls: sheet cap)", file=path)
            total = check_cells(path, ".xls", rows, cols, total)
            placed = sheet_table(sheet.name, _xls_grid(book, sheet, rows, cols), lines)
            if placed is not None:
                tables.append(placed)
    finally:
        book.release_resources()
    return _text(path, lines), tables


def _open_xls(data: bytes):
    """The workbook with its formatting (merged cells need it); a BIFF version xlrd reads no formatting of, without."""
    import xlrd

    options = {"file_contents": data, "on_demand": True, "ragged_rows": True, "logfile": io.StringIO(), "verbosity": 0}
    try:
        return xlrd.open_workbook(formatting_info=True, **options)
    except NotImplementedError:
        return xlrd.open_workbook(formatting_info=False, **options)


def _xls_sheet(book, index: int, path: Path):
    try:
        return book.sheet_by_index(index)
    except Exception as exc:  # a sheet's records damaged
        raise corrupt(path, ".xls", type(exc).__name__) from None


def _xls_extent(sheet) -> tuple[int, int]:
    """The last row and column holding a value (a blank cell with only its formatting reaches no further)."""
    rows = cols = 0
    for r in range(sheet.nrows):
        types = sheet.row_types(r)  # ragged: as long as the row's last written cell
        last = next((c + 1 for c in range(len(types) - 1, -1, -1) if types[c] not in _NO_VALUE), 0)
        if last:
            rows, cols = r + 1, max(cols, last)
    return rows, cols


_NO_VALUE = (0, 6, 5)  # xlrd's XL_CELL_EMPTY, XL_CELL_BLANK, XL_CELL_ERROR


def _xls_grid(book, sheet, rows: int, cols: int) -> Grid:
    texts = [[""] * cols for _ in range(rows)]
    origins: list[list[object]] = [[(r, c) for c in range(cols)] for r in range(rows)]
    for r in range(rows):
        for c, cell in enumerate(sheet.row_slice(r, 0, min(cols, sheet.row_len(r)))):
            if cell.ctype not in _NO_VALUE:
                texts[r][c] = _xls_value(book, sheet, r, c, cell)
    for r0, r1, c0, c1 in sheet.merged_cells:
        text = texts[r0][c0] if r0 < rows and c0 < cols else ""
        for r in range(r0, min(r1, rows)):
            for c in range(c0, min(c1, cols)):
                texts[r][c], origins[r][c] = text, ("merged", r0, c0)
    return Grid(texts, origins)


def _xls_value(book, sheet, r: int, c: int, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return display(bool(cell.value), None)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return display(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode), None)
        except Exception:  # a date outside the calendar: its number
            return display(cell.value, None)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        fmt = None
        try:
            fmt = book.format_map[book.xf_list[sheet.cell_xf_index(r, c)].format_key].format_str
        except (IndexError, KeyError, AttributeError):
            pass
        return display(cell.value, fmt)
    return display(cell.value, None)
