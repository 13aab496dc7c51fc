"""Tables read as forms: each table of a document recognised by its words, and its cells read into facts.

The forms a 部门决算 公开 or a 绩效自评 publishes are data (``kinds/tables/forms.yaml``): the words that
recognise each form, its column headers, its row labels, the field each cell fills. A table is read in
four steps:

1. **Its kind**, by its words (caption, the lines just above it, its header cells), never by its position.
2. **Its header rows**: rows of words (no figure) of which at least two are column words of the kind;
   every column gets its header path (the words above it, top down) and, from them, its pieces (预算数 →
   ``mode: control``, 基本支出 → ``col: basic``…). 行次/栏次 and 科目编码 columns are furniture, never figures;
   分值/权重 are points, never amounts.
3. **Each row's label**: the cell of words in its label column (其中：, enumerators and spaces removed),
   matched against the kind's row words. A row whose label the kind does not know, or whose cells do not
   fit the header (words where a figure stands), is left unread and listed as such.
4. **Each figure a fact**: its pieces (the column's and the row's) fill the row's field template; the
   value is converted from the table's unit (元) into 万元 exactly; the fact carries its line, the table's
   subject and ``table="表名 / 行 / 列"``.

The figures of a table read so replace what the phrase engine read on the same lines (:func:`read_tables`).
The checks of the tables (totals, parts, rates, tables against each other and against the prose) stand in
:mod:`.table_checks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..files.documents import Table
from ..money import UNITS, N, NumberError, fold
from .engine import Document, Fact
from .table_kinds import MAX_CELL, Common, TableKind, Words, forms, table_key

MAX_WIDTH = 400  # a table wider than this is no form: left unread, and said so
MAX_CELLS = 250_000  # nor one with more cells than this
_MONEY = "万元"
CAPTION = 48  # a caption or 单位 line above a table is short; a longer line is prose


# --------------------------------------------------------------------------- what a read table holds


@dataclass
class Column:
    index: int
    path: tuple[str, ...]
    pieces: dict[str, str]
    label: bool = False
    furniture: bool = False
    unit: str = ""
    negate: bool = False

    @property
    def known(self) -> bool:
        """A column of figures: its header names what they are (a side alone, 收入 or 支出, does not)."""
        return not self.label and not self.furniture and bool(set(self.pieces) - {"side"})

    @property
    def name(self) -> str:
        return "·".join(self.path) or f"第{self.index + 1}列"


@dataclass
class Cell:
    """One figure of a table: its value (万元 for money; % or 分 as stated), where it stands, and its text."""

    value: Decimal
    unit: str
    text: str
    places: int
    line: int
    row: ReadRow
    column: Column

    @property
    def money(self) -> bool:
        return self.unit == _MONEY


@dataclass
class ReadRow:
    label: str  # the row's label as the table writes it ("" for a row of figures without one)
    id: str
    pieces: dict[str, str]
    line: int
    side: str = ""
    code: str = ""
    top: bool = False
    sub: bool = False
    name: str | None = None
    negate: bool = False
    unit: str = ""
    nested: bool = False  # a 科目 row under another one: no fact of its own
    cells: dict[int, Cell] = field(default_factory=dict)


@dataclass
class ReadTable:
    """A recognised table as read: its kind, name, unit, columns, read rows, the rows left unread, its facts."""

    table: Table
    kind: TableKind
    name: str
    unit: str
    columns: list[Column] = field(default_factory=list)
    rows: list[ReadRow] = field(default_factory=list)
    unread: list[tuple[int, str, str]] = field(default_factory=list)  # (line, label, reason)
    facts: list[Fact] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)  # every text line of its rows
    carried: dict[str, str] = field(default_factory=dict)  # the kind's `carry` pieces the last group row set

    def where(self, cell: Cell) -> str:
        """“表名 / 行 / 列”: a cell's evidence."""
        return f"{self.name} / {cell.row.label or '（无行名）'} / {cell.column.name}"


# --------------------------------------------------------------------------- recognising a table


def recognise(table: Table, context: str) -> TableKind | None:
    """The kind of a table by its words: the caption and lines above it (``context``) and its first rows."""
    spec = forms()
    gloss = spec.common.gloss
    head = table_key(table.title + context, gloss)
    cells = table_key(" ".join(c[:MAX_CELL] for r in table.rows[:8] for c in r[:MAX_WIDTH]), gloss)
    best, best_score = None, 0
    for kind in spec.kinds:
        if any(w in head for w in kind.not_markers):
            continue
        score = sum(v for w, v in kind.markers.items() if w in head) * 2 + sum(v for w, v in kind.markers.items() if w in cells)
        if score > best_score:
            best, best_score = kind, score
    return best if best_score >= spec.threshold else None


