"""部门决算 forms flattened into one run of text, as web pages and PDF-to-text dumps give them.

A form with a 行次 (or 栏次) column numbers its rows 1, 2, 3…; flattened, it reads as its row labels each
followed by that number, and the amounts somewhere after them (a dump drops the blank cells)::

    收入支出决算总表 … 项目 行次 金额 一、一般公共预算财政拨款收入 1 二、上级补助收入 2 三、其他收入 3
    1,200.00 300.00 …  本年收入合计 4 年初结转和结余 5 总计 6 1,500.00 1,500.00 … 金额单位：元

Read as an evaluator reads it:

* the small integer right after a row label that continues the count of the rows is the row's number,
  **never an amount**; a bare integer that continues the count is a row with no label;
* a row label, its number and one amount right after them: the amount is that row's;
* a run of labels followed by as many amounts: the amounts are the rows', in order;
* a run of labels followed by a different number of amounts cannot be placed by position: the amounts are
  left unread (and the output says so), unless the form's own identities (总计 = 本年收入合计 + 年初结转…,
  the rows above a 合计 adding up to it whatever their order) fit exactly one placement;
* once a block of the form lists its amounts after its labels (more than one amount after a run), a lone
  amount after a run of labels is no longer known to be the last row's either: unread;
* a two-sided form dumped line by line gives each line's 收入 row and 支出 row side by side, so the rows' numbers
  take turns as two counts (1, 29, 2, 30 …): each row is its count's side, each amount the row's it follows.

Each block becomes a :class:`~xteval.files.documents.Table` (its label, 行次 and amount columns), read by
:mod:`.tables` like every other table; its unit is the one the flattened form states (金额单位：元), when it
states one only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..files.documents import Table
from ..money import N, NumberError
from .engine import Document
from .kinds import patterns
from .table_kinds import TableKind, forms
from .tables import ReadTable, cell_field, read_table, recognise

_RE = patterns("flat")
_CELL = patterns("forms")

MAX_BLOCKS = 24  # blocks (one 行次 header each) read in one document (a 决算 公开 has 9 forms, some of two sides)
MAX_SCANS = 200  # 行次 headers looked at in one document (a hostile text may repeat the word everywhere)
MAX_TOKENS = 1_500  # cells of one block (a 总表 side has some dozens of rows)
MAX_RUN = 12  # rows of a run whose amounts the identities may place (C(12, 6) = 924 placements at most)
PLACING_BUDGET = 5_000  # placements tried in one document, all runs together
PREAMBLE = 300  # characters before a 行次 header where its title, side and label column stand
CHAIN = 400  # characters between two blocks of one form (a note, the title repeated, the 单位 line)


@dataclass
class _Token:
    text: str
    start: int
    end: int


@dataclass
class _Run:
    rows: list[tuple[_Token, _Token]] = field(default_factory=list)  # (label, 行次)
    amounts: list[_Token] = field(default_factory=list)  # a placeholder (—) is a blank cell
    placed: list[_Token | None] | None = None  # the amount of each row, once placed


@dataclass
class _Block:
    header: _Token
    preamble: list[_Token]
    after: list[_Token]  # the header's words after 行次 (栏次, 金额)
    runs: list[_Run]
    numbers: list[_Token]
    end: int
    side: int | None = None  # the side of a two-sided form whose rows a dump gives side by side (by the side words else)
    unplaced: bool = False  # its amounts are not known to follow their own rows: none is placed


@dataclass
class Flattened:
    """What the flattened forms of a document gave: their tables, their row numbers, the amounts left unread."""

    tables: list[Table] = field(default_factory=list)
    numbers: set[int] = field(default_factory=set)  # where each row number starts: never an amount
    unread: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)  # id(table) → (line, label, reason)

    def apply(self, doc: Document, read: list[ReadTable]) -> None:
        """Drop the phrase readings of row numbers; say which amounts were left unread."""
        if self.numbers:
            doc.facts = [f for f in doc.facts if f.table or f.start not in self.numbers]
        for r in read:
            r.unread += self.unread.get(id(r.table), [])


def _tokens(text: str, lo: int, hi: int) -> list[_Token]:
    return [_Token(m.group(0), m.start(), m.end()) for m in _CELL.cell.finditer(text, lo, hi)]


def _word(t: _Token) -> bool:
    return bool(_CELL.han.search(t.text)) and not _CELL.num.match(t.text)


def _amount(t: _Token) -> bool:
    return bool(_CELL.num.match(t.text) or _CELL.placeholder.match(t.text))


def read_flattened(doc: Document, tabled: Callable[[], set[int]]) -> Flattened:
    """The flattened forms of ``doc`` (a 行次 header not on a line of a table already found: ``tabled()``, asked
    only when the text has the word)."""
    out = Flattened()
    text = doc.report.text
    if "行次" not in text and "栏次" not in text:
        return out
    skip_lines = tabled()
    blocks: list[_Block] = []
    pos = scans = 0
    at = {w: text.find(w) for w in ("行次", "栏次")}  # the next place of each word (found again only once passed)
    while len(blocks) < MAX_BLOCKS and scans < MAX_SCANS:
        at = {w: k if k < 0 or k >= pos else text.find(w, pos) for w, k in at.items()}
        found = [k for k in at.values() if k >= 0]
        if not found:
            break
        k = min(found)
        pos = k + 2
        hit = next(iter(_tokens(text, k, min(len(text), k + 8))), None)
        if hit is None or not _RE.header.match(hit.text) or k and not (text[k - 1].isspace() or text[k - 1] == "|"):
            continue  # 行次 inside a longer cell: a word of the prose
        if doc.report.line_of(hit.start) in skip_lines:
            continue
        scans += 1
        for block in _scan(text, hit, blocks[-1].end if blocks else 0):
            blocks.append(block)
            pos = max(pos, block.end)
    form: list[_Block] = []
    budget = [PLACING_BUDGET]
    for block in blocks:
        if form and block.preamble and block.preamble[0].start - form[-1].end > CHAIN:
            _read_form(doc, form, out, budget)
            form = []
        form.append(block)
    if form:
        _read_form(doc, form, out, budget)
    return out


def _scan(text: str, header: _Token, prev_end: int) -> list[_Block]:
    """The blocks after one 行次 header: one, or two when the dump gives a two-sided form's rows side by side."""
    lo = max(prev_end, header.start - PREAMBLE)
    preamble = _tokens(text, lo, header.start)
    cut = max((k for k, t in enumerate(preamble) if _RE.end.search(t.text)), default=-1)
    preamble = preamble[cut + 1 :]
    cells = _CELL.cell.finditer(text, header.end, min(len(text), header.end + MAX_TOKENS * 24))
    toks = [_Token(m.group(0), m.start(), m.end()) for m in itertools.islice(cells, MAX_TOKENS)]
    sides = _side_by_side(toks)
    if sides is None:
        block = _rows(header, preamble, toks)
        return [block] if block is not None else []
    blocks = [b for side in sides if (b := _rows(header, preamble, side)) is not None]
    if len(blocks) < 2:
        return []  # one side read and the other not: the rows were not two sides after all
    # a row followed by more amounts than its own: the dump put a line's amounts after both its rows, so a row with
    # no amount after it may yet have one; no amount of either side is placed
    unplaced = any(len(r.amounts) > len(r.rows) for b in blocks for r in b.runs)
    for k, b in enumerate(blocks):
        b.side, b.unplaced = k, unplaced
    return blocks


