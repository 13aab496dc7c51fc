"""The indicator rows of a 部门整体绩效自评表 whose header gives each row a 得分系数 (the 重庆 form):

    指标名称 | 计量单位 | 指标性质 | 年初指标值 | 调整指标值 | 全年完成值 | 得分系数(%) | 指标权重(分) | 指标得分(分) | 是否核心指标

The form is known by its header words (``indicator_form`` in ``kinds/dept_selfeval.yaml``), never by its place. Its
cells may stand apart (pipes, tabs, one cell per line) or touch (a document site's dump, blank cells dropped:
预算完成率%70%76%100%22是). Either way a row is its name, its unit word, its 指标性质, its values in that unit, its
得分系数 (a percent), then its 权重 and 得分. Two values are the 年初指标值 and the 全年完成值 (the 调整指标值
left blank), three are 年初, 调整 and 全年完成值 (when the header has the 调整 column); a row of any other shape is
left unread. Where the 权重 and 得分 touch (22: 2 and 2) they are split only when one split alone fits the form's
arithmetic, 得分 = 权重 × 得分系数 at the 得分's stated places with 0 < 权重 ≤ 100; cells that stand apart must fit
it too. A unit word that is not one, or a mark between the unit and the values (an OCR's 到0次 for ≥40次), leaves
the row unread: a figure is never guessed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .engine import Document
from .formcells import _NATURE, _RE, Cell
from .glued import GLUED_RUN_MAX, _places, _splits

REGION_MAX = 20_000  # characters after a header that are read as its rows
ROW_MAX = 80  # characters of one row whose cells touch: a longer stretch between two rows' ends ends the table
CELL_MAX = 40  # characters of one cell of a row: a longer cell (a sentence) ends the table
HEADER_SPAN = 160  # characters either side of a 得分系数 word where the header's other words are looked for
SPLITS_MAX = 64  # readings of one touching 权重/得分 run that are tried
HEADERS_MAX = 32  # 得分系数 words of a text looked at as a header's (a hostile text may repeat it endlessly)


@dataclass
class _Header:
    start: int
    end: int
    columns: set[str]
    touching: bool  # its words touch: the rows' cells do too


@dataclass
class _Row:
    name: str
    start: int  # the name's offset
    end: int  # after the row's last figure
    unit: str
    nature: str | None  # the kind its 指标性质 cell states ('' for 定量), None without one
    values: list[tuple[str, str]] = field(default_factory=list)  # (comparator, numeral) of each value
    coef: str = ""
    tail: list[str] = field(default_factory=list)  # [权重, 得分], or the one run where they touch


def read_indicator_form(doc: Document, form: dict[str, Any]) -> None:
    """Add the goals of every such form in ``doc``; a goal the prose reader took from the form's rows gives way."""
    text = doc.report.text
    found: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    for header in _headers(text, form):
        hi = min(len(text), header.end + REGION_MAX)
        rows = _touching_rows(text, header, hi, form) if header.touching else _apart_rows(text, header, hi, form)
        goals = [g for row in rows if row is not None and (g := _goal(doc, row, header, form)) is not None]
        partial = header.touching or len(goals) < len(rows)
        for g in goals:
            g["collapsed"] = partial  # rows read only in part: no sum over their 权重 or 得分 is checked
        found += goals
        if goals:
            spans.append((header.start, max(g["end"] for g in goals)))
    if found:
        doc.goals = [g for g in doc.goals if not any(a <= g.get("start", -1) < b for a, b in spans)] + found


def _headers(text: str, form: dict[str, Any]) -> list[_Header]:
    """Each header of the form in ``text``: at least ``least`` of its column words in the form's order, around a
    得分系数 word, the required ones among them."""
    out: list[_Header] = []
    tries = 0
    for word in form["columns"]["coefficient"]:
        k = text.find(word)
        while k >= 0 and tries < HEADERS_MAX:
            tries += 1
            if not any(h.start <= k < h.end for h in out):
                header = _header_at(text, max(0, k - HEADER_SPAN), min(len(text), k + HEADER_SPAN), form)
                if header is not None:
                    out.append(header)
            k = text.find(word, k + len(word))
    return sorted(out, key=lambda h: h.start)