def table_unit(table: Table, context: str) -> str:
    """The unit a table states (its own, a caption's 单位：元, a header cell's （万元）); 万元 when none."""
    if table.unit in UNITS:
        return "万元" if table.unit == "万" else "亿元" if table.unit == "亿" else table.unit
    common = forms().common
    texts = [table.title, context] + [c[:MAX_CELL] for r in table.rows[:6] for c in r[:MAX_WIDTH]]
    for text in texts:
        m = common.unit.search(fold(text))
        if m:
            return m[1] or m[2]
    return _MONEY


# --------------------------------------------------------------------------- reading one table


def read_table(table: Table, kind: TableKind, *, name: str = "", unit: str = _MONEY) -> ReadTable:
    """Read a recognised table's rows and figures (see the module's steps 2 to 4)."""
    out = ReadTable(table, kind, name or table.title.strip() or kind.title, unit)
    width = table.width
    if width > MAX_WIDTH or width * len(table.rows) > MAX_CELLS:
        out.unread.append((table.line, "", f"表格过大（{len(table.rows)} 行 × {width} 列），未读取"))
        return out
    common = forms().common
    levels: list[tuple[str, ...]] = []
    in_header = skipping = False
    for i, raw in enumerate(table.rows):
        line = table.line_of(i)
        row = tuple(str(c)[:MAX_CELL] for c in raw) + ("",) * (width - len(raw))
        cleaned = tuple(common.clean(c) for c in row)
        numbers = [_number(c, common) for c in row]
        if any(c in kind.stop for c in cleaned if c):
            skipping, out.columns = True, []  # the indicator rows: the goal readers' (lines left to them)
            continue
        header = _is_header(cleaned, numbers, kind, common)
        if skipping and not header:
            continue
        skipping = False
        out.lines.add(line)
        if header:
            levels = levels + [cleaned] if in_header else [cleaned]
            out.columns = _columns(levels, kind, common)
            in_header = True
            continue
        if _is_furniture_row(cleaned, numbers, common):
            continue
        in_header = False
        if not any(n is not None for n in numbers):
            _carry(out, _row_entry(kind, _first_words(cleaned, common), "", False, common))
            continue  # a row of words only: a heading inside the table (按支出性质分), nothing to read
        if not out.columns:
            out.unread.append((line, _first_words(row, common), "表头未识别"))
            continue
        out.columns = _aligned(out.columns, numbers)
        _read_row(out, row, cleaned, numbers, line, common)
    _resolve_years(out)
    _mark_parts(out)
    out.facts = [f for cell in _cells(out) for f in [_fact(out, cell)] if f is not None]
    return out


def _number(text: str, common: Common) -> tuple[Decimal, int, bool] | None:
    """A cell's figure: (value, decimals stated, with %), or None for words, a blank or a hostile number."""
    t = fold(text).strip().replace(" ", "")
    if not t or t in common.blank or len(t) > 40 or not any(ch.isdigit() for ch in t):
        return None
    percent = t.endswith("%")
    try:
        value = N(t)
    except (NumberError, ValueError, ArithmeticError):
        return None
    body = t.rstrip("%")
    places = len(body.split(".", 1)[1]) if "." in body else 0
    return value, places, percent


def _is_header(cleaned: tuple[str, ...], numbers: list, kind: TableKind, common: Common) -> bool:
    """A row of words of which at least two are the kind's column words (one of them a figure's column)."""
    if any(n is not None for n in numbers) and not _is_furniture_row(cleaned, numbers, common):
        return False
    hits = measure = 0
    for c in set(cleaned):
        if not c:
            continue
        e = kind.column(c, common.year)
        if c in common.furniture or e is not None:
            hits += 1
        if e is not None and not e.label:
            measure += 1
    return hits >= 2 and measure >= 1


def _is_furniture_row(cleaned: tuple[str, ...], numbers: list, common: Common) -> bool:
    """The 栏次 row (栏次 | 1 | 2 | 3 …) under a header: never figures."""
    if any(c in ("栏次", "行次") for c in cleaned):
        return True
    values = [n[0] for n in numbers if n is not None]
    return len(values) >= 3 and values == [Decimal(k) for k in range(1, len(values) + 1)]


