"""Department-year tables for the appendix: 收入, 支出, 三公经费, 预算执行率 and 绩效目标.

Amounts in 万元 to 2 decimals (half-up, thousands separators), shares of the
total, and the provenance of each figure in words (报告原文 / 推算 / 示例).
A figure that breaks a rule is highlighted in its own table: a 三公 item over
its control, a goal below its target.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

from ..money import fmt, fmt_rate, half_up
from ..params import Amount, iter_provenance
from ..render.labels import source_label
from ..render.report import Html, styled
from .checks import execution_rates as _rates
from .model import DepartmentParams, shown_three_public_parts

IND = "\u3000"  # full-width space: indents sub-items the way 决算 tables do


def _row(label: str, fig, base: Decimal | None, depth: int = 0) -> dict[str, str]:
    value = fig.value if fig is not None else None
    share = fmt_rate(value / base * 100) if value is not None and base else ""
    return {
        "项目": IND * depth + label,
        "金额（万元）": fmt(value),
        "占比": share,
        "来源": source_label(None if fig is None else fig.source),
    }


# The lines of the 收入 and 支出 tables: each a field of the model, whose description is its label, and its indent.
INCOME_LINES = {"total": 0, "fiscal_appropriation": 1, "initial_budget": 2, "non_tax_revenue": 3, "midyear_addition": 2, "other_income": 1}
EXPENDITURE_LINES = {"total": 0, "basic": 1, "personnel": 2, "public_operation": 2, "project": 1}


def absent(what: str) -> Html:
    """A section whose figures the params do not give: said in words, never drawn from invented figures."""
    return Html(f'<p class="xt-absent">参数文件未给出{what}，本节无数据（不按 0 计，不作推测）。</p>')


def income_table(p: DepartmentParams):
    """收入情况: 总收入 and its parts, 万元 to 2 decimals, with shares of 总收入."""
    return _amount_table(p.income, INCOME_LINES, "收入情况（万元）")


def expenditure_table(p: DepartmentParams):
    """支出情况: 支出总额, 基本支出 and 项目支出 with their parts."""
    parts = [(x.name, x, 2) for x in p.expenditure.project_parts or []]
    return _amount_table(p.expenditure, EXPENDITURE_LINES, "支出情况（万元）", parts)


def _amount_table(section, lines: dict[str, int], caption: str, more: Sequence[tuple[str, Amount, int]] = ()):
    """A section's amounts (a field left out when not given), then ``more`` lines, each with its share of the first (the total)."""
    fields = type(section).model_fields
    given = [(fields[k].description, getattr(section, k), depth) for k, depth in lines.items() if getattr(section, k) is not None]
    if not given and not more:
        return absent(caption.removesuffix("（万元）") + "的数字")
    base = section.total.value if section.total is not None else None  # shares of the total only: never of a part
    rows = [_row(label, fig, base, depth) for label, fig, depth in [*given, *more]]
    return styled(pd.DataFrame(rows), right=("金额（万元）", "占比"), caption=caption)


def three_public_table(p: DepartmentParams):
    """三公经费: control figure, actual, and the room left, by category; an item over its control is red."""
    tp = p.three_public
    if tp.control is None and tp.actual is None:
        return absent("“三公”经费的控制数与实际支出")
    rows, over = [], []
    for key, label in (*shown_three_public_parts(tp), ("total", "合计")):
        c, a = getattr(tp.control, key, None), getattr(tp.actual, key, None)
        cv, av = (c.value if c else None), (a.value if a else None)
        exceeded = cv is not None and av is not None and av > cv
        rows.append(
            {
                "项目": label + ("（超控制数）" if exceeded else ""),
                "控制数": fmt(cv),
                "实际支出": fmt(av) if a else "未披露",
                "结余（控制数−实际）": fmt(cv - av) if cv is not None and av is not None else "",
                "执行比例": fmt_rate(av / cv * 100) if cv and av is not None else "",
            }
        )
        over.append(exceeded)
    return styled(
        pd.DataFrame(rows),
        right=("控制数", "实际支出", "结余（控制数−实际）", "执行比例"),
        caption="“三公”经费（万元）",
        highlight=over,
    )


