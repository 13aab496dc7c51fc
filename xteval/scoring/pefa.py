"""PEFA 2016 budget reliability: PI-1, PI-2 (2.1, 2.2, 2.3), PI-3 (3.1, 3.2) and their M1/M2 aggregation.

Plain functions over plain data, so a notebook can call them with whatever
years it has::

    from xteval.scoring import pefa
    pefa.pi1({2021: (budget, actual), 2022: (...), 2023: (...)}).score   # "A" … "D", or "D*"
    pefa.pi21({2023: {"一般公共服务": (budget, actual), ...}, ...})
    pefa.assess(expenditure, revenue, contingency=..., interest=..., economic=...)

What each dimension covers (``frameworks/pefa2016.yaml``, from the PEFA 2016 text):
PI-1 includes contingency (预备费) and debt interest (利息); PI-2.1 excludes
both; PI-2.2 is the economic classification with interest and without
contingency; PI-2.3 is spending charged to the contingency vote as a share of
the original budget, averaged over three years; PI-3.1 and PI-3.2 are total and
composition of revenue.

One window for every dimension (PEFA 2016 §2.1.3, node/4755): the last three completed
fiscal years that the expenditure data covers, applied consistently. A dimension whose
data does not reach into that window is ``D*`` for that reason, never scored on other
years. In the dimensions scored "in at least two of the last three years", a year whose
measure cannot be computed (no rows, a zero budget, a single category) is the one
abnormal year the framework allows for, and the dimension is scored on the other two;
with fewer than two computable years it is ``D*``. PI-2.3, a three-year average, needs
all three. PI-1 states what its aggregate covers when a year has no contingency or
interest row (1.1:1 includes both); it never counts a missing row as zero unsaid.
An indicator is aggregated by its method from **all** its dimensions, D* counting as D,
and carries no asterisk itself (PEFA 2016 §2.2). Amounts are ``Decimal``; ratios and
variances are exact, shown to 2 decimals.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..money import AmountError, D, N, half_up
from . import frameworks

__all__ = [
    "Dimension",
    "Indicator",
    "PefaResult",
    "assess",
    "from_department",
    "m1",
    "m2",
    "pi1",
    "pi21",
    "pi22",
    "pi23",
    "pi31",
    "pi32",
    "read_csv",
]

FRAMEWORK = "pefa2016"
ORDER = ("A", "B", "C", "D")
HUNDRED = Decimal(100)
YEARS = (1949, 2100)  # a year outside this range in an outturn file is a typo, not data
HEADERS = {"年度": "year", "类别": "kind", "科目": "category", "预算数": "budget", "决算数": "actual"}
COLUMNS = tuple(HEADERS.values())

Pair = tuple[Decimal, Decimal]  # (original approved budget, actual)
Outturn = Mapping[int, Mapping[str, Pair]]  # year → {category: (budget, actual)}


@dataclass(frozen=True)
class Dimension:
    """One scored dimension: its score, the measure per year, and why."""

    id: str
    score: str  # "A", "B", "C", "D" or "D*"
    values: dict[int, Decimal] = field(default_factory=dict)  # outturn % (PI-1, 3.1), variance % (2.1, 2.2, 3.2), share % (2.3)
    years: tuple[int, ...] = ()  # the window the score rests on
    note: str = ""
    gaps: dict[int, str] = field(default_factory=dict)  # a window year whose measure could not be computed → why
    basis: str = ""  # what the measure was computed on, where the data departs from the framework's coverage

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "years": list(self.years),
            "values": {str(y): str(half_up(v)) for y, v in self.values.items()},
            "gaps": {str(y): why for y, why in self.gaps.items()},
            "basis": self.basis,
            "note": self.note,
        }


@dataclass(frozen=True)
class Indicator:
    """An indicator aggregated from all its dimensions: method, the dimension scores used, the letter."""

    id: str
    score: str  # no asterisk: D* aggregates as D
    method: str
    dimensions: dict[str, str]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "method": self.method, "dimensions": self.dimensions, "note": self.note}


@dataclass(frozen=True)
class PefaResult:
    """Dimensions and their aggregated indicators (PI-1, PI-2 by M1, PI-3 by M2)."""

    dimensions: dict[str, Dimension]
    aggregation: dict[str, Indicator]
    version: str
    window: tuple[int, ...] = ()  # the three years every dimension is scored on

    @property
    def window_text(self) -> str:
        """“评价窗口 2021–2023 年（…）”: the window and its rule, for every output."""
        if not self.window:
            return "评价窗口：没有支出数据，无法确定"
        return f"评价窗口 {self.window[0]}–{self.window[-1]} 年：{_spec()['window']['rule']}"

    @property
    def indicators(self) -> dict[str, str]:
        """Indicator → letter."""
        return {k: v.score for k, v in self.aggregation.items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": FRAMEWORK,
            "version": self.version,
            "window": list(self.window),
            "rules": {k: _spec()[k]["rule"] for k in RULES},
            "dimensions": {k: d.to_json() for k, d in self.dimensions.items()},
            "indicators": self.indicators,
            "aggregation": {k: i.to_json() for k, i in self.aggregation.items()},
        }


def _spec() -> dict[str, Any]:
    return frameworks.get(FRAMEWORK).raw


RULES = ("window", "outlier", "pi1_coverage")  # the framework file's rules every output states


def window(years: Any) -> tuple[int, ...]:
    """The last three fiscal years up to the latest one given (consecutive by construction); () for none."""
    if not years:
        return ()
    last = max(years)
    return tuple(range(last - int(_spec()["years_required"]) + 1, last + 1))


def _meeting(values: dict[int, Decimal], inside) -> bool:
    return sum(bool(inside(v)) for v in values.values()) >= int(_spec()["years_meeting"])


def _grade_ratio(dim: str, values: dict[int, Decimal]) -> str:
    bands = _spec()["dimensions"][dim]["bands"]
    for g in ("A", "B", "C"):
        lo, hi = (N(x) for x in bands[g])
        if _meeting(values, lambda v, lo=lo, hi=hi: lo <= v <= hi):
            return g
    return "D"


def _grade_below(dim: str, values: dict[int, Decimal]) -> str:
    bands = _spec()["dimensions"][dim]["bands"]
    for g in ("A", "B", "C"):
        limit = N(bands[g])
        if _meeting(values, lambda v, limit=limit: v < limit):
            return g
    return "D"


_BOUNDS = {"gt": Decimal.__gt__, "ge": Decimal.__ge__, "lt": Decimal.__lt__, "le": Decimal.__le__}


def _grade_average(dim: str, value: Decimal) -> str:
    bands = _spec()["dimensions"][dim]["bands"]
    for g in ("A", "B", "C"):
        if all(op(value, N(bands[g][k])) for k, op in _BOUNDS.items() if k in bands[g]):
            return g
    return "D"


def _insufficient(dim: str, years: Mapping[int, Any], why: str = "", span: tuple[int, ...] = ()) -> Dimension:
    have = "、".join(str(y) for y in sorted(years)) or "无"
    return Dimension(dim, "D*", {}, span, why or f"需要最近连续 3 个财年的数据，现有 {have}（不补造年度）")


def _years(span: tuple[int, ...]) -> str:
    return "、".join(str(y) for y in span)


def _scored(dim: str, values: dict[int, Decimal], gaps: dict[int, str], span: tuple[int, ...], grade, basis: str = "") -> Dimension:
    """A "two of the last three years" dimension: an uncomputable year is the allowed outlier; fewer than two computed is D*."""
    said = "；".join(f"{y} 年{why}" for y, why in gaps.items())
    if len(values) < int(_spec()["years_meeting"]):
        note = f"评价窗口 {_years(span)} 年中可计算的年度不足两个（{said}），信息不足（不补造年度）"
        return Dimension(dim, "D*", {}, span, note, gaps, basis)  # no score rests on the lone year: none is shown
    note = f"{said}，无法计算：按“三年中至少两年”，作为允许的一个例外年度" if gaps else ""
    return Dimension(dim, grade(dim, values), values, span, note, gaps, basis)


def _outside(dim: str, years: Mapping[int, Any], span: tuple[int, ...]) -> Dimension | None:
    """D* when the data does not reach into the window at all: a dimension is never scored on other years."""
    if any(y in years for y in span):
        return None
    have = "、".join(str(y) for y in sorted(years)) or "无"
    note = f"数据不覆盖评价窗口 {_years(span)} 年（现有 {have}），不以其他年度评分（不补造年度）"
    return Dimension(dim, "D*", {}, span, note)


def _total(parts: Mapping[str, Pair]) -> Pair:
    return sum((b for b, _ in parts.values()), Decimal(0)), sum((a for _, a in parts.values()), Decimal(0))


def _outturn(dim: str, years: Mapping[int, Pair], span: tuple[int, ...] | None, basis: str = "") -> Dimension:
    span = span or window(years)
    if not span:
        return _insufficient(dim, years)
    outside = _outside(dim, years, span)
    if outside is not None:
        return outside
    values, gaps = {}, {}
    for y in span:
        if y not in years:
            gaps[y] = "无数据"
        elif not years[y][0]:
            gaps[y] = "预算为 0"
        else:
            values[y] = N(years[y][1]) / N(years[y][0]) * HUNDRED
    return _scored(dim, values, gaps, span, _grade_ratio, basis)


def pi1(years: Mapping[int, Pair], span: tuple[int, ...] | None = None, basis: str = "") -> Dimension:
    """PI-1 总支出决算偏差: actual ÷ original budget; A 95–105%, B 90–110%, C 85–115% in 2 of the last 3 years.

    Args:
        years: year → (original approved expenditure including contingency and interest, actual), in any one unit.
        span: the window; by default the last three years up to the latest one given.
        basis: what the totals cover where it departs from 1.1:1 (stated on the output).

    Returns:
        The :class:`Dimension`; ``D*`` with fewer than two computable years in the window.
    """
    return _outturn("PI-1", years, span, basis)


def pi31(years: Mapping[int, Pair], span: tuple[int, ...] | None = None) -> Dimension:
    """PI-3.1 总收入决算偏差: actual ÷ budget revenue; A 97–106%, B 94–112%, C 92–116% in 2 of 3 years.

    Args:
        years: year → (budgeted revenue, actual revenue).
        span: the window; by default the last three years up to the latest one given.

    Returns:
        The :class:`Dimension`; ``D*`` with fewer than two computable years in the window.
    """
    return _outturn("PI-3.1", years, span)


def variance(parts: Mapping[str, Pair]) -> Decimal | None:
    """Composition variance in %: Σ|actual_i − budget_i·k| ÷ Σ(budget_i·k) × 100, k = Σactual ÷ Σbudget."""
    total_b, total_a = _total(parts)
    if not total_b or not total_a:
        return None
    k = total_a / total_b
    adjusted = {c: Decimal(b) * k for c, (b, _) in parts.items()}
    dev = sum((abs(Decimal(a) - adjusted[c]) for c, (_, a) in parts.items()), Decimal(0))
    return dev / sum(adjusted.values(), Decimal(0)) * HUNDRED


def _composition(dim: str, years: Outturn, what: str, span: tuple[int, ...] | None) -> Dimension:
    """A composition-variance dimension (2.1, 2.2, 3.2): A < 5%, B < 10%, C < 15% in 2 of the last 3 years."""
    span = span or window(years)
    if not years:
        return _insufficient(dim, years, f"没有{what}的行", span)
    outside = _outside(dim, years, span)
    if outside is not None:
        return outside
    values, gaps = {}, {}
    for y in span:
        v = variance(years[y]) if y in years and len(years[y]) >= 2 else None
        if y not in years:
            gaps[y] = "无数据"
        elif len(years[y]) < 2:
            gaps[y] = f"只有 {len(years[y])} 个{what}科目"
        elif v is None:
            gaps[y] = f"{what}的预算或决算合计为 0"
        else:
            values[y] = v
    return _scored(dim, values, gaps, span, _grade_below)


def pi21(years: Outturn, span: tuple[int, ...] | None = None) -> Dimension:
    """PI-2.1 支出结构偏差（按功能）: composition variance of expenditure without contingency and interest.

    Args:
        years: year → {functional or administrative category: (budget, actual)}, at least two categories a year.

    Returns:
        The :class:`Dimension`; ``D*`` with fewer than 3 consecutive years or a year without a breakdown.
    """
    return _composition("PI-2.1", years, "支出（功能分类）", span)


def pi22(economic: Outturn, interest: Outturn | None = None, span: tuple[int, ...] | None = None) -> Dimension:
    """PI-2.2 支出结构偏差（按经济分类）: composition variance by economic type, interest included, contingency excluded.

    Args:
        economic: year → {economic category: (budget, actual)} (without contingency and interest).
        interest: year → {debt interest line: (budget, actual)}; each line joins the year's categories.

    Returns:
        The :class:`Dimension`; ``D*`` when there are no economic rows or fewer than 3 consecutive years.
    """
    if not economic:
        return _insufficient("PI-2.2", {}, "没有经济分类支出的行（类别 经济分类支出），无法计算", span or ())
    merged = {y: {**parts, **{f"利息：{c}": v for c, v in (interest or {}).get(y, {}).items()}} for y, parts in economic.items()}
    return _composition("PI-2.2", merged, "经济分类支出", span)


def pi23(contingency: Mapping[int, Pair], original_total: Mapping[int, Decimal], span: tuple[int, ...] | None = None) -> Dimension:
    """PI-2.3 预备费支出: average over the last 3 years of (actual charged to contingency ÷ original total budget).

    A < 3%, B 3%–6% inclusive, C > 6% and < 10%. A budget with no contingency
    vote scores A (PEFA 2.3:4), but only when the rows say so (budget and actual 0);
    no rows at all is D* (insufficient information).

    Args:
        contingency: year → (contingency budget, actual charged to the contingency vote).
        original_total: year → the year's original total expenditure budget (PI-1's, contingency and interest included).
    """
    span = span or window(contingency)
    if not contingency:
        why = "没有预备费的行；若预算中确无预备费（按 PEFA 2.3:4 评 A），请写预算数、决算数为 0 的预备费行"
        return _insufficient("PI-2.3", {}, why, span)
    outside = _outside("PI-2.3", contingency, span)
    if outside is not None:
        return outside
    values = {}
    for y in span:  # a three-year average: every year is needed, none is an allowed outlier
        if y not in contingency:
            return _insufficient("PI-2.3", contingency, f"{y} 年没有预备费的行，三年平均无法计算（不补造年度）", span)
        total = original_total.get(y)
        if not total:
            return _insufficient("PI-2.3", contingency, f"{y} 年没有年初总预算（支出行），无法计算预备费占比", span)
        values[y] = N(contingency[y][1]) / N(total) * HUNDRED
    average = sum(values.values(), Decimal(0)) / len(values)
    return Dimension("PI-2.3", _grade_average("PI-2.3", average), values, span, f"三年平均 {half_up(average)}%")


def pi32(years: Outturn, span: tuple[int, ...] | None = None) -> Dimension:
    """PI-3.2 收入结构偏差: composition variance of revenue by category; A < 5%, B < 10%, C < 15% in 2 of 3 years."""
    return _composition("PI-3.2", years, "收入", span)


def _letters(scores: list[str]) -> list[str]:
    return [s.rstrip("*") for s in scores]  # D* aggregates as D (PEFA 2016, section 2.2)


def m1(scores: list[str]) -> str:
    """M1 weakest link: the lowest dimension score, with "+" when any other dimension scores higher."""
    letters = _letters(scores)
    worst = max(letters, key=ORDER.index)
    return worst + ("+" if any(ORDER.index(s) < ORDER.index(worst) for s in letters) and len(letters) > 1 else "")


def m2(scores: list[str]) -> str:
    """M2 averaging, by the conversion table for 2 or 3 dimensions (one dimension: itself); the table is unverified."""
    letters = sorted(_letters(scores))
    if len(letters) == 1:
        return letters[0]
    key = "".join(letters)
    table = _spec()["m2"]["rows"]
    if key not in table:
        raise InputError(f"M2 换算表未收录 {len(letters)} 个维度的组合 {key} (conversion table covers 2 or 3 dimensions)")
    return str(table[key])


def aggregate(dimensions: Mapping[str, Dimension]) -> dict[str, Indicator]:
    """Each indicator from **all** its dimensions by its method; a dimension not given counts as D* (so as D).

    Args:
        dimensions: the scored dimensions (any subset).

    Returns:
        indicator id → :class:`Indicator`; the letter never carries an asterisk.
    """
    out = {}
    for ind, spec in _spec()["indicators"].items():
        used = {d: dimensions[d].score if d in dimensions else "D*" for d in spec["dimensions"]}
        scores = list(used.values())
        letter = (m1 if spec["method"] == "M1" else m2)(scores)
        notes = []
        if any(s == "D*" for s in scores):
            notes.append("信息不足的维度（D*）按 D 计")
        if spec["method"] == "M2" and len(scores) > 1:
            notes.append("M2 换算表未能对照原文核实")  # basis in the framework file; a page says it in Chinese
        out[ind] = Indicator(ind, letter, spec["method"], used, "；".join(notes))
    return out


def _by_year(data: Outturn | None) -> dict[int, Pair]:
    return {y: _total(parts) for y, parts in (data or {}).items()}


def assess(
    expenditure: Outturn,
    revenue: Outturn,
    *,
    contingency: Outturn | None = None,
    interest: Outturn | None = None,
    economic: Outturn | None = None,
) -> PefaResult:
    """Every dimension of PI-1, PI-2 and PI-3 from budget and actual by year and category, with the aggregation.

    Args:
        expenditure: year → {functional/administrative category: (budget, actual)}, without contingency and interest.
        revenue: year → {revenue category: (budget, actual)}.
        contingency: year → {contingency line: (budget, actual charged to it)}.
        interest: year → {debt interest line: (budget, actual)}.
        economic: year → {economic category: (budget, actual)} of the same spending (without contingency and interest).
    """
    totals: dict[int, Pair] = {}
    for data in (expenditure, contingency, interest):
        for y, (b, a) in _by_year(data).items():
            tb, ta = totals.get(y, (Decimal(0), Decimal(0)))
            totals[y] = (tb + b, ta + a)
    span = window(expenditure or totals or revenue)
    dims = {
        "PI-1": pi1(totals, span, pi1_basis(span, expenditure, contingency, interest)),
        "PI-2.1": pi21(expenditure, span),
        "PI-2.2": pi22(economic or {}, interest, span),
        "PI-2.3": pi23(_by_year(contingency), {y: b for y, (b, _) in totals.items()}, span),
        "PI-3.1": pi31(_by_year(revenue), span),
        "PI-3.2": pi32(revenue, span),
    }
    return PefaResult(dims, aggregate(dims), frameworks.get(FRAMEWORK).version, span)


def pi1_basis(span: tuple[int, ...], expenditure: Outturn, contingency: Outturn | None, interest: Outturn | None) -> str:
    """What PI-1's aggregate covers in the window, when a year lacks the contingency or interest rows 1.1:1 includes."""
    lacking = []
    for what, data in (("预备费", contingency), ("债务利息", interest)):
        years = [y for y in span if y in expenditure and y not in (data or {})]
        if years:
            lacking.append(f"{_years(tuple(years))} 年没有{what}的行")
    if not lacking:
        return ""
    return (
        "；".join(lacking)
        + "：总支出按所给的行计算，未含这些项（PEFA 1.1:1 要求含预备费与债务利息；若确为 0，请写预算数、决算数为 0 的行）"
    )


