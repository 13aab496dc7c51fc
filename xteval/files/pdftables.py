"""Tables on the pages of a text PDF: ruled ones by their drawn lines, unruled ones by the alignment of their cells.

A page arrives as its lines of text, each with its characters' boxes (:class:`PageLine`). A **ruled
table** is found from the page's path objects: their thin horizontal and vertical strokes (a border
drawn as a rectangle gives its four sides) make a grid; a cell without the stroke between it and its
neighbour is merged with it, and a merged cell's text stands in every position it covers. An
**unruled table** is a run of lines whose pieces (text apart by wide gaps) fall into the same columns,
with figures in them. Each table row is then one line of the page's text, its cells joined by a tab,
as a .docx table's rows read. A table that ends one page and opens the next with the same columns is
one table; its header repeated on the next page is read once. Running headers and page numbers
(the first and last lines of pages, repeated or numbers only) are never rows.

Bounded work: at most :data:`MAX_PATHS` path objects and :data:`MAX_SEGMENTS` strokes a page are read.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .tables import Table, fold_columns, is_figure

MAX_PATHS = 5_000  # path objects read on one page; a page with more is read for aligned tables only
MAX_SEGMENTS = 20_000  # strokes kept on one page
THIN = 2.5  # pt: a stroke or a filled rectangle this thin is a rule
TOL = 2.0  # pt: two strokes this close are one
_PAGE_NUMBER = re.compile(r"[\s\-—–第页共/PpageofOF·.]*\d+[\s\-—–第页共/PpageofOF·.\d]*")


@dataclass
class PageLine:
    """A line of a page's text layer, as the prose reader has it, with its characters' boxes."""

    text: str  # with a tab at each wide gap
    right: float  # right edge of its last character
    width: float  # width of its last character
    chars: list[tuple[str, float, float, float, float]] = field(default_factory=list)  # (char, left, bottom, right, top); " " for a space

    def pieces(self) -> list[tuple[float, float, str]]:
        """The line's text apart at wide gaps (more than two characters' width), as (left, right, text)."""
        out: list[list] = []
        prev_right = None
        space = False
        for ch, left, _, right, _ in self.chars:
            if ch == " ":
                space = True
                continue
            width = max(right - left, 1.0)
            if prev_right is None or left - prev_right > 2.0 * width:
                out.append([left, right, ch])
            else:
                out[-1][1] = right
                out[-1][2] += (" " if space else "") + ch
            prev_right, space = right, False
        return [(a, b, t) for a, b, t in out]

    @property
    def box(self) -> tuple[float, float, float, float]:
        boxes = [c for c in self.chars if c[0] != " "]
        if not boxes:
            return (0.0, 0.0, 0.0, 0.0)
        return min(c[1] for c in boxes), min(c[2] for c in boxes), max(c[3] for c in boxes), max(c[4] for c in boxes)


@dataclass
class PageTable:
    """A table found on one page: its rows, the page lines it stands on, and its columns' left edges."""

    rows: list[list[str]]
    first: int  # index of the first page line it replaces
    lines: set[int]  # indexes of every page line it replaces
    columns: list[float]  # left edge of each column, to match the table's part on the next page
    bottom: float = 0.0


# --------------------------------------------------------------------------- strokes


def strokes(page) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """The page's horizontal strokes as (y, x0, x1) and vertical ones as (x, y0, y1), from its path objects."""
    import pypdfium2.raw as pdfium_c

    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    for n, obj in enumerate(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1)):
        if n >= MAX_PATHS or len(hs) + len(vs) >= MAX_SEGMENTS:
            return [], []  # a drawing, not a table: too much to read
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # a path PDFium cannot measure
            continue
        if top - bottom <= THIN and right - left > THIN:
            hs.append(((top + bottom) / 2, left, right))
        elif right - left <= THIN and top - bottom > THIN:
            vs.append(((left + right) / 2, bottom, top))
        else:
            _path_sides(obj, pdfium_c, hs, vs)
    return hs, vs


def _path_sides(obj, pdfium_c, hs: list, vs: list) -> None:
    """The straight horizontal and vertical sides of a path (a rectangle's four), in page space."""
    import ctypes

    count = pdfium_c.FPDFPath_CountSegments(obj.raw)
    if count <= 0 or count > 400:
        return
    m = obj.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []
    start = None
    for i in range(count):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
        if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        px, py = m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not points:
            start = (px, py)
        else:
            _side(points[-1], (px, py), hs, vs)
        points.append((px, py))
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _side((px, py), start, hs, vs)


def _side(a: tuple[float, float], b: tuple[float, float], hs: list, vs: list) -> None:
    if abs(a[1] - b[1]) <= 0.5 and abs(a[0] - b[0]) > THIN:
        hs.append((a[1], min(a[0], b[0]), max(a[0], b[0])))
    elif abs(a[0] - b[0]) <= 0.5 and abs(a[1] - b[1]) > THIN:
        vs.append((a[0], min(a[1], b[1]), max(a[1], b[1])))