def execution_rate_table(p: DepartmentParams):
    """The computed 预算执行率 beside the rate the report states."""
    stated = p.claims.execution_rate
    if not _rates(p):
        return absent("预算执行率所需的支出总额与财政拨款收入（或总收入）")
    rows = [
        {"口径": name, "计算值": fmt_rate(rate), "报告所称": fmt_rate(stated.value) if stated else "未披露"}
        for name, rate in _rates(p).values()
    ]
    return styled(pd.DataFrame(rows), right=("计算值", "报告所称"), caption="预算执行率")


def _met(g) -> bool | None:
    """Whether a goal's 完成值 meets its 指标值 (None: qualitative or not given)."""
    if g.kind.value == "qualitative" or g.target is None or g.actual is None:
        return None
    a, t = g.actual.value, g.target.value
    return a >= t if g.kind.value == "positive" else a <= t if g.kind.value == "reverse" else a == t


def _figure(fig, unit: str) -> str:
    if fig is None:
        return "未披露"
    return f"{fmt(fig.value)}%" if unit == "%" else f"{fig.value.normalize():,f}"


def goals_table(p: DepartmentParams):
    """绩效目标完成情况: each goal's 指标值 and 完成值 with its unit; a goal below its target is red.

    完成率 is 完成值 ÷ 指标值 for positive goals (2 decimals, half-up); a reverse goal
    (≤) or an equal one (=) is judged against its target without a rate.
    """
    symbol = {"positive": "≥", "reverse": "≤", "equal": "=", "qualitative": "定性"}
    if not p.goals:
        return absent("绩效目标")
    rows, below = [], []
    for g in p.goals:
        met = _met(g)
        rate = ""
        if g.kind.value == "positive" and g.target is not None and g.actual is not None and g.target.value:
            rate = fmt_rate(half_up(g.actual.value / g.target.value * 100))
        status = (g.grade or "") if g.kind.value == "qualitative" else {True: "达到", False: "未达到", None: "无数据"}[met]
        rows.append(
            {
                "一级指标": g.level1,
                "二级指标": g.level2 or "",
                "指标": g.name,
                "方向": symbol[g.kind.value],
                "指标值": "" if g.kind.value == "qualitative" else _figure(g.target, g.unit),
                "完成值": (g.grade or "") if g.kind.value == "qualitative" else _figure(g.actual, g.unit),
                "单位": "" if g.unit == "%" else g.unit,
                "完成率": rate,
                "完成情况": status,
            }
        )
        below.append(met is False or g.grade == "未达成")
    return styled(
        pd.DataFrame(rows),
        right=("指标值", "完成值", "完成率"),
        nowrap=("方向", "单位", "完成情况"),
        caption="绩效目标完成情况",
        highlight=below,
    )


SCORE_INPUTS = ("goals", "expenditure.total", "income.fiscal_appropriation")  # what mof2020-self scores read


def score_is_illustrative(p: DepartmentParams) -> bool:
    """True when a figure the 自评 score reads (goals, 支出总额, 财政拨款收入) is illustrative: the grade is 示例."""
    return any(prov.is_illustrative for path, prov in iter_provenance(p) if path.startswith(SCORE_INPUTS))


def key_figures(p: DepartmentParams) -> dict[str, Decimal | None]:
    """The figures the year summary compares across units, recorded into the executed notebook.

    ``execution_rate`` (预算执行率 %, 支出总额 ÷ 财政拨款收入, the first definition of
    ``rules/checks.yaml``), ``three_public_actual`` / ``three_public_control`` (三公经费, 万元),
    ``income_total`` and ``expenditure_total`` (万元).
    """
    rates = _rates(p)
    rate = half_up(next(iter(rates.values()))[1]) if rates else None
    tp = p.three_public
    return {
        "execution_rate": rate,
        "three_public_actual": _value(getattr(tp.actual, "total", None)),
        "three_public_control": _value(getattr(tp.control, "total", None)),
        "income_total": _value(p.income.total),
        "expenditure_total": _value(p.expenditure.total),
    }


def _value(fig) -> Decimal | None:
    """A figure's value, or None when the params do not give it (never 0)."""
    return None if fig is None else fig.value
