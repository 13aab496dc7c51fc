"""Department-year charts: 收入与支出构成, and “三公”经费 control against actual."""

from __future__ import annotations

from ..render.charts import grouped_bars, show, stacked_bars
from .model import shown_three_public_parts

__all__ = ["composition_chart", "show", "three_public_chart"]


def composition_chart(p):
    """收入与支出构成 of a department-year; None (no chart) when the params give none of its figures."""
    inc, exp = p.income, p.expenditure
    income = _given([("年初预算", inc.initial_budget), ("年中追加", inc.midyear_addition), ("其他收入", inc.other_income)])
    spending = _given([("人员经费", exp.personnel), ("公用经费", exp.public_operation)])
    spending += _given([(x.name, x) for x in exp.project_parts or []]) or _given([("项目支出", exp.project)])
    rows = [(name, parts) for name, parts in (("总收入", income), ("支出总额", spending)) if parts]
    if not rows:
        return None
    return stacked_bars(rows, f"{p.year} 年收入与支出构成")


def _given(parts):
    """The (name, value) of each figure the params give: a figure left out is not drawn as 0."""
    return [(name, fig.value) for name, fig in parts if fig is not None]


def three_public_chart(p):
    """三公经费 control figure against actual, by category; None (no chart) when the params give neither."""
    tp = p.three_public
    if tp.control is None and tp.actual is None:
        return None
    parts = [*shown_three_public_parts(tp), ("total", "合计")]
    cats = [name for _, name in parts]

    def values(s):
        return [getattr(getattr(s, key, None), "value", None) for key, _ in parts]

    return grouped_bars(cats, [("控制数", values(tp.control)), ("实际支出", values(tp.actual))], f"{p.year} 年“三公”经费控制数与实际支出")
