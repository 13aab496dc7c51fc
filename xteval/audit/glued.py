"""A 自评表 whose cells touch (年度资金总额:4845.61095.00%9.5, as web pages and document sites dump it), read by the
arithmetic the form states: a run of digits is split into its row's figures only when exactly one reading fits
(执行率 = B ÷ A at its stated precision, 得分 ≤ 分值, a score the rate can earn, a source row no larger than its
total); its indicator rows likewise (0 < 分值 ≤ its section's points, 得分 ≤ 分值, one unit word for 指标值 and
完成值). Anything else stays unread. A budget of readings a document bounds hostile texts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .engine import Document, Fact
from .formcells import _NATURE, _RE, Cell, _unit_of

GLUED_RUN_MAX = 40  # characters of one run of digits that are split (a row's five figures fit in far fewer)
GLUED_SPLITS_MAX = 20_000  # readings tried in one document (a form's rows take tens): many long runs cost no more
_AMOUNT_COLUMNS = ("initial_budget", "full_year_budget", "executed")


@dataclass
class _Glued:
    totals: dict[str, Decimal] = field(default_factory=dict)  # the 年度资金总额 row's figures: the bound of its sources'
    budget: int = GLUED_SPLITS_MAX


def _unglued(cs: list[Cell], form: dict[str, Any], column_of: Callable[[str], str | None], header_only: bool = False) -> list[Cell] | None:
    """The cells of a form whose cells touch, cut at its words and its runs of digits; None when its cells stand apart.

    With ``header_only`` (a funds table's one row with no word, all its reader looks for), only a cell holding a
    column word and the two cells after it are cut: the row's run of digits follows its header within them, and a
    column word never stands in a cell that holds none (most of a long report's cells are prose)."""
    if any(column_of(c.text) for c in cs):
        return None
    words = form["_words"]
    first = next((k for k, c in enumerate(cs) if len(c.text) > 24 and words.search(c.text)), None)
    if first is None:
        return None
    out = cs[:first]
    since_words = 3
    for cell in cs[first:]:
        if header_only:
            since_words = 0 if words.search(cell.text) else since_words + 1
            if since_words > 2:
                out.append(cell)
                continue
        cuts = {0, len(cell.text)}
        for m in _RE.glued_run.finditer(cell.text):
            cuts |= {m.start(), m.end()}
        cuts |= {m.start() for m in form["_glue_words"].finditer(cell.text)}
        cuts |= {k for m in _RE.glued_mark.finditer(cell.text) for k in (m.start(), m.end())}
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
        if budget is None and executed is None:  # a run from the 执行率 on: only 得分 = 分值 × 执行率 ties its figures
            return _earned(values, weight, rate, score)
        if budget is None or executed is None or budget <= 0:
            return False
        if abs(executed / budget * 100 - rate) > Decimal(1).scaleb(-_places(values["execution_rate"])):
            return False
        if score is not None and weight is not None and score > weight * min(rate, Decimal(100)) / 100 + weight / 20:
            return False  # a score the rate cannot earn
    return True


def _earned(values: dict[str, str], weight: Decimal | None, rate: Decimal, score: Decimal | None) -> bool:
    """Whether the 得分 is the 分值 × 执行率 (to the 得分's stated places): the form's rule, and the one tie left
    between a run's 执行率, 分值 and 得分 when its amounts are not in it."""
    if weight is None or score is None:
        return False
    earned = weight * min(rate, Decimal(100)) / 100
    return abs(earned - score) * 2 <= Decimal(1).scaleb(-_places(values["execution_score"]))


def _one_reading(run: str, choices: list[list[str]], totals: dict[str, Decimal], state: _Glued) -> dict[str, str] | None:
    """The one reading of ``run`` as the columns of one of ``choices`` that fits, or None (none fits, several do, or
    the budget is spent)."""
    if len(run) > GLUED_RUN_MAX:
        return None
    fitting = []
    for columns in filter(None, choices):
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


def _glued_funds_row(
    doc: Document,
    cs: list[Cell],
    i: int,
    row: str,
    order: list[str],
    state: _Glued,
    fields: dict[str, str] | None = None,
    head: Cell | None = None,
) -> int:
    """A row word (or the header's last cell, for a form whose one row has no word) and the run of digits after it,
    split into the row's columns when one reading alone fits; ``fields`` names each column's field (a department's
    form), else ``project.<row>.<column>``; the evidence quotes from ``head`` (the header's first word) when given.

    The form's one row may come without its amounts (left blank, or lost to an OCR: 76%107.6 under 全年执行数,
    执行率, 执行率权重, 执行率得分): it is read against the other columns too, and a reading is taken only when one
    alone fits either way."""
    if i + 1 >= len(cs) or not _RE.glued_run.fullmatch(cs[i + 1].text):
        return i + 1
    run = cs[i + 1]
    columns = order if not row else [c for c in order if c in _AMOUNT_COLUMNS]  # a source row has no 分值, 执行率 or 得分
    choices = [columns]
    if not row and "execution_rate" in columns and any(c in _AMOUNT_COLUMNS for c in columns):
        choices.append([c for c in columns if c not in _AMOUNT_COLUMNS])
    reading = _one_reading(run.text, choices, state.totals if row else {}, state)
    if reading is None:
        return i + 2
    quote = doc.report.text[head.start : run.end] if head is not None else cs[i].text + run.text
    at = run.start
    for col, text in reading.items():
        value = Decimal(text.rstrip("%"))
        unit = _unit_of(col)
        field_id = fields[col] if fields and col in fields else "project." + (f"{row}." if row else "") + col
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
    if seps[0][0] and n in (2, 3):  # 1030万元30万元10: the 分值 and the 指标值 in one run
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
