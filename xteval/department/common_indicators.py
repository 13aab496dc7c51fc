"""The 财预〔2013〕53号 common indicators' values from a department's figures, and local tables' own measures.

:func:`values` computes every measure of the ``dept-common-2013`` catalogue
(and the local measures the published tables use) from a
:class:`~xteval.department.model.DepartmentParams`: a rate in % (2 decimals,
half-up) or a count, or None with the reason it cannot be computed. The value
never depends on a table's points; the versions ``dept-common-2013@…`` score
these values.

Where the params lack a figure, a documented fallback is used only when it is
the same quantity (the previous year's params give 上年结转 and last year's
三公 budget) and the row says so; where it is a different quantity, the measure
is None (无数据), never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..money import half_up
from ..scoring import frameworks
from .model import DepartmentParams

__all__ = ["CATALOGUE", "Value", "frame", "values"]

CATALOGUE = "dept-common-2013"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Value:
    """One measure's value: the number (None: 无数据), why it is missing, and caveats on how it was read."""

    value: Decimal | None
    why: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def flags(self) -> list[str]:
        """What a scored row shows next to the value."""
        return [self.why, *self.notes] if self.value is None else list(self.notes)


def _v(fig) -> Decimal | None:
    return fig.value if fig is not None else None


def _lacking(*figures: tuple[str, Decimal | None]) -> str:
    """Why a measure has no value: the figures (by their Chinese names) the params do not give; '' when all are given."""
    absent = [name for name, v in figures if v is None]
    return f"参数文件未给出{'、'.join(absent)}" if absent else ""


def _tp(p: DepartmentParams | None, side: str) -> Decimal | None:
    """三公经费 合计 of ``control`` or ``actual``, or None when the params do not give it."""
    return None if p is None else _v(getattr(getattr(p.three_public, side), "total", None))


def _ratio(num: Decimal | None, den: Decimal | None, missing: str, zero: str = "", notes: tuple[str, ...] = ()) -> Value:
    """num ÷ den × 100, 2 decimals; None with ``missing`` (an input absent) or ``zero`` (den = 0)."""
    if num is None or den is None:
        return Value(None, missing, notes)
    if den == 0:
        return Value(None, zero or "分母为 0，比率无定义", notes)
    return Value(half_up(num / den * HUNDRED), "", notes)


def _change(now: Decimal | None, before: Decimal | None, missing: str, notes: tuple[str, ...] = ()) -> Value:
    if now is None or before is None:
        return Value(None, missing, notes)
    if before == 0:
        return Value(None, "上年数为 0，变动率无定义", notes)
    return Value(half_up((now - before) / before * HUNDRED), "", notes)


def _carry_in(p: DepartmentParams, previous: DepartmentParams | None) -> tuple[Decimal | None, tuple[str, ...]]:
    """上年结转: the params' own figure, else the previous year's closing 结转结余 (the same quantity)."""
    if p.common.carry_in is not None:
        return p.common.carry_in.value, ()
    if previous is not None and previous.carryover.fiscal is not None:
        return previous.carryover.fiscal.value, (f"上年结转取 {previous.year} 年参数的财政拨款结转结余",)
    return None, ()


def _year_end(p: DepartmentParams) -> tuple[Decimal | None, tuple[str, ...]]:
    if p.common.year_end_balance is not None:
        return p.common.year_end_balance.value, ()
    if p.carryover.fiscal is None:
        return None, ()
    return p.carryover.fiscal.value, ("年末结转结余取财政拨款结转结余（全部资金口径未给出）",)


def _goal_share(p: DepartmentParams, level2: str) -> Value:
    """Share of the goals of one 二级指标 (数量/质量/时效) whose 完成值 meets its 指标值: xteval's stand-in for 工作数."""
    note = (f"以{level2}指标达标个数 ÷ {level2}指标个数代替 53 号文的工作数（本工具的口径）",)
    goals = [g for g in p.goals if (g.level2 or "").startswith(level2) and g.kind.value != "qualitative"]
    if not goals or any(g.target is None or g.actual is None for g in goals):
        return Value(None, f"参数文件无工作数，也无完整的{level2}指标", ())
    met = 0
    for g in goals:
        a, t = g.actual.value, g.target.value
        met += (a >= t) if g.kind.value == "positive" else (a <= t) if g.kind.value == "reverse" else (a == t)
    return _ratio(Decimal(met), Decimal(len(goals)), "", notes=note)


def _work(p: DepartmentParams, numerator: str, level2: str) -> Value:
    c = p.common
    if c.work_planned is not None and getattr(c, numerator) is not None:
        return _ratio(_v(getattr(c, numerator)), c.work_planned.value, "", "计划工作数为 0")
    return _goal_share(p, level2)