def _columns(levels: list[tuple[str, ...]], kind: TableKind, common: Common) -> list[Column]:
    width = max(len(level) for level in levels)
    out = []
    for j in range(width):
        path: list[str] = []
        col = Column(j, (), {})
        for level in levels:
            t = level[j] if j < len(level) else ""
            if not t or t in path:
                continue
            path.append(t)
            if t in common.furniture:
                col.furniture = True
                continue
            e = kind.column(t, common.year)
            if e is None:
                continue
            col.label = col.label or e.label
            pieces = e.pieces()
            if e.year:
                m = common.year.match(t)
                pieces = {"year": m[1]} if m else {}
            for k, v in pieces.items():
                if not (e.if_unset and k in col.pieces):
                    col.pieces[k] = v
            col.unit = e.unit or col.unit
            col.negate = col.negate or e.negate
        if any(t in common.not_amounts for t in path) and not col.unit:
            col.unit = "分"
        col.path = tuple(path)
        out.append(col)
    return out


def _aligned(columns: list[Column], numbers: list) -> list[Column]:
    """The header moved onto a row's figures when they stand beside it: a pasted text that lost a merged cell
    at the left of its header row (项目资金 over two rows), or of its rows, shifts one against the other."""
    figures = [j for j, n in enumerate(numbers) if n is not None]

    def fits(cols: list[Column]) -> bool:
        return all(j < len(cols) and (cols[j].known or cols[j].furniture) for j in figures)

    known = [c.index for c in columns if c.known]
    if not figures or not known or fits(columns):
        return columns
    shift = figures[-1] - known[-1]
    if shift == 0 or abs(shift) > 3:
        return columns
    moved = [Column(j, (), {}) for j in range(max(shift, 0))] + [
        Column(c.index + shift, c.path, c.pieces, c.label, c.furniture, c.unit, c.negate) for c in columns if c.index + shift >= 0
    ]
    moved += [Column(j, (), {}) for j in range(len(moved), len(numbers))]
    return moved if fits(moved) else columns


def _first_words(row: tuple[str, ...], common: Common) -> str:
    return next((c.strip() for c in row if c.strip() and _number(c, common) is None), "")


def _segments(columns: list[Column], width: int) -> list[list[int]]:
    """The column indexes of each labelled block of a row (the 收入 block, then the 支出 block)."""
    starts = []
    for c in columns:
        if c.label:
            s = c.index  # a 科目编码 column just before a label column is that block's
            while s > (starts[-1] + 1 if starts else 0) and columns[s - 1].furniture:
                s -= 1
            starts.append(s)
    if not starts:
        return [list(range(width))]
    bounds = [0] + starts[1:] + [width]
    return [list(range(bounds[k], bounds[k + 1])) for k in range(len(starts))]


def _read_row(out: ReadTable, row: tuple[str, ...], cleaned: tuple[str, ...], numbers: list, line: int, common: Common) -> None:
    kind, columns = out.kind, out.columns
    columns = columns + [Column(j, (), {}) for j in range(len(columns), len(row))]
    for k, seg in enumerate(_segments(columns, len(row))):
        if not any(numbers[j] is not None and columns[j].known for j in seg):
            if any(numbers[j] is not None and not columns[j].furniture for j in seg):
                out.unread.append((line, _label_text(row, cleaned, seg, columns, numbers), "数字所在列的表头未识别"))
            continue
        side = next((columns[j].pieces.get("side", "") for j in seg if columns[j].pieces.get("side")), "")
        side = side or (kind.sides[k] if k < len(kind.sides) else "")
        candidates = [j for j in seg if cleaned[j] and numbers[j] is None and not columns[j].furniture and not columns[j].known]
        candidates = [j for j in candidates if cleaned[j] not in columns[j].path] or candidates
        code = "".join(cleaned[j] for j in seg if columns[j].furniture and common.code.match(cleaned[j]))
        entry, at = None, None
        for j in candidates or [None]:
            label = cleaned[j] if j is not None else ""
            m = common.code_lead.match(label)
            if m:
                code, label = code or m[1], label[m.end() :]
            entry = _row_entry(kind, label, side, bool(code), common)
            if entry is not None:
                at = j
                break
        raw = row[at].strip() if at is not None else ""
        if entry is None:
            out.unread.append((line, _label_text(row, cleaned, seg, columns, numbers), "行名不在表式中"))
            continue
        misfit = [j for j in seg if columns[j].known and row[j].strip() and numbers[j] is None and cleaned[j] not in common.blank]
        if misfit:
            out.unread.append((line, raw, f"“{row[misfit[0]].strip()[:20]}”不是数字，与表头不符"))
            continue
        read = _new_row(entry, raw, cleaned[at] if at is not None else "", line, side, code, common)
        read.pieces = {**_carry(out, entry), **read.pieces}
        for j in seg:
            n = numbers[j]
            if n is None or not columns[j].known or columns[j].label:
                continue
            read.cells[j] = _cell(out, read, columns[j], n, row[j].strip(), line)
        out.rows.append(read)