def _header_at(text: str, lo: int, hi: int, form: dict[str, Any]) -> _Header | None:
    """The form's header between ``lo`` and ``hi``, its words looked for in the form's order, or None."""
    spans: list[tuple[str, int, int]] = []
    pos = lo
    for col, words in form["columns"].items():
        hits = [(k, k + len(w)) for w in words if (k := text.find(w, pos, hi)) >= 0]
        if not hits:
            continue
        start, end = min(hits)
        if m := _RE.header_unit.match(text, end):
            end = m.end()
        spans.append((col, start, end))
        pos = end
    cols = {c for c, _, _ in spans}
    if len(spans) < int(form["least"]) or not set(form["required"]) <= cols:
        return None
    gaps = [text[a[2] : b[1]] for a, b in itertools.pairwise(spans)]
    return _Header(spans[0][1], spans[-1][2], cols, touching=any(g == "" for g in gaps))


# --------------------------------------------------------------------------- cells that touch


def _touching_rows(text: str, header: _Header, hi: int, form: dict[str, Any]) -> list[_Row | None]:
    """The rows after a header whose cells touch: each ends with its 得分系数 and its 权重/得分 run."""
    region = _RE.ocr_zero.sub("0", text[header.end : hi])  # as long as the text: every place stays
    rows: list[_Row | None] = []
    prev = 0
    for m in _RE.coef_tail.finditer(region):
        if m.start() - prev > ROW_MAX:
            break  # more than a row between two rows' ends: the table is over
        row = _touching_row(region[prev : m.start()], header.end + prev, header, form)
        if row is not None:
            row.coef, row.tail, row.end = m["coef"], [m["run"]], header.end + m.end()
        rows.append(row)
        prev = m.end()
    return rows


def _touching_row(t: str, offset: int, header: _Header, form: dict[str, Any]) -> _Row | None:
    """A row's name, unit, 指标性质 and values, from its text before its 得分系数 (财政供养人员控制率%定量指标100%92%)."""
    if "core" in header.columns:
        lead = next((w for w in form["core_values"] if t.startswith(w)), "")
        t, offset = t[len(lead) :], offset + len(lead)
    runs = list(_RE.digit_run.finditer(t))
    if not runs or not _RE.unit_word.match(unit := t[runs[-1].end() :]):
        return None
    first = len(runs) - 1
    while first > 0:  # the values before: each after the unit word of the one before it (and its comparator)
        gap = t[runs[first - 1].end() : runs[first].start()]
        if not gap.startswith(unit) or gap[len(unit) :] not in ("", *_NATURE):
            break
        first -= 1
    values = [(c if (c := t[r.start() - 1 : r.start()]) in _NATURE else "", r[0]) for r in runs[first:]]
    prefix = t[: runs[first].start() - len(values[0][0])]
    nature = None
    for word, kind in form["_natures"]:
        if prefix.endswith(word):
            prefix, nature = prefix[: -len(word)], kind
            break
    if not prefix.endswith(unit):
        return None  # no unit word before the values (an OCR's mark, or a unit that is not the values')
    return _named(prefix[: -len(unit)], offset, unit, nature, values)


def _named(raw: str, offset: int, unit: str, nature: str | None, values: list[tuple[str, str]]) -> _Row | None:
    """A row with its name cleaned of what a dump puts before it (a line's page number 3、), or None when the name
    is no indicator's (no Chinese, too long, or an OCR's Latin letters in it)."""
    cut = raw.rfind("\n") + 1
    lead = _RE.row_lead.match(raw, cut)
    cut = lead.end() if lead else cut
    name = raw[cut:].strip()
    if not name or not _RE.han.search(name) or len(name) > CELL_MAX or _RE.latin.search(name):
        return None
    return _Row(name, offset + raw.index(name, cut), offset + len(raw), unit, nature, values)


# --------------------------------------------------------------------------- cells that stand apart


def _apart_rows(text: str, header: _Header, hi: int, form: dict[str, Any]) -> list[_Row | None]:
    """The rows after a header whose cells stand apart: a row ends at its 是否核心指标 cell, or where a word follows
    its figures."""
    core = form["core_values"] if "core" in header.columns else ()
    groups: list[list[Cell]] = []
    row: list[Cell] = []
    for m in _RE.cell.finditer(text, header.end, hi):
        c = Cell(m[0], m.start(), m.end(), 0)
        if len(c.text) > CELL_MAX or c.text.endswith("。"):
            break  # a sentence: the prose after the table
        if row and _figure(row[-1].text) and not _figure(c.text) and c.text not in core:
            groups.append(row)
            row = []
        row.append(c)
        if c.text in core:
            groups.append(row)
            row = []
    groups += [row] if row else []
    return [_apart_row(g, form, core) for g in groups]


