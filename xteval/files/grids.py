"""Tables as grids, whatever format gave them: a merged cell repeated in every position it covers, the
rows a table states above its header (its title, 单位：万元, 编制单位) told apart from its grid, and each
row written as one line of the document's text, its cells separated by tabs as a table pasted from Word.

Shared by the readers of .html pages, workbooks (.xlsx, .xls) and .docx tables, so the same table gives
the same :class:`~xteval.files.documents.Table` from each of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError

# A unit a table states (单位：万元, 金额单位：元); 编制单位 names the unit that made it, not a unit of money.
_UNIT = re.compile(r"(?<!编制)单位\s*[:：]\s*(亿元|万元|千元|元)")
_MAKER = re.compile(r"^\s*编制(?:单位|部门)\s*[:：]")
_UNIT_CELL = re.compile(r"[（(]?(?:金额)?单位[:：](?:亿元|万元|千元|元)[)）]?")
_AMOUNT = re.compile(r"\d\s*(?:亿元|万元|千元|元|%|％)")  # a line stating an amount is prose, not a caption
TITLE_MAX = 60  # characters: a line longer than this is prose, not a table's title
PREAMBLE_MAX = 3  # leading rows that may be a table's title or unit rather than its grid


@dataclass
class Grid:
    """A table being built: each position's text and the cell it came from (a merged cell is one origin)."""

    texts: list[list[str]]
    origins: list[list[object]]  # None for a position no cell covers (a short row padded)

    def squared(self) -> Grid:
        """The grid with every row padded to the widest."""
        width = max((len(r) for r in self.texts), default=0)
        texts = [r + [""] * (width - len(r)) for r in self.texts]
        origins = [o + [None] * (width - len(o)) for o in self.origins]
        return Grid(texts, origins)

    def without_empty_rows(self) -> Grid:
        keep = [i for i, r in enumerate(self.texts) if any(t.strip() for t in r)]
        return Grid([self.texts[i] for i in keep], [self.origins[i] for i in keep])

    def trimmed(self) -> Grid:
        """The grid without its empty columns at either side."""
        used = [j for r in self.texts for j, t in enumerate(r) if t.strip()]
        if not used:
            return Grid([], [])
        lo, hi = min(used), max(used) + 1
        return Grid([r[lo:hi] for r in self.texts], [o[lo:hi] for o in self.origins])


def row_line(texts: Sequence[str], origins: Sequence[object]) -> str:
    """A row as one line: its cells joined by tabs, a cell merged across columns written once (as .docx rows are)."""
    out: list[str] = []
    prev: object = None
    for text, origin in zip(texts, origins, strict=True):
        if origin is not None and origin == prev:
            continue
        out.append(text)
        prev = origin
    return "\t".join(out)


def unit_in(text: str) -> str:
    """The unit of money a line or cell states (``单位：万元`` → ``万元``), empty when it states none."""
    m = _UNIT.search(text.replace(" ", "").replace("\u3000", ""))
    return m[1] if m else ""


def is_title(text: str) -> bool:
    """A short line that can caption a table: not prose (no 。), not a unit or 编制单位 line alone."""
    text = text.strip()
    if not text or "\t" in text or len(text) > TITLE_MAX or text.endswith(("。", "；", ";")):
        return False
    return not (_MAKER.match(text) or _UNIT.fullmatch(text.replace(" ", "")) or _AMOUNT.search(text))


def title_part(text: str) -> str:
    """A caption line without the unit it also states (``收入支出决算总表  单位：元`` → ``收入支出决算总表``)."""
    m = _UNIT.search(text)
    head = text[: m.start()] if m else text
    head = re.sub(r"(?:金额)?\s*$", "", head).strip(" \t\u3000:：")
    return head


