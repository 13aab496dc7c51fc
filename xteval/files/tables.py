"""Tables pasted into a text: pipe rows, tab rows, aligned columns, and one cell per line.

A table reaches a plain text in a few shapes, all seen in published texts:

* **pipes**: ``cell | cell | cell |`` one row a line; a merged cell shows as an empty cell (``||``);
* **tabs**: a table pasted from Word or Excel, cells separated by a tab;
* **spaces**: columns aligned with runs of spaces (the columns are where no row has a character);
* **cells**: a web page's table flattened one cell per line, each cell ending with ``|`` (or followed by
  a line holding only ``|``; a line ``|||`` is three empty cells). The rows are found from the
  structure: the header cells stand before the first row label, and a row is a label followed by
  figures, so the column count is the header's or the period at which labels recur, whichever
  gives every row the same shape. A block whose rows do not keep one shape is not a table.

Each table is a :class:`~xteval.files.documents.Table` with the 1-based text line of each row, the
short caption above it (``title``) and the unit it states (``unit``). One pass over the lines, and a
bounded amount of work per line: a 10 MB text is read in about a second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .words import words

MAX_ROW_CHARS = 2_000  # a longer line is prose, never a table row
MAX_PERIOD = 40  # columns a one-cell-per-line table may have
MAX_ALIGNED_ROWS = 5_000  # a longer block of aligned lines is not read as one table (a report's tables have some dozens)
MAX_HEADER = 3  # header rows a one-cell-per-line table may have
TYPE_ROWS = 6  # the rows of a one-cell-per-line table that decide whether a column holds figures or words
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
_GAP = re.compile("[ \u3000]{2,}|\u3000")  # what separates aligned cells: two spaces, or one full-width space


@dataclass(frozen=True)
class Table:
    """A table as a document gives it: a grid of cell texts, and where each row stands in the document's text.

    Every format gives its tables in this one shape (a .docx or HTML table, a workbook sheet, a PDF's
    ruled or aligned table, a table pasted into a text with pipes, tabs or one cell per line), so the
    readers of tables (:mod:`xteval.audit.tables`) never ask where a table came from. The grid is
    rectangular: a merged cell's text stands in every position it covers, so a column's header path
    and a row's label read the same whatever the merging.
    """

    line: int  # 1-based line of the first row, in :attr:`SourceDocument.text`
    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...] = ()  # the 1-based line of each row in the text (empty: ``line + i``)
    page: int | None = None  # the 1-based page of the first row, where the format has pages
    title: str = ""  # the caption just above the table (收入支出决算总表), when there is one
    unit: str = ""  # the unit the table states (单位：万元 → 万元; 元), empty when it states none
    how: str = ""  # where it came from: docx, html, xlsx, xls, pdf, pipes, tabs, spaces (aligned columns), cells

    def line_of(self, row: int) -> int:
        """The 1-based text line of a 0-based row."""
        return self.row_lines[row] if row < len(self.row_lines) else self.line + row

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class _Grid:
    """A table found, before its caption is looked up."""

    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]  # 0-based
    how: str
    title: str = ""
    unit: str = ""


def find_tables(text: str) -> tuple[Table, ...]:
    """Every table pasted into ``text``, in order (see the module's docstring for the shapes read)."""
    if not text or not any(c in text for c in ("|", "\t", "  ", "\u3000")):
        return ()
    lines = text.split("\n")
    kinds = [_kind(line) for line in lines]
    out = []
    for grid in _grids(lines, kinds):
        rows = _rectangular(grid.rows)
        title, unit = _caption(lines, kinds, grid.row_lines[0])
        header_unit = _header_unit(rows[:2])
        out.append(
            Table(
                line=grid.row_lines[0] + 1,
                rows=rows,
                row_lines=tuple(i + 1 for i in grid.row_lines),
                title=grid.title or title,
                unit=grid.unit or unit or header_unit,
                how=grid.how,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- lines


def _kind(line: str) -> str:
    """What a line can be in a table: pipe (a row of cells), cell (one cell ending with ``|``), bar (only ``|``),
    tab (two cells or more), tabweak (one cell and tabs), spaced (cells apart by a run of spaces), blank, plain."""
    if "|" not in line and "\t" not in line and "  " not in line and "\u3000" not in line:
        return "plain" if line and not line.isspace() else "blank"
    if len(line) > MAX_ROW_CHARS:
        return "plain"
    s = line.strip()
    if not s:
        return "blank"
    if "|" in s:
        if not s.strip("| "):
            return "bar"
        body = s[1:] if s.startswith("|") else s
        body = body[:-1] if body.endswith("|") else body
        return "pipe" if "|" in body else "cell"
    if "\t" in line:
        cells = [c for c in line.split("\t") if c.strip()]
        if len(cells) >= 2:
            return "tab"
        return "tabweak" if "\t" in line.lstrip("\t ") else "plain"
    body = s.strip("\u3000 ")
    if _GAP.search(body):
        return "spaced"
    return "plain"


def _grids(lines: list[str], kinds: list[str]):
    """The tables of a text, one block of lines of one shape at a time."""
    n, i = len(lines), 0
    while i < n:
        k = kinds[i]
        if k == "pipe":
            j = _run(kinds, i, {"pipe"}, {"cell", "bar"})
            yield from _pipe_grid(lines, range(i, j))
        elif k == "tab":
            j = _run(kinds, i, {"tab"}, {"tabweak"})
            yield from _split_grid(lines, range(i, j), "tab")
        elif k == "spaced":
            j = _run(kinds, i, {"spaced"}, {"plain"}, weak_ok=lambda m: _short_label(lines[m]))
            if j - i <= MAX_ALIGNED_ROWS:
                yield from _spaced_grid(lines, range(i, j))
        elif k in ("cell", "bar") or (k == "plain" and _bar_next(kinds, i)):
            j = i + 1
            while j < n and (kinds[j] in ("cell", "bar", "blank") or (kinds[j] == "plain" and _bar_next(kinds, j))):
                j += 1
            while j > i and kinds[j - 1] == "blank":
                j -= 1
            yield from _cell_grids(lines, range(i, j))
        else:
            j = i + 1
        i = max(j, i + 1)


def _run(kinds: list[str], i: int, strong: set[str], weak: set[str], weak_ok=None) -> int:
    """The end of a block: strong lines, with weak ones between them (never at its end)."""
    n, j, end = len(kinds), i, i
    while j < n and (kinds[j] in strong or (kinds[j] in weak and (weak_ok is None or weak_ok(j)))):
        j += 1
        if kinds[j - 1] in strong:
            end = j
    return end


def _bar_next(kinds: list[str], i: int) -> bool:
    """A plain line is a cell when the next line that is not blank holds only ``|`` and the line after that is not a
    cell ending with its own ``|`` (there the bar opens a row, and the plain line above is a caption)."""
    if kinds[i] != "plain":
        return False
    j = i + 1
    while j < len(kinds) and kinds[j] == "blank":
        j += 1
    return j < len(kinds) and kinds[j] == "bar" and (j + 1 == len(kinds) or kinds[j + 1] != "cell")


def _short_label(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 24 and "。" not in s


# --------------------------------------------------------------------------- cells


def is_figure(cell: str) -> bool:
    """A cell that holds a figure, or stands where one would (empty, a dash, 无)."""
    c = cell.strip()
    return not c or c in words().value_words or words().figure.fullmatch(c) is not None


def _is_number(cell: str) -> bool:
    return words().figure.fullmatch(cell.strip()) is not None


def _meaningful(cell: str) -> bool:
    return any(ch.isalnum() for ch in cell)


def _rectangular(rows: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    width = max((len(r) for r in rows), default=0)
    return tuple(tuple(r) + ("",) * (width - len(r)) for r in rows)


def _pipe_cells(line: str, framed: bool) -> list[str]:
    s = line.strip()
    s = s[1:] if framed and s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [c.strip() for c in s.split("|")]


def _pipe_grid(lines: list[str], span: range):
    """Pipe rows: caption rows (one meaningful cell, or a unit) at the top become the title and unit, notes at the end go."""
    rows, at = [], []
    framed = all(lines[i].lstrip().startswith("|") for i in span)  # | a | b | (Markdown); else a leading | is an empty cell
    for i in span:
        cells = _pipe_cells(lines[i], framed)
        if all(set(c) <= set("-:= ") for c in cells):
            continue  # a Markdown rule |---|---|
        rows.append(cells)
        at.append(i)
    yield from _trimmed(rows, at, "pipes")


def _split_grid(lines: list[str], span: range, _how: str):
    rows = [[c.strip() for c in lines[i].split("\t")] for i in span]
    yield from _trimmed(rows, list(span), "tabs")


def _trimmed(rows: list[list[str]], at: list[int], how: str):
    """A block of rows without its caption rows above and its notes below; a table if two rows and two columns remain."""
    title = unit = ""
    while rows and sum(1 for c in rows[0] if _meaningful(c)) <= 1:
        cell = next((c for c in rows[0] if _meaningful(c)), "")
        m = words().unit_statement.search(cell)
        if m:
            unit = unit or m["unit"]
        elif cell and not title:
            title = cell
        rows, at = rows[1:], at[1:]
    while rows and sum(1 for c in rows[-1] if c) == 1 and rows[-1][0].startswith(words().note_words):
        rows, at = rows[:-1], at[:-1]
    if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
        yield _Grid(tuple(tuple(r) for r in rows), tuple(at), how, title, unit)


# --------------------------------------------------------------------------- aligned columns


def fold_columns(rows: list[list[str]], columns: list) -> tuple[list[list[str]], list]:
    """Columns found by alignment, with each pair of neighbours that no row fills both of made one: a header set
    left over figures set right stands apart from them, and is still their column's header."""
    k = 0
    while k + 1 < len(columns):
        if not any(r[k] and r[k + 1] for r in rows):
            for r in rows:
                r[k] = r[k] or r[k + 1]
                del r[k + 1]
            columns[k : k + 2] = [columns[k]]
        else:
            k += 1
    return rows, columns


def _width(s: str) -> int:
    """Display width: a Chinese character takes two columns."""
    return len(s) + (0 if s.isascii() else len(_WIDE.findall(s)))


def _pieces(line: str) -> list[tuple[int, int, str]]:
    """The cells of a line as (first column, end column, text), split at runs of spaces."""
    out, pos = [], 0
    body = line.rstrip()
    for m in [*_GAP.finditer(body), None]:
        end = m.start() if m else len(body)
        text = body[pos:end]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            start = _width(body[: pos + lead])
            out.append((start, start + _width(text.strip()), text.strip()))
        pos = m.end() if m else pos
    return out


def _spaced_grid(lines: list[str], span: range):
    """Aligned columns: the columns are the spans no row leaves; a row's pieces in one column are one cell."""
    pieces = [_pieces(lines[i]) for i in span]
    intervals = sorted((a, b) for row in pieces for a, b, _ in row)
    columns: list[list[int]] = []
    for a, b in intervals:
        if columns and a < columns[-1][1] + 2:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    if len(columns) >= 2:
        rows = []
        for row in pieces:
            cells = [""] * len(columns)
            for a, _, text in row:
                k = next(k for k, (lo, hi) in enumerate(columns) if lo <= a < hi + 2)
                cells[k] = f"{cells[k]} {text}".strip()
            rows.append(cells)
        rows, columns = fold_columns(rows, columns)
    else:  # no column that every row keeps: the same count of pieces in every row, or no table
        counts = {len(r) for r, i in zip(pieces, span, strict=True) if len(r) > 1}
        if len(counts) != 1:
            return
        rows = [[t for _, _, t in r] for r in pieces]
    if sum(1 for r in rows if any(_is_number(c) for c in r[1:])) < 2 or any(len(c) > 60 or "。" in c for r in rows for c in r):
        return
    yield from _trimmed(rows, list(span), "spaces")


# --------------------------------------------------------------------------- one cell per line


def _cell_stream(lines: list[str], span: range) -> tuple[list[str], list[int]]:
    """The cells of a block, each with its line: a ``|`` ends a cell; the text since the last ``|`` is its content."""
    cells: list[str] = []
    at: list[int] = []
    cur: list[str] = []
    first = -1
    # a block that opens with a bare | before cells that end with their own |: each bare | marks a row, not a cell
    marks = lines[span[0]].strip() == "|" and len(span) > 1 and lines[span[1]].rstrip().endswith("|") and lines[span[1]].strip() != "|"
    for i in span:
        line = lines[i].strip()
        if marks and line == "|":
            continue
        if line.endswith("|") and line.count("|") == 1 and not cur:  # the usual line: one cell and its bar
            cells.append(line[:-1].strip())
            at.append(i)
            continue
        parts = line.split("|")
        for k, part in enumerate(parts):
            if part.strip():
                cur.append(part.strip())
                first = i if first < 0 else first
            if k < len(parts) - 1:
                cells.append(" ".join(cur))
                at.append(first if first >= 0 else i)
                cur, first = [], -1
    return cells, at


def _classes(cells: list[str]) -> str:
    """One letter a cell: N a number, F what stands where a figure would (empty, a dash, 无), W words."""
    fm, dashes = words().figure.fullmatch, set(words().value_words)
    out = []
    for c in cells:
        c = c.strip()
        out.append("F" if not c or c in dashes else "N" if fm(c) else "W")
    return "".join(out)


def _cell_grids(lines: list[str], span: range):
    """The tables of a block of cells. A table must end where the block ends (a partial row at most: a text cut
    short) or where the next table begins: rows that stop keeping their shape mid-block make it no table."""
    cells, at = _cell_stream(lines, span)
    cls = _classes(cells)
    found = []
    start = 0
    while start < len(cells):
        got = _one_cell_table(cells, cls, start)
        if got is None:
            break
        rows, row_starts, end = got
        if rows:
            found.append((rows, row_starts, end, len(rows[0])))
        start = end
    for k, (rows, row_starts, end, width) in enumerate(found):
        follows = k + 1 < len(found) and found[k + 1][1][0] == end
        if follows or len(cells) - end < width:
            yield _Grid(tuple(rows), tuple(at[i] for i in row_starts), "cells")


def _one_cell_table(cells: list[str], cls: str, start: int):
    """The next table in a stream of cells from ``start``: (rows, the cell index of each row, where it ends); None when none is left.

    Each column count that the structure suggests is tried; of those whose rows all keep one shape, the one
    whose header reads as one row with the fewest empty cells is taken (a 收支总表 of six columns is not two
    tables of three side by side, and a row with no figure yet is a row, not more header).
    """
    first = cls.find("N", start)
    if first < 0:
        return None
    label = first - 1
    while label >= start and cls[label] != "W":
        label -= 1  # a row label followed by empty cells, then a figure
    if label < start:  # no label before the figure: go on from the next word
        nxt = cls.find("W", first)
        return ([], [], nxt) if nxt >= 0 else None
    start = max(start, label - MAX_HEADER * MAX_PERIOD)
    best = None
    for p in _periods(cls, label, label - start):
        top = label
        while top - p >= start and cls[top - p] == "W" and "W" not in cls[top - p + 1 : top]:
            top -= p  # rows above the first figure that hold a label and nothing else
        count = _fitting_rows(cls, top, p)
        head = _header_rows(cells[start:top], p) if count >= 2 else None
        if head is not None:
            rank = (len(head[0]) != 1, sum(1 for c in cells[start:top] if not c.strip()), p)
            if best is None or rank < best[0]:
                best = (rank, p, top, count, head)
    if best is None:  # no table from this label: go on from the next word after its figure
        nxt = cls.find("W", first)
        return ([], [], nxt) if nxt >= 0 else None
    _, p, top, count, head = best
    data = [cells[top + r * p : top + (r + 1) * p] for r in range(count)]
    starts = [start + k for k in head[1]] + [top + r * p for r in range(count)]
    return [*head[0], *data], starts, top + count * p


def _periods(cls: str, label: int, h: int) -> list[int]:
    """Column counts to try, the header's first: its cell count, the period at which labels recur, one more (a corner left out)."""
    out = [h] if 2 <= h <= MAX_PERIOD else []
    nxt = cls.find("W", label + 1, label + MAX_PERIOD + 1)
    if nxt >= 0 and nxt - label >= 2:
        out.append(nxt - label)
    if 2 <= h + 1 <= MAX_PERIOD:
        out.append(h + 1)
    return list(dict.fromkeys(out))


def _fitting_rows(cls: str, label: int, p: int) -> int:
    """How many rows of ``p`` cells from ``label`` keep one shape: a label first, and each other column either
    figures (numbers, dashes, empty) or words (a 收支总表's 支出 labels), as its first rows have it.

    The work is bounded by the rows that fit (plus a few): a stream that fits nowhere costs little to refuse.
    """

    def shaped(r: str) -> bool:
        return r[0] != "N" and ("N" in r[1:] or "W" not in r[1:])

    total = (len(cls) - label) // p
    rows = [cls[label + r * p : label + (r + 1) * p] for r in range(min(TYPE_ROWS, total))]
    head = []
    for r in rows:
        if not shaped(r):
            break
        head.append(r)
    if len(head) < 2:
        return 0
    worded = [sum(r[c] == "W" for r in head) > sum(r[c] == "N" for r in head) for c in range(p)]
    if all(worded[1:]):
        return 0
    shape = "".join("W" if w else "N" for w in worded)
    count, numbers = 0, False
    while count < total:
        r = cls[label + count * p : label + (count + 1) * p]
        if not shaped(r) or any(x != "F" and x != want for x, want in zip(r[1:], shape[1:], strict=True)):
            break
        numbers = numbers or "N" in r[1:]
        count += 1
    return count if count >= 2 and numbers else 0


def _header_rows(header: list[str], p: int) -> tuple[list[list[str]], list[int]] | None:
    """The header cells as rows of ``p``, with the index of each row's first own cell: one row, rows of ``p``, a row
    with a spanning cell over the sub-cells that follow it (合计 first), or the corner cell left out; None when
    the cells fit none of these (the table is then not read)."""
    h = len(header)
    if h == 0:
        return [], []
    if h > MAX_HEADER * p:
        return None
    if h % p == 0:
        return [header[k : k + p] for k in range(0, h, p)], list(range(0, h, p))
    if h == p - 1:
        return [["", *header]], [0]
    if h == p + 1:
        subs = [i for i in range(2, h) if header[i].replace(" ", "") in words().subheader_words]
        if subs:
            i = subs[-1]
            s = h - i
            return [header[: i - 1] + [header[i - 1]] * s, header[: i - 1] + header[i:]], [0, i]
    return None


# --------------------------------------------------------------------------- caption


def _caption(lines: list[str], kinds: list[str], first: int) -> tuple[str, str]:
    """The title and unit stated just above a table's first row (up to three short lines)."""
    title = unit = ""
    i, seen = first - 1, 0
    while i >= 0 and seen < 3:
        line = lines[i].strip()
        i -= 1
        if not line.strip("| "):  # blank, or a bar that opens the table's first row
            continue
        seen += 1
        if len(line) > 60 or line[-1] in "。；;，,:：" or kinds[i + 1] in ("pipe", "tab", "cell", "bar"):
            break
        m = words().unit_statement.search(line)
        if m:
            unit = unit or m["unit"]
            rest = line[: m.start()].strip(" \t\u3000:：")
            if rest and not title and len(rest) >= 4:
                title = rest
            continue
        if not title:
            b = words().unit_bracket.search(line)
            unit = unit or (b["unit"] if b else "")
            marker = words().heading.match(line)
            title = marker["title"].strip() if marker and marker.end() >= len(line.rstrip()) else line
            break
    return title, unit


def _header_unit(rows: Sequence[Sequence[str]]) -> str:
    """The one money unit the header cells state in brackets (支出（万元）), or nothing."""
    found = {m["unit"] for row in rows for c in row for m in words().unit_bracket.finditer(c)}
    found |= {m["unit"] for row in rows for c in row for m in words().unit_statement.finditer(c)}
    return found.pop() if len(found) == 1 else ""
