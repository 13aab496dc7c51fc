"""The 自评表 as text: the funds block and the indicator rows of a 项目支出绩效自评表, read as a table.

However the form arrived (cells split by ``|``, tabs, runs of spaces, one cell per line, or the
whole form collapsed into one line), it is read as a sequence of cells. The funds block's
column words (年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分 — or 年初预算, 调整后预算数,
预算执行数, 预算执行率, 权重, 得分) give the order of the columns, and each row word
(年度资金总额, 其中：当年财政拨款, 上年结转资金…) takes the numbers after it in that order. An
indicator row is a name followed by its 指标值, 完成值, 分值 and 得分 (with 指标性质 and 度量单位
columns where the form has them). The words are the kind YAML's ``form`` section.

The 三公经费支出决算表 of a 部门决算, pasted as text, is read by :func:`read_three_public_table`:
its header's 预算数/决算数 words and the form's fixed column order (``three_public_table`` in
``kinds/fields.yaml``) give each figure of its one row of numbers its field.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..money import D
from .engine import Document, Fact
from .kinds import patterns, vocabulary

_RE = patterns("forms")  # its phrasings (fields.yaml), each named by its key where it is matched
_NATURE = {"≥": "positive", "≧": "positive", ">": "positive", "≤": "reverse", "≦": "reverse", "<": "reverse", "=": "equal", "﹦": "equal"}
_NATURE_WORDS = {"定性": "qualitative", "正向": "positive", "反向": "reverse", "等于": "equal", "定量": None}


@dataclass
class Cell:
    text: str
    start: int
    end: int
    line: int


def cells(doc: Document, near: re.Pattern | None = None) -> list[Cell]:
    """Every cell (a run of text between whitespace or ``|``) of the report, in order.

    With ``near``, only the cells within a few lines of where the pattern occurs (a table in a long
    prose report is a few lines; reading the whole report cell by cell would cost more than the table).
    """
    report = doc.report
    text = report.text
    if near is None:
        return [Cell(m.group(0), m.start(), m.end(), report.line_of(m.start())) for m in _RE.cell.finditer(text)]
    out: list[Cell] = []
    end = 0
    for hit in near.finditer(text):
        lo = max(end, report.line_starts[max(0, report.line_of(hit.start()) - 4)])
        last = min(len(report.line_starts), report.line_of(hit.start()) + 12)
        hi = report.line_starts[last] if last < len(report.line_starts) else len(text)
        if hi <= lo:
            continue
        out += [Cell(m.group(0), m.start(), m.end(), report.line_of(m.start())) for m in _RE.cell.finditer(text, lo, hi)]
        end = hi
    return out


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.rstrip("%").replace(",", "").replace("−", "-"))
    except InvalidOperation:
        return None


def _clean(text: str) -> str:
    return _RE.list_lead.sub("", text).strip("：:")


def read_form(doc: Document, form: dict[str, Any], indicators: bool = True) -> None:
    """Add the facts and goals of a 自评表 to ``doc`` (funds block, indicator rows, 总分)."""
    cs = cells(doc) if indicators else cells(doc, near=form["_words"])
    columns, rows = form["_columns"], form["_rows"]
    longest = 24  # a column or row word is short: a longer cell is prose, decided without a regular expression
    seen: dict[tuple[str, str], str | None] = {}

    def column_of(text: str) -> str | None:
        if len(text) > longest or not _RE.han.search(text):
            return None
        if ("c", text) not in seen:
            seen[("c", text)] = next((k for k, pats in columns.items() if any(p.match(text) for p in pats)), None)
        return seen[("c", text)]

    def row_of(text: str) -> str | None:
        if len(text) > longest + 4 or not _RE.han.search(text):
            return None
        if ("r", text) not in seen:
            t = _clean(text)
            seen[("r", text)] = next((k for k, pats in rows.items() if any(p.match(t) for p in pats)), None)
        return seen[("r", text)]

    glued = indicators and _unglued(cs, form, column_of)
    if glued:
        cs = glued
    state = _Glued()  # in a collapsed form: the 年度资金总额 row's figures, and what is left of the budget of splits
    order: list[str] = []
    i = 0
    indicator_at = None
    while i < len(cs):
        text = cs[i].text
        joined = text + cs[i + 1].text if i + 1 < len(cs) else ""
        col = column_of(text)
        if col is None and joined and column_of(joined) and not column_of(cs[i + 1].text):
            col, i = column_of(joined), i + 1  # a header cell broken in two (年初 / 预算数)
        if col:
            if order and col == order[0] and len(order) > 2:
                order = []
            if col not in order:
                order.append(col)
            i += 1
            continue
        row = row_of(text)
        if row is not None and order and glued:
            i = _glued_funds_row(doc, cs, i, row, order, state)
            continue
        if row is not None and order:
            i = _funds_row(doc, cs, i + 1, row, order, form.get("fields"))
            continue
        if form.get("headless") and len(order) >= 2 and _RE.num.match(text) and cs[i - 1].line < cs[i].line:
            # the header row, then a row of numbers with no row word (一张只有一行的预算情况表)
            i = _funds_row(doc, cs, i, "", order, form.get("fields"))
            order = []
            continue
        if indicators and any(p.match(text) for p in form["_indicator_header"]):
            indicator_at = i
            break
        i += 1
    if glued:
        _glued_total(doc, cs, form)
        _glued_indicators(doc, form, state)
        # In a collapsed form the prose reader takes a run of digits for one number (项目计划总投资1048万元
        # is 分值 10 and 指标值 48): a field the form's arithmetic gave is the form's alone.
        given = {f.field for f in doc.facts if f.cell}
        doc.facts = [f for f in doc.facts if f.cell or f.field not in given]
    elif indicator_at is not None and indicators:
        _indicators(doc, cs, indicator_at, form)
    if indicators:
        _level1_points(doc, form)


def _unit_of(column: str) -> str:
    """The unit of a funds-block column: 执行率 in %, 分值 and 得分 in points, the rest in 万元."""
    return "%" if column == "execution_rate" else "分" if column in ("execution_weight", "execution_score") else "万元"


def _emit(doc: Document, field: str, cell: Cell, value: Decimal, unit: str, label: str | None = None, **extra) -> Fact:
    f = Fact(field, value, unit, cell.line, cell.text, cell.start, cell.end, label=label or field, cell=True, **extra)
    doc.facts.append(f)
    return f


def _funds_row(doc: Document, cs: list[Cell], i: int, row: str, order: list[str], fields: dict[str, str] | None = None) -> int:
    """The numbers after a row word, column by column; returns where the row ends.

    ``fields`` names the field of each column (a department's 预算情况 table); by default a column is
    ``project.<row>.<column>``.
    """
    k = 0
    prefix = "project." + (f"{row}." if row else "")
    while i < len(cs) and k < len(order):
        text = cs[i].text
        if _RE.placeholder.match(text):
            k, i = k + 1, i + 1
            continue
        if not _RE.num.match(text):
            break
        col = order[k]
        value = _number(text)
        if row and col in ("execution_weight", "execution_score"):
            k, i = k + 1, i + 1  # a source row has no weight or score of its own
            continue
        if col == "execution_rate" and not text.endswith("%") and value is not None and value <= 1 and "." in text:
            value = value * 100  # 执行率 written as a fraction: 1 or 0.95
        unit = _unit_of(col)
        if value is not None:
            _emit(doc, fields[col] if fields and col in fields else prefix + col, cs[i], value, unit)
        k, i = k + 1, i + 1
    return i


# --------------------------------------------------------------------------- a collapsed form
# A form copied from a web page or a document site's dump often comes as one run of text with its
# cells touching: 年度资金总额:4845.61095.00%9.5 for 48, 45.6, 10, 95.00% and 9.5. Its words are cut
# out where they stand, and a run of digits is split into the row's figures only when exactly one
# split fits the arithmetic the form itself states (执行率 = B ÷ A, 得分 ≤ 分值, a source ≤ its total).
# Anything else is left unread: a figure is never guessed.

GLUED_RUN_MAX = 40  # characters of one run of digits that are split (a row's five figures fit in far fewer)
GLUED_SPLITS_MAX = 20_000  # readings tried in one document (a form's rows take tens): many long runs cost no more
_AMOUNT_COLUMNS = ("initial_budget", "full_year_budget", "executed")


@dataclass
class _Glued:
    totals: dict[str, Decimal] = field(default_factory=dict)  # the 年度资金总额 row's figures: the bound of its sources'
    budget: int = GLUED_SPLITS_MAX


def _unglued(cs: list[Cell], form: dict[str, Any], column_of: Callable[[str], str | None]) -> list[Cell] | None:
    """The cells of a form whose cells touch, cut at its words and its runs of digits; None when its cells stand apart."""
    if any(column_of(c.text) for c in cs):
        return None
    first = next((k for k, c in enumerate(cs) if len(c.text) > 24 and form["_words"].search(c.text)), None)
    if first is None:
        return None
    out = cs[:first]
    for cell in cs[first:]:
        cuts = {0, len(cell.text)}
        for m in _RE.glued_run.finditer(cell.text):
            cuts |= {m.start(), m.end()}
        cuts |= {m.start() for m in form["_glue_words"].finditer(cell.text)}
        edges = sorted(cuts)
        out += [Cell(cell.text[a:b], cell.start + a, cell.start + b, cell.line) for a, b in zip(edges, edges[1:], strict=False)]
    return out


def _splits(run: str, n: int) -> Iterator[list[str]]:
    """Every way to read ``run`` as ``n`` numerals written side by side."""
    size = len(run)
    # where a numeral starting at each place may end: asked once per place, not once per reading
    ends = [[j for j in range(i + 1, size + 1) if _RE.glued_numeral.fullmatch(run, i, j)] for i in range(size)]
    # whether the rest from a place splits into k numerals: no reading is begun that cannot be finished,
    # so the work is the readings themselves (which the caller's budget counts), not the dead ends
    fits = [[False] * (n + 1) for _ in range(size + 1)]
    fits[size][0] = True
    for i in range(size - 1, -1, -1):
        for k in range(1, n + 1):
            fits[i][k] = any(fits[j][k - 1] for j in ends[i])

    def walk(i: int, k: int) -> Iterator[list[str]]:
        for j in ends[i]:
            if fits[j][k - 1]:
                yield from ([run[i:j], *rest] for rest in walk(j, k - 1)) if k > 1 else ([run[i:]],)

    if size and n:
        yield from walk(0, n)


def _places(text: str) -> int:
    return len(text.rstrip("%").partition(".")[2])


def _fits(values: dict[str, str], totals: dict[str, Decimal]) -> bool:
    """Whether one reading of a row's figures agrees with what the form states of them."""
    if any(text.endswith("%") and col != "execution_rate" for col, text in values.items()):
        return False  # only 执行率 is written with %
    if any(_places(t) > (6 if col in _AMOUNT_COLUMNS else 2) for col, t in values.items()):
        return False
    v = {col: Decimal(t.rstrip("%")) for col, t in values.items()}
    if any(v[col] > totals[col] for col in v if col in totals):
        return False
    weight, score, rate = v.get("execution_weight"), v.get("execution_score"), v.get("execution_rate")
    if weight is not None and not 0 < weight <= 100 or score is not None and weight is not None and score > weight:
        return False
    if rate is not None:
        budget, executed = v.get("full_year_budget", v.get("initial_budget")), v.get("executed")
        if budget is None or executed is None or budget <= 0:
            return False
        if abs(executed / budget * 100 - rate) > Decimal(1).scaleb(-_places(values["execution_rate"])):
            return False
        if score is not None and weight is not None and score > weight * min(rate, Decimal(100)) / 100 + weight / 20:
            return False  # a score the rate cannot earn
    return True


def _one_reading(run: str, columns: list[str], totals: dict[str, Decimal], state: _Glued) -> dict[str, str] | None:
    """The one reading of ``run`` as ``columns`` that fits, or None (none fits, several do, or the budget is spent)."""
    if len(run) > GLUED_RUN_MAX or not columns:
        return None
    fitting = []
    for parts in _splits(run, len(columns)):
        state.budget -= 1
        if state.budget < 0:
            return None
        reading = dict(zip(columns, parts, strict=True))
        if _fits(reading, totals):
            fitting.append(reading)
            if len(fitting) > 1:
                return None
    return fitting[0] if fitting else None


def _glued_funds_row(doc: Document, cs: list[Cell], i: int, row: str, order: list[str], state: _Glued) -> int:
    """A row word and the run of digits after it, split into the row's columns when one reading alone fits."""
    if i + 1 >= len(cs) or not _RE.glued_run.fullmatch(cs[i + 1].text):
        return i + 1
    run = cs[i + 1]
    columns = order if not row else [c for c in order if c in _AMOUNT_COLUMNS]  # a source row has no 分值, 执行率 or 得分
    reading = _one_reading(run.text, columns, state.totals if row else {}, state)
    if reading is None:
        return i + 2
    quote = cs[i].text + run.text
    at = run.start
    for col, text in reading.items():
        value = Decimal(text.rstrip("%"))
        unit = _unit_of(col)
        field_id = "project." + (f"{row}." if row else "") + col
        doc.facts.append(Fact(field_id, value, unit, run.line, quote, at, at + len(text), label=field_id, cell=True))
        at += len(text)
        if not row:
            state.totals[col] = value
    return i + 2


def _glued_total(doc: Document, cs: list[Cell], form: dict[str, Any]) -> None:
    """The 总分 row of a collapsed form: its 满分 and 得分 (总分10099.5), when one split alone fits."""
    for k, cell in enumerate(cs[:-1]):
        if not any(p.match(cell.text) for p in form["_total_row"]) or not _RE.glued_run.fullmatch(cs[k + 1].text):
            continue
        run = cs[k + 1]
        if len(run.text) > GLUED_RUN_MAX or "%" in run.text:
            return
        pairs = [p for p in _splits(run.text, 2) if 0 < Decimal(p[0]) <= 100 and Decimal(p[1]) <= Decimal(p[0])]
        if len(pairs) == 1:
            top, score = pairs[0]
            quote = cell.text + run.text
            doc.facts.append(Fact("project.score_max", Decimal(top), "分", run.line, quote, run.start, run.start + len(top), cell=True))
            doc.facts.append(Fact("project.score", Decimal(score), "分", run.line, quote, run.start + len(top), run.end, cell=True))
        return


GLUED_REGION_MAX = 20_000  # characters of a collapsed form's indicator rows that are read


def _glued_indicators(doc: Document, form: dict[str, Any], state: _Glued) -> None:
    """The indicator rows of a collapsed form (更换节能灯具20≥600盏612盏20): 分值, 指标值, 完成值 and 得分.

    A row is its name, then its figures joined only by a unit word and a comparator (≥600盏, 100%). Its first
    run of digits may hold the 分值 and the 指标值 side by side (1020万元: 10 and 20 万元); it is split only when
    one split alone fits: a 分值 above 0 and no more than the points of the section it stands in (数量指标(10分))
    nor 100, a 得分 no more than its 分值, the 指标值 and the 完成值 in one unit word. An OCR's letter O between
    two digits is a 0. A row of another shape, or with several readings, is left unread. Such a form's rows
    are read only in part, so no sum of the rows' 分值 or 得分 is checked from them (``collapsed``).
    """
    text = doc.report.text
    found = [k for w in form.get("indicator_header") or () if (k := text.find(w)) >= 0]
    if not found:
        return
    lo = min(found)
    hi = min([lo + GLUED_REGION_MAX, len(text), *(k for w in form.get("total_row") or () if (k := text.find(w, lo)) >= 0)])
    region = _RE.ocr_zero.sub("0", text[lo:hi])  # as long as the text: every place stays
    points = [(m.end(), Decimal(m["points"])) for m in _RE.section_points.finditer(region)]
    words = sorted({w for key in ("level1", "level2", "level1_others") for w in form.get(key) or ()}, key=len, reverse=True)
    groups: list[list[re.Match]] = []
    for m in _RE.digit_run.finditer(region):
        if groups and _separator(region[groups[-1][-1].end() : m.start()]) is not None:
            groups[-1].append(m)
        else:
            groups.append([m])
    prev = 0
    orders = _row_orders(region[: groups[0][0].start()] if groups else "", form)
    for g in groups:
        start = max([prev] + [end for end, _ in points if end <= g[0].start()])
        prev = g[-1].end()
        bound = min([Decimal(100)] + [p for end, p in points if end <= g[0].start()][-1:])
        reading = _glued_indicator(region, g, bound, state, orders)
        name = region[start : g[0].start()]
        for w in words:
            name = name.rpartition(w)[2]
        name = _RE.indicator_number.sub("", name.strip("：:、 \n")).strip("：:、 ").rstrip("".join(_NATURE))  # ≥600: its comparator
        if reading is None or not _RE.han.search(name) or len(name) > 40:
            continue
        weight, target, cmp, actual, score, unit = reading
        line = doc.report.line_of(lo + g[0].start())
        if target is None:  # a row with no 指标值: the form's 预算执行率 row (分值, 执行率, 得分), or nothing to check
            _glued_execution_row(doc, form, name, reading, lo + g[0].start(), lo + g[-1].end())
            continue
        goal = {"name": name, "level1": None, "level2": None, "kind": _NATURE.get(cmp) or "positive", "unit": unit}
        goal |= {"target": target, "actual": actual, "line": line, "target_line": line, "start": lo + g[0].start() - len(name)}
        goal |= {"quote": doc.report.quote(lo + g[0].start() - len(name), lo + g[-1].end()), "collapsed": True}
        goal |= {"weight": weight, "weight_line": line} | ({"score": score} if score is not None else {})
        doc.goals.append(goal)


def _glued_execution_row(doc: Document, form: dict[str, Any], name: str, reading: tuple, start: int, end: int) -> None:
    """An indicator row named as the funds block's 执行率 column (预算执行率10—100%9): its 分值, rate and 得分,
    unless the funds block gave them."""
    weight, _, _, rate, score, unit = reading
    if unit != "%" or not any(p.match(name) for p in form["_columns"]["execution_rate"]) or score is None:
        return
    if any(f.field.startswith("project.execution_") for f in doc.facts):
        return
    line, quote = doc.report.line_of(start), name + doc.report.text[start:end]
    for field_id, value, u in (("weight", weight, "分"), ("rate", rate, "%"), ("score", score, "分")):
        doc.facts.append(
            Fact(f"project.execution_{field_id}", value, u, line, quote, start, end, label=f"project.execution_{field_id}", cell=True)
        )


def _row_orders(head: str, form: dict[str, Any]) -> set[str]:
    """The orders a collapsed form's rows may have, by its header: ``first`` (分值, 指标值, 完成值, 得分) or ``last``
    (指标值, 完成值, 分值, 得分); both when the header names neither word (an OCR garbled it)."""
    words = form.get("indicator_order") or {}
    at = {k: min((i for w in words.get(k) or () if (i := head.find(w)) >= 0), default=-1) for k in ("weight", "target")}
    if at["weight"] < 0 or at["target"] < 0:
        return {"first", "last"}
    return {"first"} if at["weight"] < at["target"] else {"last"}


def _separator(text: str) -> tuple[str, str] | None:
    """(unit word, comparator) when ``text`` between two runs of digits of a row is only those, else None."""
    if _RE.glued_dash.match(text):
        return "", "—"
    cmp = text[-1:] if text[-1:] in _NATURE else ""
    unit = text[: len(text) - len(cmp)]
    if not text or unit and not _RE.unit_word.match(unit):
        return None
    return unit, cmp


def _glued_indicator(region: str, g: list[re.Match], bound: Decimal, state: _Glued, orders: set[str]) -> tuple | None:
    """(分值, 指标值, its comparator, 完成值, 得分 or None, unit) of one row's runs, when one reading alone fits
    (in every order the header leaves open)."""
    texts = [m[0] for m in g]
    seps = [_separator(region[a.end() : b.start()]) or ("", "") for a, b in zip(g, g[1:], strict=False)]
    if not seps:
        return None
    tail = region[g[-1].end() : g[-1].end() + 4]
    fitting = _fits_row(_first_order(texts, seps, tail, state), bound, state) if "first" in orders else []
    if "last" in orders and len(g) == 3 and seps[0][0] and seps[1] == (seps[0][0], ""):  # ≥600盏612盏2020
        before = region[g[0].start() - 1 : g[0].start()]
        splits = [(w, texts[0], texts[1], s) for w, s in itertools.islice(_splits(texts[2], 2), 64)]
        state.budget -= len(splits)
        fitting += _fits_row((splits, seps[0][0], before if before in _NATURE else ""), bound, state)
    return fitting[0] if len(fitting) == 1 else None


def _first_order(texts: list[str], seps: list[tuple[str, str]], tail: str, state: _Glued) -> tuple[list, str, str]:
    """The readings of a row whose 分值 comes first: (readings as (分值, 指标值, 完成值, 得分) texts, unit, comparator)."""
    n = len(texts)
    if seps[0] == ("", "—") and n == 3 and seps[1][0] and not seps[1][1] and not tail.startswith(seps[1][0]):
        return [(texts[0], None, texts[1], texts[2])], seps[1][0], ""  # 10—100%9: 分值, the 指标值's dash, 完成值, 得分
    if not seps[0][0] and seps[0][1] in _NATURE and n in (3, 4):  # 10≥266米≥266米10: the 分值 alone, then the 指标值
        unit = seps[1][0]
        ends = n == 4 and seps[2] == (unit, "") or n == 3 and tail.startswith(unit)
        return ([(texts[0], texts[1], texts[2], texts[3] if n == 4 else None)] if unit and ends else []), unit, seps[0][1]
    if seps[0][0] and n in (2, 3):  # 1020万元20万元10: the 分值 and the 指标值 in one run
        unit = seps[0][0]
        if not (n == 3 and seps[1] == (unit, "") or n == 2 and tail.startswith(unit)):
            return [], unit, ""
        rest = (texts[1], texts[2] if n == 3 else None)
        readings = [(w, a, *rest) for w, a in itertools.islice(_splits(texts[0], 2), 64)]
        state.budget -= len(readings)
        return readings, unit, ""
    return [], "", ""


def _fits_row(found: tuple[list, str, str], bound: Decimal, state: _Glued) -> list[tuple]:
    """The readings of a row that fit: a 分值 above 0 and within the bound (one decimal at most), a 得分 within it."""
    readings, unit, cmp = found
    fitting = []
    for w, a, b, s in readings:
        if not all(_RE.glued_numeral.fullmatch(t) for t in (w, a, b, s) if t is not None):
            continue
        weight, score = Decimal(w), Decimal(s) if s is not None else None
        if 0 < weight <= bound and _places(w) <= 1 and (score is None or score <= weight) and state.budget >= 0:
            fitting.append((weight, Decimal(a) if a is not None else None, cmp, Decimal(b), score, unit))
    return fitting


def _level1_points(doc: Document, form: dict[str, Any]) -> None:
    """The points the form gives its 一级指标 (产出指标(50分)…), when one whole set of them stands in it, each once."""
    found = [(m["word"], m) for m in form["_level1_points"].finditer(doc.report.text)]
    words = [w for w, _ in found]
    for level1_set in form.get("level1_sets") or ():
        if sorted(words) == sorted(level1_set):
            for word, m in found:
                line = doc.report.line_of(m.start())
                doc.facts.append(
                    Fact("score.level1_weight", Decimal(m["points"]), "分", line, m[0], m.start(), m.end(), name=word, cell=True)
                )
            return


def _split_value(text: str) -> tuple[str | None, Decimal | None, str]:
    """A 指标值 or 完成值 cell: (comparator kind, number, unit), or (None, None, text) for a qualitative value."""
    m = _RE.comparator.match(text)
    if not m:
        return None, None, text
    return _NATURE.get(m["cmp"] or ""), _number(m["num"]), m["unit"]


def _indicators(doc: Document, cs: list[Cell], start: int, form: dict[str, Any]) -> None:
    """Indicator rows after the header, and the 总分 row."""
    level1_words, level2_words = form["_level1"], form["_level2"]
    header = _RE.header_words
    level1 = level2 = None
    i = start
    while i < len(cs):
        text = cs[i].text
        if any(p.match(text) for p in form["_total_row"]):
            nums = [c for c in cs[i + 1 : i + 4] if _RE.num.match(c.text)]
            if len(nums) >= 2:
                _emit(doc, "project.score_max", nums[0], _number(nums[0].text), "分")
                _emit(doc, "project.score", nums[1], _number(nums[1].text), "分")
            elif len(nums) == 1:
                _emit(doc, "project.score", nums[0], _number(nums[0].text), "分")
            break
        if any(p.match(text) for p in level1_words):
            level1, i = text, i + 1
            continue
        if any(p.match(text) for p in level2_words) and len(text) <= 10:
            level2, i = text, i + 1
            continue
        if (
            _RE.han.search(text)
            and not _RE.num.match(text)
            and not (header.fullmatch(text) or len(text) <= 6 and header.search(text) or _RE.reason_words.search(text))
            and not _RE.unnamed_indicator.fullmatch(text)
        ):
            j = _indicator(doc, cs, i, level1, level2)
            i = j if j > i else i + 1
            continue
        i += 1


def _indicator(doc: Document, cs: list[Cell], i: int, level1: str | None, level2: str | None) -> int:
    """One indicator row starting at its name cell; returns the index after it (or ``i`` if it is none)."""
    name = cs[i]
    j = i + 1
    nature = None
    if j < len(cs) and (cs[j].text in _NATURE or cs[j].text in _NATURE_WORDS):
        nature = _NATURE.get(cs[j].text) or _NATURE_WORDS.get(cs[j].text)
        j += 1
    if j + 1 >= len(cs):
        return i
    target_cell = cs[j]
    j += 1
    unit_cell = None
    if j < len(cs) and _RE.unit_word.match(cs[j].text) and _RE.num.match(target_cell.text):
        unit_cell, j = cs[j], j + 1
    actual_cell = cs[j] if j < len(cs) else None
    if actual_cell is None or actual_cell.line - name.line > 3 and "\n\n" not in doc.report.text[name.start : actual_cell.start]:
        return i
    j += 1
    cmp_kind, target, t_unit = _split_value(target_cell.text)
    _, actual, a_unit = _split_value(actual_cell.text)
    if target is None and actual is None and nature != "qualitative":
        if not (target_cell.text and actual_cell.text and not _RE.num.match(actual_cell.text)):
            return i
    nums = []
    while j < len(cs) and len(nums) < 2 and _RE.num.match(cs[j].text) and cs[j].line - actual_cell.line <= 4:
        nums.append(cs[j])
        j += 1
    unit = (unit_cell.text if unit_cell else "") or t_unit or a_unit
    kind = nature or cmp_kind or ("qualitative" if target is None else "positive")
    goal = {
        "name": _RE.indicator_number.sub("", name.text),
        "level1": level1,
        "level2": level2,
        "kind": kind,
        "unit": unit.strip(),
        "target": target if target is not None else target_cell.text,
        "actual": actual if actual is not None else actual_cell.text,
        "line": actual_cell.line,
        "target_line": target_cell.line,
        "quote": doc.report.quote(name.start, actual_cell.end),
        "start": name.start,
    }
    if nums:
        goal["weight"] = _number(nums[0].text)
        goal["weight_line"] = nums[0].line
    if len(nums) > 1:
        goal["score"] = _number(nums[1].text)
    doc.goals.append(goal)
    last = nums[-1] if nums else actual_cell
    if any(c in "|\t" for c in doc.report.text[doc.report.line_starts[last.line - 1] : last.start]):
        while j < len(cs) and cs[j].line == last.line:  # the rest of the row: 偏差原因 and padding
            j += 1
    return j


def read_indicator_table(doc: Document) -> None:
    """The indicator rows of a 自评表 embedded in a prose report; an indicator already read from the prose is kept once."""
    from .kinds import kinds

    form = kinds()["selfeval_table"].form
    before = list(doc.goals)
    doc.goals = []
    cs = cells(doc)
    start = next((i for i, c in enumerate(cs) if any(p.match(c.text) for p in form["_indicator_header"])), None)
    if start is not None:
        _indicators(doc, cs, start, form)
    table = doc.goals
    doc.goals = before + [g for g in table if not any(g["actual"] == b["actual"] and g["target"] == b["target"] for b in before)]


# --------------------------------------------------------------------------- the 三公 table


def read_three_public_table(doc: Document) -> None:
    """The 三公经费支出决算表 pasted as text: each of its figures as a fact, by the form's columns.

    The layouts, the column order and the optional 机关运行经费 column are the vocabulary's
    ``three_public_table`` (see ``kinds/fields.yaml``). A table whose header or row of figures
    does not fit is left unread: the prose around it is read as before.
    """
    spec = vocabulary()["three_public_table"]
    report, text = doc.report, doc.report.text
    starts = report.line_starts
    for title in spec["_title"].finditer(text):
        first = report.line_of(title.start())  # 1-based
        modes: list[str] = []
        header_text, unit = "", "万元"
        for n in range(first + 1, min(len(starts), first + spec["lines"]) + 1):
            lo, hi = starts[n - 1], starts[n] - 1 if n < len(starts) else len(text)
            line_cells = [Cell(m.group(0), m.start(), m.end(), n) for m in _RE.cell.finditer(text, lo, hi)]
            if not line_cells:
                continue
            if m := _RE.unit_note.search(text, lo, hi):
                unit = m[1]
            words = [spec["modes"][c.text] for c in line_cells if c.text in spec["modes"]]
            if len(words) >= 2:
                modes = words
            if modes and all(_RE.num.match(c.text) for c in line_cells):
                if [c.text for c in line_cells] == [str(k) for k in range(1, len(line_cells) + 1)]:
                    continue  # the 栏次 row (1, 2, 3 … under each column) of the central form
                _three_public_row(doc, spec, modes, line_cells, header_text, unit)
                break
            header_text += text[lo:hi] + "\n"


def _three_public_row(doc: Document, spec: dict[str, Any], modes: list[str], row: list[Cell], header: str, unit: str) -> None:
    """Emit the facts of the table's row of figures, when the header's layout and the row's length fit."""
    items = spec["items"]
    if len(set(modes)) != 2:
        return  # both 预算数 and 决算数 must be named
    if len(modes) == 2 * len(items) and modes.count(modes[0]) == len(items):  # 预算数/决算数 over every column
        columns = [(mode, items[modes[:j].count(mode)]) for j, mode in enumerate(modes)]
    elif len(modes) == 2:  # a 预算数 block, then a 决算数 block
        columns = [(modes[j // len(items)], items[j % len(items)]) for j in range(2 * len(items))]
    else:
        return
    extra = spec["extra"]
    cells_ = list(row)
    extra_cell = None
    if extra["word"] in header:  # the header names the 机关运行经费 column: the row must fill it too
        if len(cells_) != len(columns) + 1:
            return
        # the 机关运行经费 column stands where the header names it: before the 三公 columns or after them
        three_public = header.find("三公")
        extra_cell = cells_.pop(0) if 0 <= header.find(extra["word"]) < three_public else cells_.pop()
    if len(cells_) != len(columns):
        return
    words = {v: k for k, v in spec["modes"].items()}  # control → 预算数
    facts = [
        (f"three_public.{mode}.{item}", f"{spec['names'][item]}{words[mode]}", cell)
        for (mode, item), cell in zip(columns, cells_, strict=True)
    ]
    if extra_cell is not None:
        facts.append((extra["field"], extra["name"], extra_cell))
    for field_id, label, cell in facts:
        if doc.kind is not None and not doc.kind.uses(field_id):
            continue
        value = _number(cell.text)
        if value is not None:
            _emit(doc, field_id, cell, D(f"{value}{unit}"), "万元", label=label)