def _carry(out: ReadTable, entry: Words | None) -> dict[str, str]:
    """The pieces a row takes from the group row above it; a row that sets one starts a new group (an empty
    group row, 三、按单位预算级次 with no figure, starts it too)."""
    if not out.kind.carry:
        return {}
    pieces = entry.pieces() if entry is not None else {}
    if any(k in pieces for k in out.kind.carry):
        out.carried = {k: pieces[k] for k in out.kind.carry if k in pieces}
    return dict(out.carried)


def _label_text(row, cleaned, seg, columns, numbers) -> str:
    return next((row[j].strip() for j in seg if cleaned[j] and numbers[j] is None and not columns[j].furniture), "")


def _row_entry(kind: TableKind, label: str, side: str, coded: bool, common: Common) -> Words | None:
    """The row entry a cleaned label is: named words first, then a year, then a 科目 (by its name or code)."""
    for e in kind.rows:
        if e.side and side and e.side != side:
            continue
        if label in e.words or e.pattern is not None and e.pattern.search(label):
            return e
    for e in kind.rows:
        if e.year and common.year.match(label):
            return e
    if label and not any(ch.isdigit() for ch in label):
        for e in kind.rows:
            if e.function and (not e.side or not side or e.side == side) and (coded or common.function.search(label)):
                return e
    return None


def _new_row(entry: Words, raw: str, label: str, line: int, side: str, code: str, common: Common) -> ReadRow:
    pieces = entry.pieces()
    if entry.year:
        pieces["year"] = common.year.match(label)[1]
    folded = fold(raw)
    return ReadRow(
        label=raw,
        id=entry.id or "value",
        pieces=pieces,
        line=line,
        side=side,
        code=code,
        top=bool(common.top.match(folded)),
        sub=bool(common.sub.match(folded)),
        name=label if entry.function else None,
        negate=entry.negate,
        unit=entry.unit,
    )


def _cell(out: ReadTable, row: ReadRow, column: Column, n: tuple[Decimal, int, bool], text: str, line: int) -> Cell:
    value, places, percent = n
    unit = row.unit or column.unit or ("%" if percent else "")
    if "count" in column.pieces or "count" in row.pieces:
        unit = out.kind.count_units.get(column.pieces.get("count") or row.pieces.get("count", ""), "个")
    if not unit:
        unit, value = _MONEY, value * UNITS[out.unit]
    if column.negate or row.negate:
        value = -value
    return Cell(value, unit, text, places, line, row, column)


def _resolve_years(out: ReadTable) -> None:
    """A row or column of a year (2015年, 2016年): the latest is this year's figure, an earlier one last year's."""
    years = [p["year"] for p in [r.pieces for r in out.rows] + [c.pieces for c in out.columns] if "year" in p]
    if not years:
        return
    latest = max(years)
    for pieces in [r.pieces for r in out.rows] + [c.pieces for c in out.columns]:
        if "year" in pieces and "period" not in pieces:
            pieces["period"] = "" if pieces["year"] == latest else ".previous"


def top_rows(rows: list[ReadRow]) -> list[ReadRow]:
    """The rows directly under a total: the shortest 科目 codes; else the 一、二、 rows; else all but 其中 rows."""
    coded = [r for r in rows if r.code]
    if coded and len(coded) == len(rows):
        shortest = min(len(r.code) for r in coded)
        return [r for r in coded if len(r.code) == shortest]
    tops = [r for r in rows if r.top]
    return tops or [r for r in rows if not r.sub]


def _mark_parts(out: ReadTable) -> None:
    """A 科目 row under another (a 款 under its 类) is a figure of the table, not a part of the document's total."""
    by_side: dict[str, list[ReadRow]] = {}
    for row in out.rows:
        if row.id == "function":
            by_side.setdefault(row.side, []).append(row)
    for rows in by_side.values():
        top = top_rows(rows)
        for row in rows:
            if row not in top:
                row.name = None
                row.nested = True


def _cells(out: ReadTable):
    for row in out.rows:
        yield from row.cells.values()


def cell_pieces(out: ReadTable, cell: Cell) -> dict[str, str]:
    """A cell's pieces: the kind's defaults, then its column's, then its row's."""
    return {**out.kind.defaults, **{k: v for k, v in cell.column.pieces.items() if k != "year"}, **cell.row.pieces}


