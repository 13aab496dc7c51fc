"""A workbook of plain rows (text and whole numbers), written as it streams: an intake's export of every finding.

openpyxl builds a cell object for each value, 15–20 µs apiece: the export of a year's findings (a dozen rows of
nine cells a document) cost it more than writing the documents' own pages. Rows of text need none of that. Each
sheet's XML is written row by row into the zip, so memory stays flat whatever the count of rows.

Every text is an inline string (``t="inlineStr"``): a cell holds no formula, whatever its text begins with, so
someone else's ``=HYPERLINK(…)`` stays text. Characters XML cannot hold (C0 controls, lone surrogates) are
dropped, and a text is cut to what a cell holds. The 10号 workbook, with its formulas and styles, stays with
openpyxl (:mod:`xteval.scoring.workbook`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

CELL_MAX = 32_000  # characters: a cell holds 32,767
SHEET_ROWS = 1_048_576  # rows a spreadsheet program shows of a sheet (Excel and LibreOffice alike)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_STYLES = (  # the one default style a spreadsheet program expects to find
    f'{_HEAD}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


@dataclass(frozen=True)
class Sheet:
    """A sheet's name, its column widths (in characters) and its rows; the first row is the header, kept in view."""

    name: str
    widths: Sequence[float]
    rows: Iterable[Sequence[str | int | None]]


def column_letters(index: int) -> str:
    """A, B, … Z, AA… for a 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: object) -> str:
    """A value as a cell's text: what XML cannot hold dropped, cut to :data:`CELL_MAX` characters."""
    return _NOT_XML.sub("", str(value))[:CELL_MAX]


def _cell(ref: str, value: str | int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(cell_text(value))}</t></is></c>'


def _sheet_xml(sheet: Sheet, out) -> None:
    """The sheet's XML into ``out`` (a binary stream), a few hundred rows at a time."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(sheet.widths, 1))
    view = '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    out.write(f'{_HEAD}<worksheet xmlns="{_MAIN}">{view}{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'.encode())
    letters: list[str] = []
    batch: list[str] = []
    for r, row in enumerate(sheet.rows, 1):
        while len(letters) < len(row):
            letters.append(column_letters(len(letters)))
        cells = "".join(_cell(f"{letters[c]}{r}", v) for c, v in enumerate(row) if v is not None)
        batch.append(f'<row r="{r}">{cells}</row>')
        if len(batch) >= 500:
            out.write("".join(batch).encode())
            batch = []
    out.write(("".join(batch) + "</sheetData></worksheet>").encode())


def write_rows(path: str | Path, sheets: Sequence[Sheet]) -> None:
    """Write the sheets as an .xlsx at ``path`` (a private temporary path: see :func:`~xteval.files.write_with`)."""
    n = range(1, len(sheets) + 1)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE}.worksheet+xml"/>' for i in n)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            f'{_HEAD}<Types xmlns="{_PKG}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>{overrides}</Types>',
        )
        book.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        names = "".join(
            f'<sheet name={quoteattr(cell_text(s.name)[:31])} sheetId="{i}" r:id="rId{i}"/>' for i, s in zip(n, sheets, strict=True)
        )
        book.writestr("xl/workbook.xml", f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>{names}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_DOC}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in n)
        styles = f'<Relationship Id="rId{len(sheets) + 1}" Type="{_DOC}/styles" Target="styles.xml"/>'
        book.writestr("xl/_rels/workbook.xml.rels", f'{_HEAD}<Relationships xmlns="{_PKG}/relationships">{rels}{styles}</Relationships>')
        book.writestr("xl/styles.xml", _STYLES)
        for i, sheet in zip(n, sheets, strict=True):
            with book.open(f"xl/worksheets/sheet{i}.xml", "w") as out:
                _sheet_xml(sheet, out)