def _figure(text: str) -> tuple[str, str, str] | None:
    """(comparator, numeral, unit word) of a cell that is one figure (≥90%, 612盏, 10), else None."""
    m = _RE.comparator.match(text)
    if not m or m["unit"] and not _RE.unit_word.match(m["unit"]) or "," in m["num"]:
        return None
    return m["cmp"] or "", m["num"], m["unit"]


def _apart_row(cs: list[Cell], form: dict[str, Any], core: tuple[str, ...] | list[str]) -> _Row | None:
    """One row of cells: name, unit word, 指标性质, values, 得分系数, 权重, 得分 (a blank cell dropped)."""
    if len(cs) < 4 or not _RE.han.search(cs[0].text) or _figure(cs[0].text):
        return None
    rest = cs[1:-1] if cs[-1].text in core else cs[1:]
    unit = rest[0].text if rest and _RE.unit_word.match(rest[0].text) else ""
    rest = rest[1:] if unit else rest
    natures = dict(form["_natures"])
    nature = natures.get(rest[0].text) if rest else None
    rest = rest[1:] if rest and rest[0].text in natures else rest
    figures = []
    for c in rest:
        if (f := _figure(c.text)) is None:
            return None
        figures.append(f)
    if len(figures) < 3:
        return None
    apart = len(figures) >= 4 and all(not f[0] and not f[2] for f in figures[-2:])
    tail, coef = (figures[-2:], figures[-3]) if apart else (figures[-1:], figures[-2])
    values = figures[: len(figures) - len(tail) - 1]
    units = {f[2] for f in values} - {""}
    if coef[0] or coef[2] not in ("", "%") or any(f[0] or f[2] for f in tail) or len(units | ({unit} - {""})) > 1:
        return None
    row = _named(cs[0].text, cs[0].start, unit or next(iter(units), ""), nature, [(f[0], f[1]) for f in values])
    if row is not None:
        row.coef, row.tail, row.end = coef[1], [f[1] for f in tail], cs[-1].end
    return row


# --------------------------------------------------------------------------- a row's goal


def _goal(doc: Document, row: _Row, header: _Header, form: dict[str, Any]) -> dict[str, Any] | None:
    """The goal a row states, when its shape is the form's and its 权重/得分 fit its 得分系数; else None."""
    if len(row.values) == 2:
        target, adjusted, actual = row.values[0], None, row.values[1]
    elif len(row.values) == 3 and "adjusted" in header.columns:
        target, adjusted, actual = row.values
    else:
        return None
    if row.nature == "qualitative" or not _RE.glued_numeral.fullmatch(row.coef):
        return None
    coef = Decimal(row.coef.rstrip("%"))
    points = _weight_score(row.tail, coef) if 0 <= coef <= 100 else None
    if points is None:
        return None
    reverse = any(p.search(row.name) for p in form["_reverse"])
    kind = _NATURE.get(target[0]) or row.nature or ("reverse" if reverse else "positive")
    line = doc.report.line_of(row.start)
    goal = {"name": row.name, "level1": None, "level2": None, "kind": kind, "unit": row.unit}
    goal |= {"target": Decimal(target[1]), "actual": Decimal(actual[1]), "line": line, "target_line": line}
    goal |= {"start": row.start, "end": row.end, "quote": doc.report.quote(row.start, row.end)}
    goal |= {"weight": points[0], "weight_line": line, "score": points[1], "coefficient": coef}
    if adjusted is not None:
        goal["adjusted_target"] = Decimal(adjusted[1])
    return goal


def _weight_score(tail: list[str], coef: Decimal) -> tuple[Decimal, Decimal] | None:
    """(权重, 得分) of a row: the one reading of its tail with 0 < 权重 ≤ 100 and 得分 = 权重 × 得分系数 at the 得分's
    stated places; None when no reading fits or several do."""
    if len(tail) == 2:
        readings: list[list[str]] = [tail]
    elif len(tail) == 1 and len(tail[0]) <= GLUED_RUN_MAX:
        readings = list(itertools.islice(_splits(tail[0], 2), SPLITS_MAX))
    else:
        return None
    fitting = []
    for w, s in readings:
        if not all(_RE.glued_numeral.fullmatch(x) and not x.endswith("%") and _places(x) <= 2 for x in (w, s)):
            continue
        weight, score = Decimal(w), Decimal(s)
        if 0 < weight <= 100 and abs(weight * coef / 100 - score) * 2 <= Decimal(1).scaleb(-_places(s)):
            fitting.append((weight, score))
    return fitting[0] if len(fitting) == 1 else None
