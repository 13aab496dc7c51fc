"""A department scored: its goals under ``mof2020-self`` and the 财预〔2013〕53号 common indicators.

:func:`department_table` builds the goals table (with 预算执行率) scored under
``mof2020-self``; :func:`common_table` computes the common indicators
(``dept-common-2013``) from a :class:`DepartmentParams`; :func:`score_department`
scores either.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..department.checks import execution_rates
from ..department.model import DepartmentParams
from ..errors import ConfigError
from ..money import half_up
from . import frameworks
from .engine import ScoreResult, score_table
from .table import COLUMNS

HUNDRED = Decimal(100)


def execution_rate(p: DepartmentParams) -> Decimal | None:
    """预算执行率 in % = 支出总额 ÷ 财政拨款收入 × 100 (the first definition of ``rules/checks.yaml``), 2 decimals half-up."""
    rates = execution_rates(p)
    if not rates:
        return None
    _, rate = next(iter(rates.values()))
    return half_up(rate)


def department_table(p: DepartmentParams) -> pd.DataFrame:
    """The department's 预算执行率 and goals as a 自评表 table for ``mof2020-self``.

    预算执行率 (分值 10, 指标值 100%) is scored 10 × min(rate, 100%) by the
    positive method; the goals carry their own 分值 (illustrative in the seed params).
    """
    rows = [
        {
            "indicator": "预算执行率",
            "level1": "预算执行率",
            "kind": "positive",
            "target": HUNDRED,
            "actual": execution_rate(p),
            "weight": Decimal(10),
            "grade": None,
            "score": None,
        }
    ]
    for g in p.goals:
        rows.append(
            {
                "indicator": g.name,
                "level1": g.level1,
                "kind": g.kind.value,
                "target": g.target.value if g.target else None,
                "actual": g.actual.value if g.actual else None,
                "weight": g.weight.value if g.weight else None,
                "grade": g.grade,
                "score": g.score.value if g.score else None,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)


def _ratio(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if num is None or den is None or den == 0:
        return None
    return half_up(num / den * HUNDRED)


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None or before == 0:
        return None
    return half_up((now - before) / before * HUNDRED)


def _v(fig) -> Decimal | None:
    return fig.value if fig is not None else None


def _goal_rate(p: DepartmentParams, level2: str) -> Decimal | None:
    """Share of the goals of one 二级指标 (数量/质量/时效) whose 完成值 meets the 指标值, in %."""
    goals = [g for g in p.goals if (g.level2 or "").startswith(level2) and g.kind.value != "qualitative"]
    if not goals or any(g.target is None or g.actual is None for g in goals):
        return None
    met = 0
    for g in goals:
        a, t = g.actual.value, g.target.value
        met += (a >= t) if g.kind.value == "positive" else (a <= t) if g.kind.value == "reverse" else (a == t)
    return _ratio(Decimal(met), Decimal(len(goals)))


def common_table(p: DepartmentParams, previous: DepartmentParams | None = None) -> pd.DataFrame:
    """The 财预〔2013〕53号 common indicators computed from the department's figures.

    Args:
        p: the department-year.
        previous: the same department's previous year, for the 变动率 indicators.

    Returns:
        A table with ``indicator`` (the ``dept-common-2013`` leaf id), ``actual``
        (the computed rate in %, None when an input is missing: scored 无数据)
        and ``flags`` (why it is missing, or a caveat).
    """
    e, inc, tp = p.expenditure, p.income, p.three_public
    prev_tp = previous.three_public.actual.total.value if previous is not None else None
    prev_carry = previous.carryover.fiscal.value if previous is not None else None
    values: dict[str, tuple[Decimal | None, str]] = {
        "staff_control_rate": (None, "参数文件无在职人员数、编制数"),
        "three_public_change_rate": (_change(tp.actual.total.value, prev_tp), "无上年三公经费" if previous is None else "上年三公经费为 0"),
        "budget_completion_rate": (_ratio(e.total.value, p.budget_header.value), "年度预算金额为 0"),
        "budget_adjustment_rate": (_ratio(inc.midyear_addition.value, inc.initial_budget.value), "年初预算为 0"),
        "payment_progress_rate": (None, "参数文件无分月支付进度"),
        "carryover_rate": (_ratio(p.carryover.fiscal.value, p.budget_header.value), "年度预算金额为 0"),
        "carryover_change_rate": (
            _change(p.carryover.fiscal.value, prev_carry),
            "无上年结转结余" if previous is None else "上年结转结余为 0，变动率无定义",
        ),
        "public_funds_control_rate": (None, "参数文件无公用经费预算数"),
        "three_public_control_rate": (_ratio(tp.actual.total.value, tp.control.total.value), "三公经费控制数为 0"),
        "procurement_rate": (None, "参数文件无政府采购预算与执行数"),
        "completion_rate": (_goal_rate(p, "数量"), "无数量指标或其完成值"),
        "timeliness_rate": (_goal_rate(p, "时效"), "无时效指标或其完成值"),
        "quality_rate": (_goal_rate(p, "质量"), "无质量指标或其完成值"),
        "key_work_rate": (None, "参数文件无重点工作清单"),
    }
    rows = []
    for key, (value, why) in values.items():
        flags = [why] if value is None else []
        if key == "budget_adjustment_rate" and value is not None and p.claims.adjustment_not_counted is not None:
            flags.append("报告称年中追加未记入预算调整数；此处按年中追加计，须核对批复")
        rows.append({"indicator": key, "actual": value, "flags": flags})
    return pd.DataFrame(rows, dtype=object)


def score_department(p: DepartmentParams, framework: str = "mof2020-self", previous: DepartmentParams | None = None) -> ScoreResult:
    """Score a department-year under ``mof2020-self`` (its goals) or ``dept-common-2013`` (common indicators).

    Args:
        p: the department-year.
        framework: a framework name from :func:`framework_names`.
        previous: the previous year, used by ``dept-common-2013``'s 变动率 indicators.

    Returns:
        A :class:`ScoreResult`; the indicator names are the framework's Chinese names.
    """
    fw = frameworks.get(framework)
    where = str(p._path) if p._path else None
    if fw.kind != "points":
        raise ConfigError(f"{fw.name} 不是分值评分框架 (use xteval.pefa)", field="framework")
    table = common_table(p, previous) if fw.closed else department_table(p)
    return score_table(table, fw, file=where)