def _side_by_side(toks: list[_Token]) -> tuple[list[_Token], list[_Token]] | None:
    """The cells of each side of a two-sided form (收入 | 支出) whose dump gives each line's two rows side by side:
    一、…收入 1 820.50 一、…支出 29 12.00 二、…收入 2 二、…支出 30 790.30 …; None for a form of one side a line.

    The header names 行次 twice, and the rows' numbers run as two counts taking turns (1, 29, 2, 30): each row goes
    to the count its number continues, each amount to the row it follows. A label whose number continues neither
    count, or a cell that is neither, ends the rows."""
    pairs = [k for k in range(len(toks) - 1) if _word(toks[k]) and _RE.row_number.match(toks[k + 1].text)][:4]
    if len(pairs) < 4 or not any(_RE.header.match(t.text) for t in toks[: pairs[0]]):
        return None
    n = [int(toks[k + 1].text) for k in pairs]
    if not (n[1] > n[0] + 1 and n[2] == n[0] + 1 and n[3] == n[1] + 1):
        return None
    head, out = toks[: pairs[0]], ([], [])
    nexts, side, k = [n[0], n[1]], None, pairs[0]
    while k < len(toks):
        t = toks[k]
        number = toks[k + 1] if _word(t) and k + 1 < len(toks) and _RE.row_number.match(toks[k + 1].text) else None
        if _RE.end.search(t.text) or _RE.header.match(t.text):
            break
        if number is not None or _RE.row_number.match(t.text):
            value = int((number or t).text)
            if value not in nexts or nexts[0] == nexts[1]:
                break
            side = nexts.index(value)
            nexts[side] += 1
            out[side].extend([t, number] if number is not None else [t])
            k += 2 if number is not None else 1
            continue
        if side is None or not _amount(t):
            break
        out[side].append(t)
        k += 1
    return head + out[0], head + out[1]