def cell_field(out: ReadTable, cell: Cell) -> str | None:
    """The field id a cell fills, or None when its row's template does not take it."""
    kind, pieces = out.kind, cell_pieces(out, cell)
    if cell.row.nested:
        return None
    only = kind.only.get(cell.row.id, {})
    if any(pieces.get(p) not in allowed for p, allowed in only.items()):
        return None
    if "count" in pieces:
        template = kind.fields.get("count")
    elif "field" in pieces:
        template = "{field}" + (".budget" if pieces.get("mode") == "control" else "")
    else:
        template = kind.fields.get(cell.row.id)
    if template is None:
        return None
    values = {k: kind.values.get(k, {}).get(v, v) for k, v in pieces.items()}
    try:
        field_id = template.format(**values)
    except (KeyError, IndexError, ValueError):
        return None
    return kind.rename.get(field_id, field_id)


def _fact(out: ReadTable, cell: Cell) -> Fact | None:
    field_id = cell_field(out, cell)
    if field_id is None:
        return None
    return Fact(
        field_id,
        cell.value,
        cell.unit,
        cell.line,
        cell.text,
        -1,
        -1,
        name=cell.row.name,
        label=f"{cell.row.label or out.name}{cell.column.name}",
        cell=True,
        subject=out.kind.subject,
        table=out.where(cell),
    )


# --------------------------------------------------------------------------- a document's tables


def _context(doc: Document, table: Table, others: set[int]) -> list[str]:
    """The lines just above a table (its caption and 单位 line), up to a line of another table."""
    lines, n = [], table.line - 1
    while n >= 1 and len(lines) < 3 and n not in others:
        text = _line(doc, n).strip()
        if len(text) > CAPTION or text.endswith(("。", "；", "，", ";")):
            break  # a sentence of the prose: what it is about is no caption of the table
        lines.insert(0, text)
        n -= 1
    return lines


def _line(doc: Document, n: int) -> str:
    starts, text = doc.report.line_starts, doc.report.text
    if not starts or n > len(starts):
        return ""
    end = starts[n] - 1 if n < len(starts) else len(text)
    return text[starts[n - 1] : end]


def read_tables(doc: Document, tables: tuple[Table, ...] | list[Table]) -> list[ReadTable]:
    """Recognise and read each table; its facts replace the phrase engine's readings of its rows' lines."""
    lines_of = {t.line_of(i) for t in tables for i in range(min(len(t.rows), MAX_CELLS))}
    read: list[ReadTable] = []
    for table in tables:
        above = _context(doc, table, lines_of)
        context = " ".join(above)
        kind = recognise(table, context)
        if kind is None:
            continue
        caption = table.title.strip() or _caption(above, kind)
        read.append(read_table(table, kind, name=caption, unit=table_unit(table, context)))
    # On a line a form read figures on, the phrase readings go (a table row read as a phrase is the error this
    # module exists to end), and so do another table reader's amounts (the 自评表 and funds-block reader,
    # :mod:`.forms`, which knows no 元 table); that reader's rates and points stay unless the form read the same
    # field or number, so a 执行率 beside the amounts the form read keeps its reading. A line the form read nothing on keeps every
    # reading: unread by the form is no evidence that the line states nothing.
    by_line: dict[int, tuple[set[str], set[tuple[str, Decimal]]]] = {}
    for r in read:
        for f in r.facts:
            fields, values = by_line.setdefault(f.line, (set(), set()))
            fields.add(f.field)
            values.add((f.unit, f.value))
    if by_line:
        doc.facts = [f for f in doc.facts if f.table or f.unit in ("claim", "date") or not _read_again(f, by_line)]
    for r in read:
        for f in r.facts:
            f.start = f.end = _offset(doc, f.line)
            if doc.kind is None or doc.kind.uses(f.field) or f.field.startswith("count."):
                doc.facts.append(f)
    doc.facts.sort(key=lambda f: (f.start, f.field))
    return read


def _read_again(fact: Fact, by_line: dict[int, tuple[set[str], set[tuple[str, Decimal]]]]) -> bool:
    """True when a form read figures on the fact's line and the fact is a phrase reading, an amount, or a
    figure the form read too (the same field, or the same number in the same unit)."""
    if fact.line not in by_line:
        return False
    fields, values = by_line[fact.line]
    return not fact.cell or fact.unit == _MONEY or fact.field in fields or (fact.unit, fact.value) in values


def _caption(above: list[str], kind: TableKind) -> str:
    """The table's name: the caption line above it when it names the form, else the form's title."""
    for line in reversed(above):
        key = table_key(line)
        if any(w in key for w, v in kind.markers.items() if v >= 4):
            return line.strip()[:60]
    return kind.title


def _offset(doc: Document, line: int) -> int:
    starts = doc.report.line_starts
    return starts[line - 1] if 0 < line <= len(starts) else len(doc.report.text)
