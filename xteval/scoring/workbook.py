"""The Excel 自评表: write a scored table in the usual layout, and read the same layout back.

Layout (one sheet, ``自评表``):

- row 1: the title; row 2: the framework, its version and source document;
- row 3: the headers 一级指标 | 指标 | 类型 | 指标值 | 完成值 | 分值 | 等级 | 评价人得分 | 得分 | 提示;
- then each 一级指标's rows, its name in one merged cell down column A, closed by a 小计 row;
- then 总分 and 等级 rows.

:func:`read` accepts that layout (the 得分 and 提示 columns are outputs and are
ignored) or a plain sheet whose first row is the English column names
``indicator, level1, kind, target, actual, weight, grade, score``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..money import N
from .table import COLUMNS

__all__ = ["HEADERS", "read", "write"]

# header → table column (None: written for the reader, ignored on reading back)
HEADERS: dict[str, str | None] = {
    "一级指标": "level1",
    "指标": "indicator",
    "类型": "kind",
    "指标值": "target",
    "完成值": "actual",
    "分值": "weight",
    "等级": "grade",
    "评价人得分": "score",
    "得分": None,
    "提示": None,
}
HEADER_ROW = 3
SUBTOTAL, TOTAL, GRADE = "小计", "总分", "等级"
SHEET = "自评表"


def put(ws, row: int, col: int, value: Any):
    """Write one cell: a number as a number, anything else as text, never as a formula.

    openpyxl turns a string that starts with ``=`` into a live formula; a name
    from someone else's file (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``) must
    stay the text it is, so the cell's data type is set to string. Characters a
    workbook cannot hold (NUL and other control characters) are dropped.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row, col)
    if value is None or (isinstance(value, float) and value != value):
        return cell
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        cell.value = value
        return cell
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.data_type = "s"
    return cell


def write(result, path: str | Path) -> Path:
    """Write a :class:`xteval.scoring.engine.ScoreResult` as the Excel 自评表.

    Args:
        result: the scored table (``xteval.scoring.engine.score_table``).
        path: the ``.xlsx`` file to write (written to a temporary file, then renamed).

    Returns:
        The path written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from . import frameworks

    path = Path(path)
    fw = frameworks.get(result.framework)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ncol = len(HEADERS)
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    put(ws, 1, 1, f"绩效自评表（{fw.title}）").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    put(ws, 2, 1, f"评分框架：{fw.name} {fw.version}；依据：{fw.source}")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    for j, h in enumerate(HEADERS, start=1):
        c = put(ws, HEADER_ROW, j, h)
        c.font, c.alignment, c.border = bold, centre, box
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    r = HEADER_ROW + 1
    rows = result.rows
    for level1 in result.level1_weights:
        group = rows[rows["level1"] == level1]
        if group.empty:
            continue
        start = r
        for _, row in group.iterrows():
            values = [
                level1,
                row["indicator"],
                row["kind"],
                row.get("target"),
                row.get("actual"),
                row.get("weight"),
                row.get("grade"),
                row.get("score"),
                row["points"],
                "；".join(row["flags"]),
            ]
            for j, v in enumerate(values, start=1):
                put(ws, r, j, v).border = box
            r += 1
        weight = sum((w for w in group["weight"] if w is not None), Decimal(0))
        for j, v in ((2, SUBTOTAL), (6, weight), (9, result.subtotals.get(level1, "无数据"))):
            put(ws, r, j, v).font = bold
        for j in range(1, ncol + 1):
            ws.cell(r, j).border = box
        ws.merge_cells(start_row=start, start_column=1, end_row=r, end_column=1)
        ws.cell(start, 1).alignment = centre
        r += 1
    put(ws, r, 1, TOTAL).font = bold
    put(ws, r, 6, sum(result.level1_weights.values(), Decimal(0)))
    put(ws, r, 9, result.total).font = bold
    if result.missing:
        put(ws, r, 10, f"{result.missing} 项无数据；可评分值 {result.assessed}")
    put(ws, r + 1, 1, GRADE).font = bold
    put(ws, r + 1, 9, result.grade or "不定级（有无数据项）").font = bold
    for rr in (r, r + 1):
        for j in range(1, ncol + 1):
            ws.cell(rr, j).border = box
    for j, width in enumerate((12, 34, 12, 10, 10, 8, 10, 10, 8, 30), start=1):
        ws.column_dimensions[chr(64 + j)].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"无法写入 (cannot write: {exc.strerror})", file=path) from None
    return path


def _num(v: Any) -> Any:
    """A number cell as an exact Decimal (openpyxl reads numbers as int or float); text stays text."""
    return N(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


def read(path: str | Path) -> pd.DataFrame:
    """Read a 自评表 (or a plain sheet with the English columns) into a scoring table.

    Args:
        path: an ``.xlsx`` file.

    Returns:
        A DataFrame with the ``xteval.scoring.table.COLUMNS``; ``attrs["rows"]`` holds each row's sheet row number.

    Raises:
        InputError: not a readable workbook, or the headers are not the expected ones
            (the message names the row and the column).
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(f"不是可读的 xlsx 文件 ({type(exc).__name__})", file=path) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    if not grid:
        raise InputError("工作表为空 (empty sheet)", file=path)
    first = [str(v).strip() if v is not None else "" for v in grid[0]]
    if first and first[0] in COLUMNS:
        header_row, names = 1, first
        mapping = {h: h for h in COLUMNS}
    else:
        header_row = HEADER_ROW
        if len(grid) < HEADER_ROW:
            raise InputError("找不到表头行 (no header row)", file=path, row=HEADER_ROW)
        names = [str(v).strip() if v is not None else "" for v in grid[HEADER_ROW - 1]]
        mapping = HEADERS
    expected = list(mapping)
    for j, want in enumerate(expected):
        got = names[j] if j < len(names) else ""
        if got != want:
            raise InputError(
                f"列名应为 {want!r}，实为 {got!r} (wrong columns; expected {', '.join(expected)})",
                file=path,
                row=header_row,
                field=f"{get_column_letter(j + 1)} 列",
            )
    records, numbers = [], []
    level1 = None
    for i, values in enumerate(grid[header_row:], start=header_row + 1):
        row = dict(zip(expected, values, strict=False))
        if all(v is None for v in values):
            continue
        if mapping is HEADERS:
            if row["一级指标"] in (TOTAL, GRADE):
                break
            if row["指标"] == SUBTOTAL:
                continue
            level1 = row["一级指标"] if row["一级指标"] is not None else level1  # merged cells: only the first holds the name
            row["一级指标"] = level1
        rec = {mapping[h]: _num(v) for h, v in row.items() if mapping[h] is not None}
        records.append({c: rec.get(c) for c in COLUMNS})
        numbers.append(i)
    df = pd.DataFrame(records, columns=list(COLUMNS), dtype=object)
    df.attrs["rows"] = numbers
    return df
