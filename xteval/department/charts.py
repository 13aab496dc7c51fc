"""Department-year charts: 收入与支出构成, and “三公”经费 control against actual."""

from __future__ import annotations

from ..render.charts import grouped_bars, show, stacked_bars

__all__ = ["composition_chart", "show", "three_public_chart"]


def composition_chart(p):
    """收入与支出构成 of a department-year."""
    inc, exp = p.income, p.expenditure
    income = [("年初预算", inc.initial_budget.value), ("年中追加", inc.midyear_addition.value), ("其他收入", inc.other_income.value)]
    spending = [("人员经费", exp.personnel.value), ("公用经费", exp.public_operation.value)]
    spending += [(x.name, x.value) for x in exp.project_parts] or [("项目支出", exp.project.value)]
    return stacked_bars([("总收入", income), ("支出总额", spending)], f"{p.year} 年收入与支出构成")


def three_public_chart(p):
    """三公经费 control figure against actual, by category."""
    tp = p.three_public
    cats = ["公务接待费", "公务用车运行费", "出国出境费", "合计"]

    def values(s):
        return [s.reception.value, s.vehicle.value, s.overseas.value if s.overseas else None, s.total.value]

    return grouped_bars(cats, [("控制数", values(tp.control)), ("实际支出", values(tp.actual))], f"{p.year} 年“三公”经费控制数与实际支出")
