"""Earlier years of the same params file, and year-on-year comparison rows.

``params/2023/department.yaml`` has earlier years at ``params/2022/department.yaml``,
``params/2021/department.yaml``… (the same file name in the sibling year folder).
A year that does not exist is simply absent; nothing is invented. A year folder
that holds a different notebook's file under the same name is an error.
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import ParamsError
from ..money import ZERO, fmt, fmt_rate, half_up
from ..params import ParamsBase, load_params, params_path
from ..render import charts
from ..scoring import pefa
from .model import DepartmentParams

HUNDRED = Decimal(100)


def earlier_years(p: ParamsBase, count: int = 2) -> dict[int, ParamsBase]:
    """The params of year−1 … year−``count`` that exist beside ``p``'s year folder.

    Args:
        p: a loaded params model (its file decides where to look).
        count: how many years back to look.

    Returns:
        ``{year: model}`` for the years found, oldest first; empty when ``p`` has no file.

    Raises:
        ParamsError: an earlier file is invalid, renders another notebook, or states another year.
    """
    path = params_path(p)
    if path is None:
        return {}
    out: dict[int, ParamsBase] = {}
    for year in range(p.year - count, p.year):
        other = path.parent.parent / str(year) / path.name
        if not other.exists():
            continue
        q = load_params(other)
        if q.notebook != p.notebook:
            raise ParamsError(
                f"应为 notebook {p.notebook!r}，实为 {q.notebook!r} (another notebook's params)", file=other, field="notebook"
            )
        if q.year != year:
            raise ParamsError(f"位于 {year} 年目录，但年度为 {q.year} (year does not match its folder)", file=other, field="unit.year")
        out[year] = q
    return out


def series(p: ParamsBase, count: int = 2) -> dict[int, ParamsBase]:
    """Earlier years and ``p`` itself, oldest first."""
    return {**earlier_years(p, count), p.year: p}


def change_rate(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """(after − before) ÷ before × 100, to 2 decimals; None when before is 0 or missing."""
    if before is None or after is None or before == ZERO:
        return None
    return half_up((after - before) / before * HUNDRED)


# Rows compared across department years: label and how to read the figure.
DEPARTMENT_ROWS: tuple[tuple[str, str], ...] = (
    ("总收入", "income.total"),
    ("财政拨款收入", "income.fiscal_appropriation"),
    ("支出总额", "expenditure.total"),
    ("基本支出", "expenditure.basic"),
    ("项目支出", "expenditure.project"),
    ("三公经费", "three_public.actual.total"),
    ("三公经费控制数", "three_public.control.total"),
    ("结转结余", "carryover.fiscal"),
)


def _get(p: ParamsBase, dotted: str) -> Decimal | None:
    obj = p
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj.value


def comparison(years: dict[int, DepartmentParams]) -> list[dict]:
    """One row per figure: its value each year and the 变动率 against the year before.

    Args:
        years: ``{year: DepartmentParams}`` (from :func:`series`).

    Returns:
        Rows with ``label``, ``values`` {year: 万元}, ``rates`` {year: % change or None}.
    """
    ys = sorted(years)
    rows = []
    for label, dotted in DEPARTMENT_ROWS:
        values = {y: _get(years[y], dotted) for y in ys}
        rates = {b: change_rate(values[a], values[b]) for a, b in zip(ys, ys[1:], strict=False)}
        rows.append({"label": label, "values": values, "rates": rates})
    return rows


def comparison_frame(years: dict[int, DepartmentParams]):
    """The comparison as a table: 万元 per year, then 变动率 per later year."""
    import pandas as pd

    ys = sorted(years)
    out = []
    for row in comparison(years):
        r = {"项目": row["label"]}
        r.update({f"{y} 年（万元）": fmt(row["values"][y]) for y in ys})
        r.update({f"{y} 年变动率": "—" if row["rates"][y] is None else f"{row['rates'][y]}%" for y in ys[1:]})
        out.append(r)
    return pd.DataFrame(out)


def pi1(years: dict[int, DepartmentParams]) -> pefa.Dimension:
    """PEFA PI-1 (aggregate expenditure outturn) over the years given: 支出总额 ÷ 年初预算.

    PEFA 2016 compares outturn with the originally approved budget, not the
    budget after 年中追加 (pefa.org/node/4763), so the base is 年初预算, not the
    header's 年度预算金额; a department's 支出总额 already includes any 预备费 or
    利息 it spent (PI-1 includes both).
    """
    pairs = {y: (_get(q, "income.initial_budget"), _get(q, "expenditure.total")) for y, q in years.items()}
    return pefa.pi1({y: pair for y, pair in pairs.items() if None not in pair})  # a year without either figure is not scored


def pi1_frame(years: dict[int, DepartmentParams]):
    """PI-1 outturn per year and the score; 年度预算金额 (after 追加) is shown beside 年初预算 for comparison."""
    import pandas as pd

    d = pi1(years)
    rows = [
        {
            "年度": y,
            "年初预算（万元）": fmt(_get(years[y], "income.initial_budget")),
            "年度预算金额（万元，含追加）": fmt(_get(years[y], "budget_header")),
            "支出总额（万元）": fmt(_get(years[y], "expenditure.total")),
            "决算 ÷ 年初预算": fmt_rate(d.values[y]) if y in d.values else "—",
        }
        for y in sorted(years)
    ]
    rows.append(
        {
            "年度": "PI-1 评分",
            "年初预算（万元）": "",
            "年度预算金额（万元，含追加）": "",
            "支出总额（万元）": "",
            "决算 ÷ 年初预算": d.score + (f"（{d.note}）" if d.note else ""),
        }
    )
    return pd.DataFrame(rows)


def trend_chart(years: dict[int, DepartmentParams]):
    """总收入, 支出总额 and 结转结余 by year."""
    ys = sorted(years)
    rows = {r["label"]: r["values"] for r in comparison(years)}
    series = [(k, [rows[k][y] for y in ys]) for k in ("总收入", "支出总额", "结转结余")]
    return charts.grouped_bars([f"{y} 年" for y in ys], series, "收入、支出与结转结余（多年度）")


def three_public_trend_chart(years: dict[int, DepartmentParams]):
    """三公经费 control figure and actual by year."""
    ys = sorted(years)
    rows = {r["label"]: r["values"] for r in comparison(years)}
    series = [("控制数", [rows["三公经费控制数"][y] for y in ys]), ("实际支出", [rows["三公经费"][y] for y in ys])]
    return charts.grouped_bars([f"{y} 年" for y in ys], series, "“三公”经费（多年度）")