def _balance_to_carry_in(p: DepartmentParams, previous: DepartmentParams | None) -> Value:
    end, notes = _year_end(p)
    carry, more = _carry_in(p, previous)
    notes += more
    if end is None:
        return Value(None, _lacking(("结转结余", end)), notes)
    if end == 0:
        return Value(Decimal("0.00"), "", notes)
    if carry is None:
        return Value(None, "无上年结转（参数文件未给上年结转，也无上年参数文件）", notes)
    if carry == 0:
        return Value(None, "上年结转为 0 而年末有结余：比值无定义（按岳阳样表应为 0 分），请人工核定", notes)
    return _ratio(end, carry, "", notes=notes)


def _completion_carryover(p: DepartmentParams, previous: DepartmentParams | None) -> Value:
    """Hunan tables: (上年结转 + 年初 + 追加 − 年末结余) ÷ (上年结转 + 年初 + 追加)."""
    carry, notes = _carry_in(p, previous)
    end, more = _year_end(p)
    if carry is None:
        return Value(None, "无上年结转（参数文件未给上年结转，也无上年参数文件）", notes + more)
    initial, added = _v(p.income.initial_budget), _v(p.income.midyear_addition)
    lacking = _lacking(("年初预算", initial), ("年中追加", added), ("结转结余", end))
    if lacking:
        return Value(None, lacking, notes + more)
    base = carry + initial + added
    return _ratio(base - end, base, "", "上年结转、年初预算与追加合计为 0", notes + more)


def _carryover_rate(p: DepartmentParams) -> Value:
    end, notes = _year_end(p)
    header = _v(p.budget_header)
    return _ratio(end, header, _lacking(("结转结余", end), ("年度预算金额", header)), "年度预算金额为 0", notes)


def _carryover_change(p: DepartmentParams, previous: DepartmentParams | None) -> Value:
    end, notes = _year_end(p)
    carry, more = _carry_in(p, previous)
    why = _lacking(("结转结余", end)) or "无上年结转结余（参数文件未给上年结转，也无上年参数文件）"
    return _change(end, carry, why, notes + more)


def _three_public_change(p: DepartmentParams, previous: DepartmentParams | None) -> Value:
    notes = ("以“三公”经费控制数作本年预算安排数",)
    before = _v(p.common.three_public_budget_previous)
    if before is None and _tp(previous, "control") is not None:
        before = _tp(previous, "control")
        notes += (f"上年预算数取 {previous.year} 年参数的控制数",)
    now = _tp(p, "control")
    why = _lacking(("“三公”经费控制数", now)) or "无上年“三公”经费预算数（参数文件未给上年“三公”经费预算数，也无上年参数文件）"
    return _change(now, before, why, notes)


def _adjustment(p: DepartmentParams) -> Value:
    adj = _v(p.common.budget_adjustment)
    if adj is None:
        added = _v(p.income.midyear_addition)
        why = "参数文件无预算调整数" + (f"（年中追加 {added} 万元不等于 53 号文的调整数：须剔除政策性等调整）" if added is not None else "")
        if p.claims.adjustment_not_counted is not None:
            why += "；报告称追加未记入预算调整数"
        return Value(None, why)
    if adj < 0:
        return Value(None, "预算调整数应为各项调整的绝对额之和，不能为负")
    return _ratio(adj, _v(p.budget_header), _lacking(("年度预算金额", _v(p.budget_header))), "年度预算金额为 0")


def _pair(num, num_name: str, den, den_name: str) -> Value:
    """num ÷ den of two figures of the report; None naming the one(s) the params do not give."""
    n, d = _v(num), _v(den)
    return _ratio(n, d, _lacking((num_name, n), (den_name, d)), f"{den_name}为 0")


def _direct(fig, why: str) -> Value:
    return Value(None, why) if fig is None else Value(fig.value)


Computer = Callable[[DepartmentParams, DepartmentParams | None], Value]
QUALITATIVE = "定性指标，由评价人评分"