# --------------------------------------------------------------------------- the outturn CSV


def kind_names() -> dict[str, str]:
    """Every accepted 类别 (支出, expenditure, 预备费 …) → its canonical kind."""
    out = {}
    for k, spec in _spec()["kinds"].items():
        out[k] = k
        for a in spec.get("aliases", []):
            out[str(a)] = k
    return out


def _header(path: Path, fieldnames: list[str] | None) -> dict[str, str]:
    """The file's column names → canonical columns; Chinese (年度, 类别, 科目, 预算数, 决算数) or English."""
    names = [h.strip() for h in fieldnames or []]
    out = {}
    for h in names:
        canon = HEADERS.get(h, h)
        if canon not in COLUMNS:
            raise InputError(
                f"未知列 {h!r} (unknown column; expected {', '.join(HEADERS)} or {', '.join(COLUMNS)})", file=path, row=1, field=h
            )
        out[h] = canon
    missing = [c for c in COLUMNS if c not in out.values()]
    if missing:
        cn = {v: k for k, v in HEADERS.items()}
        raise InputError(f"缺少列 {', '.join(f'{cn[c]}/{c}' for c in missing)} (missing columns)", file=path, row=1, field=cn[missing[0]])
    return out


def read_csv(path: str | Path) -> PefaResult:
    """Read an outturn CSV and :func:`assess` it.

    Columns 年度, 类别, 科目, 预算数, 决算数 (or year, kind, category, budget, actual);
    类别 is 支出, 收入, 预备费, 利息 or 经济分类支出 (expenditure, revenue, contingency,
    interest, economic). Amounts take 元/万元/亿元 and thousands separators; the file is UTF-8 or GBK/GB18030.

    Raises:
        InputError: naming the row and column: a year that is not an integer in
            1949–2100, an unknown 类别, an amount that is not one or is negative, a
            repeated 科目, or no row at all of a needed 类别 (支出, 收入).
    """
    import io

    from ..files import decode_text, read_input

    path = Path(path)
    text, _ = decode_text(read_input(path), path)  # a FIFO, a device or a file over the cap is refused, not read
    kinds = kind_names()
    labels = {k: spec["label"] for k, spec in _spec()["kinds"].items()}
    data: dict[str, dict[int, dict[str, Pair]]] = {k: {} for k in _spec()["kinds"]}
    try:
        with io.StringIO(text, newline="") as fh:
            reader = csv.DictReader(fh)
            header = _header(path, reader.fieldnames)
            col = {canon: name for name, canon in header.items()}  # canonical → the name the file uses, for messages
            for n, raw in enumerate(reader, start=2):
                row = {header[k.strip()]: (v or "").strip() for k, v in raw.items() if k and k.strip() in header}
                if None in raw:
                    raise InputError("列数多于表头 (more cells than columns)", file=path, row=n)
                year = _year(row["year"], path, n, col["year"])
                kind = kinds.get(row["kind"])
                if kind is None:
                    known = "、".join(labels.values()) + " 或 " + ", ".join(labels)
                    raise InputError(f"未知类别 {row['kind']!r}（应为 {known}）(unknown kind)", file=path, row=n, field=col["kind"])
                amounts = [_amount(row[c], path, n, col[c]) for c in ("budget", "actual")]
                cat = row["category"] or labels[kind]
                parts = data[kind].setdefault(year, {})
                if cat in parts:
                    raise InputError(
                        f"{year} 年{labels[kind]}科目 {cat!r} 重复 (duplicate category)", file=path, row=n, field=col["category"]
                    )
                parts[cat] = (amounts[0], amounts[1])
    except csv.Error as exc:
        raise InputError(f"不是有效的 CSV ({exc})", file=path) from None
    for kind in _spec()["required_kinds"]:
        if not data[kind]:
            raise InputError(
                f"没有“{labels[kind]}”（{kind}）的行：至少需要一个年度 (no rows of a needed kind)", file=path, field=col["kind"]
            )
    return assess(
        data["expenditure"], data["revenue"], contingency=data["contingency"], interest=data["interest"], economic=data["economic"]
    )