def _merged(segments: list[tuple[float, float, float]]) -> dict[float, list[tuple[float, float]]]:
    """Strokes at one position (within :data:`TOL`) as one position with the spans they cover, joined where they touch."""
    out: dict[float, list[tuple[float, float]]] = {}
    keys: list[float] = []
    for pos, a, b in sorted(segments):
        if keys and pos - keys[-1] <= TOL:
            pos = keys[-1]
        else:
            keys.append(pos)
        spans = out.setdefault(pos, [])
        if spans and a <= spans[-1][1] + TOL:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    for pos in out:
        out[pos].sort()
    return out


def _covers(spans: list[tuple[float, float]], at: float) -> bool:
    return any(a - TOL <= at <= b + TOL for a, b in spans)


# --------------------------------------------------------------------------- ruled tables


def ruled_tables(lines: list[PageLine], hs: list, vs: list) -> list[PageTable]:
    """The page's ruled tables: grids of strokes with at least two rows and two columns."""
    if len(hs) < 3 or len(vs) < 3:
        return []
    horizontal, vertical = _merged(hs), _merged(vs)
    out = []
    for ys, x0, x1 in _grids(horizontal):
        near = {x: spans for x, spans in vertical.items() if x0 - TOL <= x <= x1 + TOL}
        for part in _bands(ys, near):  # two ruled tables one above the other, prose between: two grids
            mids = [(part[r] + part[r + 1]) / 2 for r in range(len(part) - 1)]
            xs = sorted(x for x, spans in near.items() if any(_covers(spans, m) for m in mids))
            if len(xs) >= 3 and len(part) >= 3:
                table = _grid_table(lines, part, xs, horizontal, vertical)
                if table is not None:
                    out.append(table)
    return out


def _bands(ys: list[float], vertical: dict[float, list[tuple[float, float]]]):
    """The rule heights of a group cut where a band between two rules has no vertical stroke across it."""
    part = [ys[0]]
    for top, bottom in zip(ys, ys[1:], strict=False):
        mid = (top + bottom) / 2
        if any(_covers(spans, mid) for spans in vertical.values()):
            part.append(bottom)
        else:
            yield part
            part = [bottom]
    yield part


def _grids(horizontal: dict[float, list[tuple[float, float]]]):
    """Runs of long horizontal rules one under another, sharing their extent: (rule heights top first, left, right)."""
    rules = sorted(((y, a, b) for y, spans in horizontal.items() for a, b in spans if b - a > 20), key=lambda r: -r[0])
    group: list[tuple[float, float, float]] = []
    for rule in [*rules, None]:
        if rule is not None and group:
            _, a, b = group[0]
            overlap = min(b, rule[2]) - max(a, rule[1])
            if overlap > 0.5 * (b - a) and group[-1][0] - rule[0] < 200:
                group.append(rule)
                continue
        if len(group) >= 3:
            yield sorted({round(y, 1) for y, _, _ in group}, reverse=True), min(r[1] for r in group), max(r[2] for r in group)
        group = [rule] if rule is not None else []