def _rows(header: _Token, preamble: list[_Token], toks: list[_Token]) -> _Block | None:
    """The rows and amounts after one 行次 header, as runs of labelled rows each followed by its amounts."""
    runs, cur, numbers, after, columns = [], _Run(), [], [], []
    label: _Token | None = None
    last: int | None = None
    end = header.end
    for i, t in enumerate(toks):
        if _RE.end.search(t.text) or _RE.header.match(t.text) and last is not None:
            break
        end = t.end
        if _RE.header.match(t.text):
            continue
        if _word(t):
            label = t
            if last is None:
                after.append(t)
            continue
        if _RE.row_number.match(t.text) and (
            last is None and label is not None and _continues(toks, i) or last is not None and int(t.text) == last + 1
        ):
            if cur.amounts or (label is None and cur.rows):
                runs.append(cur)
                cur = _Run()
            if label is not None:
                cur.rows.append((label, t))
            numbers.append(t)
            last, label = int(t.text), None
            continue
        if last is None:
            if _RE.row_number.match(t.text) and int(t.text) == len(columns) + 1:
                columns.append(t)  # the 栏次 row under the header (1 2 3 …): column numbers, never amounts
            label = None
            continue
        if not _amount(t) or label is not None:
            break  # a label with no row number, or a cell that is neither: the form's run of cells ends
        cur.amounts.append(t)
    runs.append(cur)
    if len(numbers) < 3:
        return None
    return _Block(header, preamble, after, [r for r in runs if r.rows], numbers + columns, end)


def _continues(toks: list[_Token], i: int) -> bool:
    """Whether the next label after ``toks[i]`` is followed by the next row number (the first row of a block)."""
    n = int(toks[i].text)
    for k in range(i + 1, min(len(toks) - 1, i + 8)):
        if _word(toks[k]) and _RE.row_number.match(toks[k + 1].text):
            return int(toks[k + 1].text) == n + 1
    return False


# --------------------------------------------------------------------------- placing the amounts of a form


def _read_form(doc: Document, form: list[_Block], out: Flattened, budget: list[int]) -> None:
    """Read the blocks of one flattened form into tables (each block's amounts placed where one reading fits)."""
    text = doc.report.text
    for block in form:
        out.numbers.update(t.start for t in block.numbers)
    units = {
        m[1] or m[2]
        for m in forms().common.unit.finditer(text[form[0].preamble[0].start if form[0].preamble else form[0].header.start : form[-1].end])
    }
    heads = " ".join(t.text for b in form for t in b.preamble)
    for block in form:
        own = " ".join(t.text for t in block.preamble)
        probe = _table(doc, block, "", "", probe=True)
        kind = (recognise(probe, own) or recognise(probe, heads)) if probe is not None else None
        amount_word = _amount_column(block, kind) if kind is not None else None
        if amount_word is None or len(units) > 1:
            continue  # no form the tool knows, not one column of amounts, or two units stated: no amount is read
        unit = next(iter(units), "")
        side = block.side if block.side is not None else _side(block, kind)
        evidence = any(len(r.amounts) > 1 for r in block.runs)
        hard = any(len(r.amounts) not in (0, len(r.rows)) and (len(r.amounts) > 1 or evidence) for r in block.runs)
        probe = _table(doc, block, kind.title, unit, probe=True, side=side, amount_word=amount_word)
        fields = _fields(probe, kind, unit) if hard else {}
        unread: list[tuple[int, str, str]] = []
        for run in block.runs:
            if not block.unplaced:
                _place(run, evidence, kind, fields, block, budget)
            if run.placed is None and run.amounts:
                first = run.rows[0][0]
                unread.append(
                    (
                        doc.report.line_of(first.start),
                        first.text,
                        "同一行两侧的金额列在两侧的行之后，无法对应到行"
                        if block.unplaced
                        else f"{len(run.rows)} 行之后列出 {len(run.amounts)} 个金额，无法对应到行（转储丢失了空单元格）",
                    )
                )
        table = _table(doc, block, kind.title, unit, side=side, amount_word=amount_word)
        if table is not None:
            out.tables.append(table)
            out.unread[id(table)] = unread


def _side(block: _Block, kind: TableKind) -> int:
    """Which side of a two-sided form (收入 | 支出) the block is, by the side word before its header."""
    year = forms().common.year
    for t in reversed(block.preamble):
        e = kind.column(forms().common.clean(t.text), year)
        side = dict(e.set).get("side") if e is not None else None
        if side in kind.sides:
            return kind.sides.index(side)
    return 0


def _amount_column(block: _Block, kind: TableKind) -> str | None:
    """The one column of amounts the block's header names (金额, 决算数); None when it names none or several:
    the amounts of a row of several columns, their blanks dropped, cannot be told apart."""
    common = forms().common
    found = {}
    for t in block.preamble + block.after:
        e = kind.column(common.clean(t.text), common.year)
        if e is not None and not e.label and set(dict(e.set)) - {"side"}:
            found.setdefault(e, t.text)
    return next(iter(found.values())) if len(found) == 1 else None


