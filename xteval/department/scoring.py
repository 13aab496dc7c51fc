"""A department scored: its goals under ``dept-self`` (the 10号 自评表's scoring, as 部门整体) and the 财预〔2013〕53号 common indicators.

:func:`department_table` builds the goals table (with 预算执行率) scored under
``mof2020-self``; :func:`common_table` gives the common indicators' values
(``xteval.department.common_indicators``) for a ``dept-common-2013@…`` table;
:func:`score_department` scores either; :func:`common_frameworks` lists the
published tables shipped.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..errors import ConfigError
from ..money import half_up
from ..scoring import frameworks
from ..scoring.engine import ScoreResult, score_table
from ..scoring.table import COLUMNS
from . import common_indicators
from .checks import execution_rates
from .model import DepartmentParams

HUNDRED = Decimal(100)
# A department is scored as 部门整体: its own framework, which scores as the 10号 自评表 (a convention, said on every output)
SELF_FRAMEWORK = "dept-self"


def execution_rate(p: DepartmentParams) -> Decimal | None:
    """预算执行率 in % = 支出总额 ÷ 财政拨款收入 × 100 (the first definition of ``rules/checks.yaml``), 2 decimals half-up."""
    rates = execution_rates(p)
    if not rates:
        return None
    _, rate = next(iter(rates.values()))
    return half_up(rate)


def common_frameworks() -> list[str]:
    """The shipped versions of the 53号 common indicators, one per published table."""
    return frameworks.variants(common_indicators.CATALOGUE)


def department_table(p: DepartmentParams) -> pd.DataFrame:
    """The department's 预算执行率 and goals as a 自评表 table for ``mof2020-self``.

    预算执行率 (分值 10, 指标值 100%) is scored 10 × min(rate, 100%) by the
    positive method; the goals carry their own 分值 (illustrative in the seed params).
    The 一级指标 分值 are the framework's whatever goals are given: a level with no goal, or
    with a goal whose 分值 is not given, is one 无数据 row at the framework's 分值; a goal
    without 指标值 is 无数据 at its own 分值. ``attrs["no_data"]`` lists those rows.
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
    fw = frameworks.get(SELF_FRAMEWORK)
    level_of = {g.name: fw.alias_map.get(g.level1, g.level1) for g in p.goals}
    unweighted = {level_of[g.name] for g in p.goals if g.weight is None}
    no_data = []
    for g in p.goals:
        if level_of[g.name] in unweighted:
            continue
        if g.kind.value != "qualitative" and g.target is None:
            no_data.append(len(rows))
        rows.append(
            {
                "indicator": g.name,
                "level1": g.level1,
                "kind": g.kind.value,
                "target": g.target.value if g.target else None,
                "actual": g.actual.value if g.actual else None,
                "weight": g.weight.value,
                "grade": g.grade,
                "score": g.score.value if g.score else None,
            }
        )
    for level in fw.level1:
        if level.name == "预算执行率" or any(level_of[g.name] == level.name for g in p.goals if level.name not in unweighted):
            continue
        why = NO_WEIGHTS if level.name in unweighted else NO_GOALS
        no_data.append(len(rows))
        rows.append(_no_data_row(level.name + why, level.name, level.weight))
    df = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    df.attrs["no_data"] = tuple(no_data)
    return df


NO_GOALS = "（参数文件未列绩效目标）"
NO_WEIGHTS = "（绩效目标未给出分值）"


def _no_data_row(name: str, level1: str, weight: Decimal) -> dict:
    """A 一级指标 with nothing to score: 无数据 at the framework's 分值 (no total, no grade; never 0, never full marks)."""
    return {
        "indicator": name,
        "level1": level1,
        "kind": "qualitative",
        "target": None,
        "actual": None,
        "weight": weight,
        "grade": None,
        "score": None,
    }


def common_table(p: DepartmentParams, previous: DepartmentParams | None = None) -> pd.DataFrame:
    """The 财预〔2013〕53号 measures computed from the department's figures, as a table a closed framework scores.

    Args:
        p: the department-year.
        previous: the same department's previous year (上年结转, last year's 三公 budget).

    Returns:
        A table with ``indicator`` (the measure id of the ``dept-common-2013`` catalogue),
        ``actual`` (the value, None when an input is missing: scored 无数据) and
        ``flags`` (why it is missing, and how it was read). See :mod:`xteval.department.common_indicators`.
    """
    rows = [{"indicator": k, "actual": v.value, "flags": v.flags} for k, v in common_indicators.values(p, previous).items()]
    df = pd.DataFrame(rows, dtype=object)
    df.attrs["indicator"] = "measure"  # matched by measure id: a table scores the measures it uses, by its own formula
    return df


def score_department(
    p: DepartmentParams, framework: str | frameworks.Framework = SELF_FRAMEWORK, previous: DepartmentParams | None = None
) -> ScoreResult:
    """Score a department-year under ``dept-self`` or ``mof2020-self`` (its goals) or a ``dept-common-2013@…`` table (common indicators).

    Args:
        p: the department-year.
        framework: a framework name from :func:`xteval.scoring.engine.framework_names`, or a framework
            with a choice made (:func:`xteval.scoring.frameworks.choose`).
        previous: the previous year, used by the common indicators (上年结转, 变动率).

    Returns:
        A :class:`ScoreResult`; the indicator names are the framework's Chinese names.
    """
    fw = frameworks.get(framework) if isinstance(framework, str) else framework
    where = str(p._path) if p._path else None
    if fw.kind not in ("points", "catalogue"):
        raise ConfigError(f"{fw.name} 不是分值评分框架 (use xteval.scoring.pefa)", field="framework")
    table = common_table(p, previous) if fw.kind == "catalogue" or fw.closed else department_table(p)
    return score_table(table, fw, file=where)
