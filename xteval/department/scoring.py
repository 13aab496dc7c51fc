"""A department scored: its goals under ``mof2020-self`` and the 财预〔2013〕53号 common indicators.

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
SELF_FRAMEWORK = "mof2020-self"


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
    unlisted = _unlisted_levels(p)
    df = pd.DataFrame(rows + unlisted, columns=list(COLUMNS), dtype=object)
    df.attrs["unlisted"] = tuple(range(len(rows), len(rows) + len(unlisted)))
    return df


NO_GOALS = "（参数文件未列绩效目标）"


def _unlisted_levels(p: DepartmentParams) -> list[dict]:
    """One 无数据 row per 一级指标 of ``mof2020-self`` that no goal is listed under, at the framework's 分值.

    The 分值 come from the framework, never from the goals present: a unit without goals is
    scored 无数据 on 产出、效益、满意度 (no total, no grade), not refused and not given full marks.
    """
    fw = frameworks.get(SELF_FRAMEWORK)
    listed = {fw.alias_map.get(g.level1, g.level1) for g in p.goals}
    return [
        {
            "indicator": level.name + NO_GOALS,
            "level1": level.name,
            "kind": "qualitative",
            "target": None,
            "actual": None,
            "weight": level.weight,
            "grade": None,
            "score": None,
        }
        for level in fw.level1
        if level.name != "预算执行率" and level.name not in listed
    ]


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
    p: DepartmentParams, framework: str | frameworks.Framework = "mof2020-self", previous: DepartmentParams | None = None
) -> ScoreResult:
    """Score a department-year under ``mof2020-self`` (its goals) or a ``dept-common-2013@…`` table (common indicators).

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