def preamble(grid: Grid) -> int:
    """How many leading rows of a grid are its title, unit or 编制单位 rather than its header and body.

    A row is preamble when it holds one value (a title merged across the table, a unit line), or a
    unit or 编制单位 cell; at most :data:`PREAMBLE_MAX` rows, and never the whole table.
    """
    n = 0
    width = max((len(r) for r in grid.texts), default=0)
    while n < min(PREAMBLE_MAX, len(grid.texts) - 1):
        values = [t.strip() for t in grid.texts[n] if t.strip()]
        distinct = set(values)
        if not distinct:
            n += 1
        elif width >= 2 and len(distinct) == 1 and (len(values) > 1 or unit_in(values[0]) or is_title(values[0])):
            n += 1  # one value: a title or unit line, merged across the table or alone in its row
        elif any(_UNIT_CELL.fullmatch(v.replace(" ", "")) or _MAKER.match(v) for v in distinct):
            n += 1  # 编制单位：…  单位：元 (a header cell that also names a unit, 决算数（单位：万元）, is header)
        else:
            break
    return n


def caption(
    above: Sequence[str], preamble_rows: Sequence[Sequence[str]], explicit: str = "", head: Sequence[Sequence[str]] = ()
) -> tuple[str, str]:
    """A table's title and unit: its caption (``explicit``), or a title row, or the short line just above it.

    Args:
        above: the document's lines just before the table, nearest last (up to three are looked at).
        preamble_rows: the table's own leading title/unit rows (:func:`preamble`).
        explicit: a caption the format marks as one (an HTML ``<caption>``).
        head: the table's first rows, where a header cell may name the unit (决算数（单位：万元）).
    """
    title = explicit.strip()
    unit = unit_in(explicit)
    for row in preamble_rows:
        for value in dict.fromkeys(v.strip() for v in row if v.strip()):
            unit = unit or unit_in(value)
            if not title and is_title(title_part(value)) and not _MAKER.match(value):
                title = title_part(value)
    near = [line.strip() for line in above if line.strip()][-3:]
    for line in reversed(near):
        if "\t" in line:
            break  # another table's row: what stands above it is that table's
        unit = unit or unit_in(line)
        if not title and is_title(title_part(line)):
            title = title_part(line)
        if title and unit:
            break
    for row in head:
        unit = unit or next((u for v in row if (u := unit_in(v))), "")
    return title, unit


def check_extent(rows: int, cols: int, path, what: str, max_rows: int, max_cols: int) -> None:
    """Refuse a table larger than its caps, naming its reach, before its grid is built."""
    if rows > max_rows or cols > max_cols:
        raise InputError(
            f"{what}达 {rows} 行 × {cols} 列，超过上限 {max_rows} 行 × {max_cols} 列，拒绝读取 ({what}: beyond the table cap)", file=path
        )


@dataclass(frozen=True)
class Placed:
    """A table placed in a document's lines: what :class:`~xteval.files.documents.Table` is built from."""

    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]
    title: str
    unit: str


def place(grid: Grid, lines: list[str], explicit: str = "", *, fallback: str = "", above: bool = True) -> Placed | None:
    """Write a table's rows into ``lines`` (one line each, tab-joined) and give its grid without its title/unit rows.

    Empty rows and empty side columns are left out; the leading title and unit rows are written as lines
    but are not grid rows (they give the table's title and unit). The title is ``explicit`` (a caption),
    else a title row, else (``above``) the short line just above, else ``fallback`` (a sheet's name,
    then written as a line of its own). None when the table holds no text.
    """
    grid = grid.squared().without_empty_rows().trimmed()
    if not grid.texts:
        return None
    k = preamble(grid)
    title, unit = caption(lines[-3:] if above else [], grid.texts[:k], explicit, grid.texts[k : k + PREAMBLE_MAX])
    if not title and fallback:
        title = fallback
        lines.append(fallback)
    row_lines: list[int] = []
    for i, (texts, origins) in enumerate(zip(grid.texts, grid.origins, strict=True)):
        if i < k:  # a title or unit row: its values, without the empty cells beside them
            lines.append("\t".join(dict.fromkeys(t.strip() for t in texts if t.strip())))
        else:
            lines.append(row_line(texts, origins))
            row_lines.append(len(lines))
    return Placed(tuple(tuple(r) for r in grid.texts[k:]), tuple(row_lines), title, unit)