# measure id → how it is computed; an id of the catalogue missing here has no figure in the params.
COMPUTE: dict[str, Computer] = {
    "staff_control_rate": lambda p, q: _ratio(
        _v(p.common.staff_in_service), _v(p.common.staff_authorized), "参数文件无在职人员数、编制数", "编制数为 0"
    ),
    "three_public_change_rate": _three_public_change,
    "key_spending_rate": lambda p, q: _ratio(
        _v(p.common.key_project_spending),
        _v(p.expenditure.project),
        "参数文件无重点项目支出" if p.common.key_project_spending is None else _lacking(("项目支出", None)),
        "项目支出为 0",
    ),
    "budget_completion_rate": lambda p, q: _pair(p.expenditure.total, "支出总额", p.budget_header, "年度预算金额"),
    "budget_adjustment_rate": lambda p, q: _adjustment(p),
    "payment_progress_rate": lambda p, q: _ratio(
        _v(p.common.payment_progress_actual), _v(p.common.payment_progress_planned), "参数文件无实际与既定支付进度", "既定支付进度为 0"
    ),
    "carryover_rate": lambda p, q: _carryover_rate(p),
    "carryover_change_rate": _carryover_change,
    "public_funds_control_rate": lambda p, q: _ratio(
        _v(p.expenditure.public_operation),
        _v(p.common.public_funds_budget),
        "参数文件无公用经费预算数" if p.common.public_funds_budget is None else _lacking(("公用经费", None)),
        "公用经费预算数为 0",
    ),
    "three_public_control_rate": lambda p, q: _ratio(
        _tp(p, "actual"),
        _tp(p, "control"),
        _lacking(("“三公”经费实际支出", _tp(p, "actual")), ("“三公”经费控制数", _tp(p, "control"))),
        "三公经费控制数为 0",
        ("以控制数作预算安排数",),
    ),
    "procurement_rate": lambda p, q: _ratio(
        _v(p.common.procurement_actual), _v(p.common.procurement_budget), "参数文件无政府采购预算与执行数", "政府采购预算数为 0"
    ),
    "fixed_asset_use_rate": lambda p, q: _ratio(
        _v(p.common.fixed_assets_in_use), _v(p.common.fixed_assets_total), "参数文件无固定资产在用数与总额", "固定资产总额为 0"
    ),
    "completion_rate": lambda p, q: _work(p, "work_done", "数量"),
    "timeliness_rate": lambda p, q: _work(p, "work_on_time", "时效"),
    "quality_rate": lambda p, q: _work(p, "work_quality_ok", "质量"),
    "key_work_rate": lambda p, q: _ratio(
        _v(p.common.key_work_done), _v(p.common.key_work_assigned), "参数文件无重点工作交办数与办结数", "交办重点工作数为 0"
    ),
    # local tables' own measures
    "budget_completion_rate_carryover": _completion_carryover,
    "budget_control_rate": lambda p, q: _pair(p.income.midyear_addition, "年中追加", p.income.initial_budget, "年初预算"),
    "late_special_funds": lambda p, q: _direct(p.common.late_special_funds, "参数文件无专项资金下达情况"),
    "balance_to_carry_in": _balance_to_carry_in,
    "budget_rules_points_met": lambda p, q: _direct(p.common.budget_rules_points_met, "由评价人判断三个要点"),
    "noncompliant_cases": lambda p, q: _direct(p.common.noncompliant_cases, "由评价人认定不合规事项"),
    "building_area_control_rate": lambda p, q: _direct(p.common.building_area_control_rate, "参数文件无楼堂馆所建设数据"),
    "building_investment_control_rate": lambda p, q: _direct(p.common.building_investment_control_rate, "参数文件无楼堂馆所建设数据"),
}


def values(p: DepartmentParams, previous: DepartmentParams | None = None) -> dict[str, Value]:
    """Every catalogue measure's value for a department-year.

    Args:
        p: the department-year.
        previous: the same department's previous year (上年结转, last year's 三公 budget), if any.

    Returns:
        measure id → :class:`Value`, in catalogue order; qualitative indicators are None
        ("定性指标，由评价人评分").
    """
    out = {}
    for m in frameworks.get(CATALOGUE).measures:
        if m.id in COMPUTE:
            out[m.id] = COMPUTE[m.id](p, previous)
        else:
            out[m.id] = Value(None, QUALITATIVE if not m.quantitative else "参数文件无此项数据")
    return out


def frame(p: DepartmentParams, previous: DepartmentParams | None = None) -> pd.DataFrame:
    """The 53号 indicators with their formula, value and caveats, for a notebook (no points: 53号 sets none)."""
    cat = frameworks.get(CATALOGUE)
    vals = values(p, previous)
    rows = []
    for m in cat.measures:
        if m.basis != "official":
            continue
        v = vals[m.id]
        rows.append(
            {
                "一级指标": m.level1,
                "二级指标": m.level2,
                "指标": m.name,
                "计算公式": m.formula or "（定性）",
                "数值": "无数据" if v.value is None else f"{v.value}{m.unit}",
                "说明": "；".join(v.flags),
            }
        )
    return pd.DataFrame(rows)