def _table(
    doc: Document, block: _Block, title: str, unit: str, *, probe: bool = False, side: int = 0, amount_word: str = ""
) -> Table | None:
    """The block as a table: a header (label column, 行次, amount column) and one row per labelled row."""
    label_word = "项目"  # the label column (项目(按功能分类) as the form may write it)
    amount_word = amount_word or next((t.text for t in block.after if not _RE.header.match(t.text)), "")
    if not amount_word:
        return None
    head = (label_word, block.header.text, amount_word)
    pad = ("",) * (3 * side)  # the other side's columns, empty (a header over them keeps the sides apart)
    rows = [head * side + head]
    lines = [doc.report.line_of(block.header.start)]
    for run in block.runs:
        for k, (label, number) in enumerate(run.rows):
            amount = "1" if probe else (run.placed[k].text if run.placed and run.placed[k] is not None else "")
            rows.append(pad + (label.text, number.text, amount))
            lines.append(doc.report.line_of(label.start))
    return Table(lines[0], tuple(rows), tuple(lines), title=title, unit=unit, how="flat")


def _fields(table: Table | None, kind: TableKind, unit: str) -> dict[str, str]:
    """The field each row label fills (the function rows, 教育支出…, fill none here: no identity names them)."""
    if table is None:
        return {}
    read = read_table(table, kind, unit=unit or "万元")
    out: dict[str, str] = {}
    for row in read.rows:
        for cell in row.cells.values():
            f = cell_field(read, cell)
            if f is not None and row.name is None:
                out[row.label] = f
    return out


def _value(t: _Token | None) -> Decimal:
    if t is None or _CELL.placeholder.match(t.text):
        return Decimal(0)
    try:
        return N(t.text)
    except (NumberError, ValueError, ArithmeticError):
        return Decimal(0)


def _place(run: _Run, evidence: bool, kind: TableKind, fields: dict[str, str], block: _Block, budget: list[int]) -> None:
    """Place a run's amounts: as many as its rows by position; one right after a row, that row's (unless the
    block lists its amounts after its labels); otherwise the one placement the form's identities fit, or none."""
    n, k = len(run.rows), len(run.amounts)
    if k == 0:
        return
    if k == n:
        run.placed = list(run.amounts)
        return
    if k == 1 and not evidence:
        run.placed = [None] * (n - 1) + [run.amounts[0]]
        return
    if k > n or n > MAX_RUN:
        return
    values: dict[str, Decimal] = {}  # what the block's other runs give: placed amounts, and the sums of the unplaced
    pools: list[tuple[set[str], Decimal]] = []
    for other in block.runs:
        if other is run:
            continue
        if other.placed is None:
            pools.append(({fields.get(lab.text, "?") for lab, _ in other.rows}, sum((_value(a) for a in other.amounts), Decimal(0))))
            continue
        for (lab, _), a in zip(other.rows, other.placed, strict=True):
            if lab.text in fields:
                values[fields[lab.text]] = values.get(fields[lab.text], Decimal(0)) + _value(a)
    fitting = []
    for combo in itertools.combinations(range(n), k):
        budget[0] -= 1
        if budget[0] < 0:
            return
        placed: list[_Token | None] = [None] * n
        for j, at in enumerate(combo):
            placed[at] = run.amounts[j]
        mine = dict(values)
        for (lab, _), a in zip(run.rows, placed, strict=True):
            if lab.text in fields:
                mine[fields[lab.text]] = mine.get(fields[lab.text], Decimal(0)) + _value(a)
        if _fits(mine, pools, {fields.get(lab.text) for lab, _ in run.rows}, kind):
            fitting.append(placed)
            if len(fitting) > 1:
                return
    if len(fitting) == 1:
        run.placed = fitting[0]


def _fits(values: dict[str, Decimal], pools: list[tuple[set[str], Decimal]], mine: set[str | None], kind: TableKind) -> bool:
    """Whether a placement agrees with every identity of the form that can be evaluated, and at least one names its rows.

    A row of a placed run with no amount is 0 (a blank cell of a 决算 form); a run left unplaced is known by its
    sum only, which an identity can use when all its rows are parts of that identity."""
    evaluated = 0
    for spec in kind.checks:
        if "total" not in spec or "each" in spec:
            continue
        total = str(spec["total"])
        alt = set(max(([str(p) for p in a] for a in spec["parts"]), key=lambda a: sum(p in values for p in a)))
        if total not in values or any(total in fs for fs, _ in pools) or any(fs & alt and not fs <= alt for fs, _ in pools):
            continue
        parts = sum((values.get(p, Decimal(0)) for p in alt), Decimal(0)) + sum((s for fs, s in pools if fs <= alt), Decimal(0))
        if values[total] != parts:
            return False
        evaluated += bool(mine & (alt | {total}))
    return evaluated > 0