def _grid_table(lines: list[PageLine], ys: list[float], xs: list[float], horizontal, vertical) -> PageTable | None:
    """The cells of one grid: each character placed by its centre; cells with no stroke between them merged."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hkeys, vkeys = sorted(horizontal), sorted(vertical)
    for r in range(rows):
        mid_y = (ys[r] + ys[r + 1]) / 2
        for c in range(cols - 1):  # no stroke at xs[c+1] across this row: one cell with its right neighbour
            if not _covers(_near(vertical, vkeys, xs[c + 1]), mid_y):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
    for c in range(cols):
        mid_x = (xs[c] + xs[c + 1]) / 2
        for r in range(rows - 1):
            if not _covers(_near(horizontal, hkeys, ys[r + 1]), mid_x):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    texts: dict[int, list[str]] = {}
    used: set[int] = set()
    neg_ys = [-y for y in ys]
    for k, line in enumerate(lines):
        placed = total = 0
        for ch, left, bottom, right, top in line.chars:
            if ch == " ":
                continue
            total += 1
            cx, cy = (left + right) / 2, (bottom + top) / 2
            c, r = bisect.bisect_right(xs, cx) - 1, bisect.bisect_right(neg_ys, -cy) - 1
            if 0 <= c < cols and 0 <= r < rows:
                texts.setdefault(find(r * cols + c), []).append(ch)
                placed += 1
        if placed and 2 * placed >= total:
            used.add(k)
    if not used:
        return None
    grid = [["".join(texts.get(find(r * cols + c), [])).strip() for c in range(cols)] for r in range(rows)]
    grid = [row for row in grid if any(row)]
    if len(grid) < 2:
        return None
    return PageTable(grid, min(used), used, xs[:-1], ys[-1])


def _near(merged: dict[float, list], keys: list[float], at: float) -> list[tuple[float, float]]:
    i = bisect.bisect_left(keys, at - TOL)
    out = []
    while i < len(keys) and keys[i] <= at + TOL:
        out += merged[keys[i]]
        i += 1
    return out


# --------------------------------------------------------------------------- unruled tables


def aligned_tables(lines: list[PageLine], skip: set[int]) -> list[PageTable]:
    """Runs of lines whose pieces fall into the same columns (two or more), with figures in two rows or more."""
    out = []
    run: list[int] = []
    for k in [*range(len(lines)), None]:
        if k is not None and k not in skip and len(lines[k].pieces()) >= 2:
            run.append(k)
            continue
        if len(run) >= 2:
            table = _aligned(lines, run)
            if table is not None:
                out.append(table)
        run = []
    return out


def _aligned(lines: list[PageLine], run: list[int]) -> PageTable | None:
    pieces = [lines[k].pieces() for k in run]
    columns: list[list[float]] = []
    for a, b in sorted((a, b) for row in pieces for a, b, _ in row):
        if columns and a <= columns[-1][1] + 1.0:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    if len(columns) < 2:
        return None
    rows = []
    for row in pieces:
        cells = [""] * len(columns)
        for a, _, text in row:
            i = next(i for i, (lo, hi) in enumerate(columns) if lo <= a <= hi)
            cells[i] = f"{cells[i]} {text}".strip()
        rows.append(cells)
    rows, columns = fold_columns(rows, columns)
    if len(columns) < 2:
        return None
    with_figures = sum(1 for r in rows if any(c and is_figure(c) for c in r[1:]))
    if with_figures < 2 or sum(1 for r in rows if sum(1 for c in r if c) >= 2) < len(rows):
        return None
    return PageTable(rows, run[0], set(run), [lo for lo, _ in columns], min(lines[k].box[1] for k in run))


# --------------------------------------------------------------------------- furniture and pages


def furniture(pages: list[list[PageLine]]) -> list[set[int]]:
    """Each page's running header and footer lines: its first and last lines that are a page number or repeat on another page."""

    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text.strip())

    edges = [[i for i in (0, 1, len(p) - 2, len(p) - 1) if 0 <= i < len(p) and p[i].text.strip()] for p in pages]
    counts: dict[str, int] = {}
    for p, idx in zip(pages, edges, strict=True):
        for k in set(key(p[i].text) for i in idx):
            counts[k] = counts.get(k, 0) + 1
    out = []
    for p, idx in zip(pages, edges, strict=True):
        found = set()
        for i in idx:
            text = p[i].text.strip()
            if _PAGE_NUMBER.fullmatch(text) or (len(pages) > 1 and counts[key(text)] >= 2 and len(text) <= 60):
                found.add(i)
        out.append(found)
    return out


def page_tables(lines: list[PageLine], hs: list, vs: list, skip: set[int]) -> list[PageTable]:
    """Every table of a page, ruled first; an aligned table is looked for only in the lines no ruled one took."""
    ruled = ruled_tables(lines, hs, vs)
    taken = set(skip).union(*(t.lines for t in ruled)) if ruled else set(skip)
    return sorted(ruled + aligned_tables(lines, taken), key=lambda t: t.first)


def page_text(lines: list[PageLine], tables: list[PageTable]) -> list[tuple[str, float, float, int]]:
    """The page's lines with each table's rows in place of the lines it stood on: (text, right, width, table index or -1)."""
    out: list[tuple[str, float, float, int]] = []
    starts = {t.first: n for n, t in enumerate(tables)}
    covered = set().union(*(t.lines for t in tables)) if tables else set()
    for k, line in enumerate(lines):
        if k in starts:
            n = starts[k]
            out += [("\t".join(row), 0.0, 0.0, n) for row in tables[n].rows]
        if k not in covered:
            out.append((line.text, line.right, line.width, -1))
    return out


def continues(prev: PageTable, nxt: PageTable) -> bool:
    """The table that opens a page carries on the one that ended the page before: the same columns, where they were."""
    if len(prev.columns) != len(nxt.columns):
        return False
    return all(abs(a - b) <= 4.0 for a, b in zip(prev.columns, nxt.columns, strict=True))


def joined(parts: list[tuple[PageTable, int, list[int]]]) -> Table:
    """One :class:`Table` from its parts on consecutive pages (table, page, the text line of each row); a header repeated
    at the top of a later part is read once."""
    first, page, lines = parts[0]
    rows, at = list(first.rows), list(lines)
    for table, _, row_lines in parts[1:]:
        skip = 0
        while (
            skip < len(table.rows)
            and skip < len(first.rows)
            and table.rows[skip] == first.rows[skip]
            and not any(is_figure(c) and c for c in table.rows[skip][1:])
        ):
            skip += 1
        rows += table.rows[skip:]
        at += row_lines[skip:]
    return Table(line=at[0], rows=tuple(tuple(r) for r in rows), row_lines=tuple(at), page=page, how="pdf")