def _year(text: str, path: Path, row: int, column: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit()):  # int() would take "2_023", " 2023" or "٢٠٢٣"
        raise InputError(f"年度应为四位整数: {text!r} (year must be an integer)", file=path, row=row, field=column)
    year = int(text)
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputError(f"年度应在 {YEARS[0]}–{YEARS[1]} 之间: {year} (year out of range)", file=path, row=row, field=column)
    return year


def _amount(text: str, path: Path, row: int, column: str) -> Decimal:
    try:
        value = D(text)
    except AmountError as exc:
        raise InputError(str(exc), file=path, row=row, field=column) from None
    if value < 0:
        raise InputError(f"金额不能为负: {text!r} (negative amount)", file=path, row=row, field=column)
    return value


# --------------------------------------------------------------------------- a department's params


def from_department(p, others: list | None = None) -> PefaResult:
    """PEFA from department params: PI-1 on 年初预算 vs 支出总额; the other dimensions need breakdowns the params lack.

    PEFA compares outturn with the **originally approved** budget, not the budget
    after 年中追加 (node/4763), so PI-1 uses 年初预算, not 年度预算金额. A department's
    支出总额 includes whatever contingency or interest it spent.

    Args:
        p: a ``DepartmentParams``.
        others: the same department's other years, if any.
    """
    years = {q.year: q for q in [*(others or []), p]}
    expenditure = {  # a year whose params lack 年初预算 or 支出总额 is not in the series (never read as 0)
        y: {"支出总额": (q.income.initial_budget.value, q.expenditure.total.value)}
        for y, q in years.items()
        if q.income.initial_budget is not None and q.expenditure.total is not None
    }
    span = window(expenditure)
    pi_1 = pi1(_by_year(expenditure), span, "部门支出总额（含部门列支的预备费与利息，部门参数不单列）对年初预算")
    dims = {
        "PI-1": pi_1,
        "PI-2.1": pi21(expenditure, span),
        "PI-2.2": pi22({}, None, span),
        "PI-2.3": pi23({}, {}, span),
        "PI-3.1": pi31({}, span),
        "PI-3.2": pi32({}, span),
    }
    return PefaResult(dims, aggregate(dims), frameworks.get(FRAMEWORK).version, span)


def frame(result: PefaResult):
    """Dimensions and indicator scores as a table for a notebook (维度, 得分, 逐年, 说明)."""
    import pandas as pd

    spec = _spec()
    titles = {k: v["title"] for k, v in spec["dimensions"].items()}
    rows = [{"维度": "评价窗口", "得分": "", "逐年": _years(result.window), "说明": result.window_text}]
    rows += [
        {
            "维度": f"{d.id} {titles.get(d.id, '')}",
            "得分": d.score,
            "逐年": "，".join(f"{y} 年 {half_up(v)}%" for y, v in d.values.items()),
            "说明": "；".join(x for x in (d.note, d.basis) if x),
        }
        for d in result.dimensions.values()
    ]
    for k, ind in result.aggregation.items():
        used = "，".join(f"{d} {s}" for d, s in ind.dimensions.items())
        rows.append(
            {
                "维度": f"{k} {spec['indicators'][k].get('title', '')}（{ind.method} 汇总）",
                "得分": ind.score,
                "逐年": used,
                "说明": ind.note,
            }
        )
    return pd.DataFrame(rows)
