"""PEFA 2016 budget reliability: PI-1, PI-2.1, PI-3.1 and their M1/M2 aggregation.

Plain functions over plain data, so a notebook can call them with whatever
years it has::

    from xteval import pefa
    pefa.pi1({2021: (budget, actual), 2022: (...), 2023: (...)}).score   # "A" … "D", or "D*"
    pefa.pi21({2023: {"一般公共服务": (budget, actual), ...}, ...})
    pefa.pi31({2023: (revenue_budget, revenue_actual), ...})

Each dimension is scored on the **last three** years given, which must be
consecutive; with fewer, the score is ``D*`` (insufficient information) and no
year is ever invented. A grade needs at least 2 of the 3 years within its band.
The bands and the M2 conversion table are data in ``frameworks/pefa2016.yaml``.
Amounts are ``Decimal``; ratios and variances are exact, shown to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..money import AmountError, D, N, half_up
from . import frameworks

__all__ = ["Dimension", "PefaResult", "assess", "from_department", "m1", "m2", "pi1", "pi21", "pi31", "read_csv"]

FRAMEWORK = "pefa2016"
ORDER = ("A", "B", "C", "D")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Dimension:
    """One scored dimension: its score, the measure per year, and why."""

    id: str
    score: str  # "A", "B", "C", "D" or "D*"
    values: dict[int, Decimal] = field(default_factory=dict)  # outturn % (PI-1, PI-3.1) or variance % (PI-2.1)
    years: tuple[int, ...] = ()  # the years the score rests on
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "years": list(self.years),
            "values": {str(y): str(half_up(v)) for y, v in self.values.items()},
            "note": self.note,
        }


@dataclass(frozen=True)
class PefaResult:
    """Dimensions and their aggregated indicators (PI-1 M1, PI-2 M1, PI-3 M2, over the dimensions assessed)."""

    dimensions: dict[str, Dimension]
    indicators: dict[str, str]
    version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": FRAMEWORK,
            "version": self.version,
            "dimensions": {k: d.to_json() for k, d in self.dimensions.items()},
            "indicators": self.indicators,
        }


def _spec() -> dict[str, Any]:
    return frameworks.get(FRAMEWORK).raw


def _window(years: Mapping[int, Any]) -> tuple[int, ...] | None:
    """The last three years, or None when there are fewer than three consecutive ones."""
    need = int(_spec()["years_required"])
    ys = sorted(years)[-need:]
    if len(ys) < need or ys[-1] - ys[0] != need - 1:
        return None
    return tuple(ys)


def _grade_ratio(dim: str, values: dict[int, Decimal]) -> str:
    bands = _spec()["dimensions"][dim]["bands"]
    meet = int(_spec()["years_meeting"])
    for g in ("A", "B", "C"):
        lo, hi = (N(x) for x in bands[g])
        if sum(lo <= v <= hi for v in values.values()) >= meet:
            return g
    return "D"


def _grade_below(dim: str, values: dict[int, Decimal]) -> str:
    bands = _spec()["dimensions"][dim]["bands"]
    meet = int(_spec()["years_meeting"])
    for g in ("A", "B", "C"):
        if sum(v < N(bands[g]) for v in values.values()) >= meet:
            return g
    return "D"


def _insufficient(dim: str, years: Mapping[int, Any], why: str = "") -> Dimension:
    have = "、".join(str(y) for y in sorted(years)) or "无"
    return Dimension(dim, "D*", {}, (), why or f"需要最近连续 3 个财年的数据，现有 {have}（不补造年度）")


def _outturn(dim: str, years: Mapping[int, tuple[Decimal, Decimal]]) -> Dimension:
    window = _window(years)
    if window is None:
        return _insufficient(dim, years)
    values = {}
    for y in window:
        budget, actual = years[y]
        if not budget:
            return _insufficient(dim, years, f"{y} 年预算为 0，无法计算")
        values[y] = N(actual) / N(budget) * HUNDRED
    return Dimension(dim, _grade_ratio(dim, values), values, window)


def pi1(years: Mapping[int, tuple[Decimal, Decimal]]) -> Dimension:
    """PI-1 总支出决算偏差: actual ÷ budget; A 95–105%, B 90–110%, C 85–115% in 2 of the last 3 years.

    Args:
        years: year → (budgeted expenditure, actual expenditure), Decimals in any one unit.

    Returns:
        The :class:`Dimension`; ``D*`` with fewer than 3 consecutive years.
    """
    return _outturn("PI-1", years)


def pi31(years: Mapping[int, tuple[Decimal, Decimal]]) -> Dimension:
    """PI-3.1 总收入决算偏差: actual ÷ budget revenue; A 97–106%, B 94–112%, C 92–116% in 2 of 3 years.

    Args:
        years: year → (budgeted revenue, actual revenue).

    Returns:
        The :class:`Dimension`; ``D*`` with fewer than 3 consecutive years.
    """
    return _outturn("PI-3.1", years)


def variance(parts: Mapping[str, tuple[Decimal, Decimal]]) -> Decimal | None:
    """Composition variance in %: Σ|actual_i − budget_i·k| ÷ Σ(budget_i·k) × 100, k = Σactual ÷ Σbudget."""
    total_b = sum((Decimal(b) for b, _ in parts.values()), Decimal(0))
    total_a = sum((Decimal(a) for _, a in parts.values()), Decimal(0))
    if not total_b or not total_a:
        return None
    k = total_a / total_b
    adjusted = {c: Decimal(b) * k for c, (b, _) in parts.items()}
    dev = sum((abs(Decimal(a) - adjusted[c]) for c, (_, a) in parts.items()), Decimal(0))
    return dev / sum(adjusted.values(), Decimal(0)) * HUNDRED


def pi21(years: Mapping[int, Mapping[str, tuple[Decimal, Decimal]]]) -> Dimension:
    """PI-2.1 支出结构偏差: composition variance (see :func:`variance`); A < 5%, B < 10%, C < 15% in 2 of 3 years.

    Args:
        years: year → {category: (budget, actual)}, with at least two categories a year.

    Returns:
        The :class:`Dimension`; ``D*`` with fewer than 3 consecutive years or a year without a breakdown.
    """
    window = _window(years)
    if window is None:
        return _insufficient("PI-2.1", years)
    values = {}
    for y in window:
        if len(years[y]) < 2:
            return _insufficient("PI-2.1", years, f"{y} 年只有 {len(years[y])} 个支出类别，无法计算结构偏差")
        v = variance(years[y])
        if v is None:
            return _insufficient("PI-2.1", years, f"{y} 年预算或决算合计为 0")
        values[y] = v
    return Dimension("PI-2.1", _grade_below("PI-2.1", values), values, window)


def _letters(scores: list[str]) -> list[str]:
    return [s.rstrip("*") for s in scores]  # D* aggregates as D (PEFA 2016, section 2.2)


def m1(scores: list[str]) -> str:
    """M1 weakest link: the lowest dimension score, with "+" when any other dimension scores higher."""
    letters = _letters(scores)
    worst = max(letters, key=ORDER.index)
    return worst + ("+" if any(ORDER.index(s) < ORDER.index(worst) for s in letters) and len(letters) > 1 else "")


def m2(scores: list[str]) -> str:
    """M2 averaging, by the PEFA 2016 conversion table for 2 or 3 dimensions (one dimension: itself)."""
    letters = sorted(_letters(scores))
    if len(letters) == 1:
        return letters[0]
    key = "".join(letters)
    table = _spec()["m2"]
    if key not in table:
        raise InputError(f"M2 换算表未收录 {len(letters)} 个维度的组合 {key} (conversion table covers 2 or 3 dimensions)")
    return str(table[key])


def aggregate(dimensions: Mapping[str, Dimension]) -> dict[str, str]:
    """Indicator scores from the dimensions assessed (dimensions not given are left out of the aggregation)."""
    out = {}
    for ind, spec in _spec()["indicators"].items():
        scores = [dimensions[d].score for d in spec["dimensions"] if d in dimensions]
        if len(spec["dimensions"]) == 1 and scores:
            out[ind] = scores[0]  # a one-dimension indicator is its dimension, D* included
        elif scores:
            out[ind] = (m1 if spec["method"] == "M1" else m2)(scores)
    return out


def assess(
    expenditure: Mapping[int, Mapping[str, tuple[Decimal, Decimal]]], revenue: Mapping[int, Mapping[str, tuple[Decimal, Decimal]]]
) -> PefaResult:
    """PI-1, PI-2.1 and PI-3.1 from budget and actual by year and category, with the aggregation.

    Args:
        expenditure: year → {category: (budget, actual)} of expenditure.
        revenue: year → {category: (budget, actual)} of revenue.
    """

    def totals(data):
        return {y: (sum((b for b, _ in c.values()), Decimal(0)), sum((a for _, a in c.values()), Decimal(0))) for y, c in data.items()}

    dims = {"PI-1": pi1(totals(expenditure)), "PI-2.1": pi21(expenditure), "PI-3.1": pi31(totals(revenue))}
    return PefaResult(dims, aggregate(dims), frameworks.get(FRAMEWORK).version)


def read_csv(path: str | Path) -> PefaResult:
    """Read ``year, kind, category, budget, actual`` rows (kind: expenditure | revenue) and :func:`assess` them."""
    import csv

    path = Path(path)
    if not path.is_file():
        raise InputError("文件不存在 (file not found)", file=path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            need = ["year", "kind", "category", "budget", "actual"]
            missing = [c for c in need if c not in header]
            if missing:
                raise InputError(
                    f"缺少列 {', '.join(missing)} (missing columns; expected {', '.join(need)})", file=path, row=1, field=missing[0]
                )
            data: dict[str, dict[int, dict[str, tuple[Decimal, Decimal]]]] = {"expenditure": {}, "revenue": {}}
            for n, raw in enumerate(reader, start=2):
                row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
                try:
                    year = int(row["year"])
                except ValueError:
                    raise InputError(f"年度应为整数: {row['year']!r} (year must be an integer)", file=path, row=n, field="year") from None
                if row["kind"] not in data:
                    raise InputError(f"未知类型 {row['kind']!r} (kind must be expenditure or revenue)", file=path, row=n, field="kind")
                amounts = []
                for col in ("budget", "actual"):
                    try:
                        amounts.append(D(row[col]))
                    except AmountError as exc:
                        raise InputError(str(exc), file=path, row=n, field=col) from None
                cat = row["category"] or "合计"
                if cat in data[row["kind"]].setdefault(year, {}):
                    raise InputError(f"{year} 年 {cat!r} 重复 (duplicate category)", file=path, row=n, field="category")
                data[row["kind"]][year][cat] = (amounts[0], amounts[1])
    except UnicodeDecodeError:
        raise InputError("不是 UTF-8 文本 (not UTF-8 text)", file=path) from None
    return assess(data["expenditure"], data["revenue"])


def from_department(p, others: list | None = None) -> PefaResult:
    """PEFA from department params: 年度预算金额 vs 支出总额 for PI-1; PI-2.1 and PI-3.1 need breakdowns the params lack.

    Args:
        p: a ``DepartmentParams``.
        others: the same department's other years (issue 5's multi-year params), if any.
    """
    years = {q.year: q for q in [*(others or []), p]}
    expenditure = {y: {"合计": (q.budget_header.value, q.expenditure.total.value)} for y, q in years.items()}
    return assess(expenditure, {})


def frame(result: PefaResult):
    """Dimensions and indicator scores as a table for a notebook (维度, 得分, 逐年数值, 说明)."""
    import pandas as pd

    titles = {k: v["title"] for k, v in _spec()["dimensions"].items()}
    rows = [
        {
            "维度": f"{d.id} {titles.get(d.id, '')}",
            "得分": d.score,
            "逐年": "，".join(f"{y} 年 {half_up(v)}%" for y, v in d.values.items()),
            "说明": d.note,
        }
        for d in result.dimensions.values()
    ]
    rows += [{"维度": f"{k}（汇总）", "得分": v, "逐年": "", "说明": ""} for k, v in result.indicators.items()]
    return pd.DataFrame(rows)
