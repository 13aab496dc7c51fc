"""What the department notebook shows, one attribute per section (see :func:`~.evaluation.evaluate`).

This module imports the tables and charts it shows, so :func:`~.evaluation.evaluate` imports it
on first use: ``import xteval`` and ``xteval.check`` load no pandas and no matplotlib.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..department import charts, common_indicators, history, tables
from ..department import scoring as department
from ..params import ParamsBase
from ..render import report
from ..scoring import engine, frameworks, pefa
from .sections import Evaluation, section

SELF_FRAMEWORK = department.SELF_FRAMEWORK
SCORE_COLUMNS = ("指标值", "完成值", "分值", "得分")


@dataclass
class DepartmentEvaluation(Evaluation):
    """A department-year as its appendix shows it; each section is one attribute."""

    TITLE = "部门整体支出绩效评价"

    # ------------------------------------------------------------------ the opening

    def opening(self):
        """Record the run's values (title block, checks, figures, scores) and return the verdict line."""
        report.begin(self.params, self.TITLE)
        report.record_checks(self.checks)
        report.record(**self.record)
        what = "部门整体自评（沿用财预〔2020〕10号 自评表计分）"
        s = self.self_score
        unscored = "无数据（参数文件未给出可评分的数字，不给总分与等级）"
        return report.verdict_box(self.score_total, s.grade, self.checks.counts, self.illustrative_score, what=what, unscored=unscored)

    @property
    def score_total(self):
        """The 单位自评 total, or None when no indicator could be scored (all 无数据: never shown as 0)."""
        s = self.self_score
        return s.total if s.assessed else None

    @functools.cached_property
    def record(self) -> dict[str, Any]:
        """What the run records into the executed notebook for the batch index and the year summary."""
        s = self.self_score
        out = {"score_illustrative": self.illustrative_score, **tables.key_figures(self.params)}
        out |= {"total": self.score_total, "grade": s.grade, "framework": SELF_FRAMEWORK}
        out["frameworks"] = {n: frameworks.get(n).version for n in self.frameworks_used}
        out["common"] = {n: {"assessed": str(r.assessed), "total": str(r.total), "complete": r.complete} for n, r in self.common.items()}
        out["pefa"] = {k: d.score for k, d in self.pefa_result.dimensions.items()}
        if len(self.years) > 1:
            out |= {"years": sorted(self.years), "pi1": history.pi1(self.years).score}
        return out

    # ------------------------------------------------------------------ scores

    @functools.cached_property
    def previous(self) -> ParamsBase | None:
        """The previous year's params (上年结转, 上年“三公”预算), when the params folder has them."""
        return history.earlier_years(self.params, 1).get(self.params.year - 1)

    @functools.cached_property
    def self_score(self):
        """部门整体自评 (``dept-self``: the 财预〔2020〕10号 自评表's scoring, a convention for a department)."""
        return department.score_department(self.params, SELF_FRAMEWORK)

    @functools.cached_property
    def common(self) -> dict[str, Any]:
        """The 53 号文 common indicators scored by each published local table."""
        return {name: department.score_department(self.params, name, self.previous) for name in department.common_frameworks()}

    @functools.cached_property
    def pefa_result(self):
        return pefa.from_department(self.params, list(history.earlier_years(self.params).values()))

    @property
    def frameworks_used(self) -> list[str]:
        return [SELF_FRAMEWORK, "dept-common-2013", *self.common, "pefa2016"]

    @functools.cached_property
    def illustrative_score(self) -> bool:
        return tables.score_is_illustrative(self.params)

    @functools.cached_property
    def years(self) -> dict[int, ParamsBase]:
        """This year and the earlier years the params folder holds, for the multi-year comparison."""
        return history.series(self.params)

    # ------------------------------------------------------------------ sections

    SECTIONS = {
        "profile": report.profile_table,
        "income": tables.income_table,
        "expenditure": tables.expenditure_table,
        "composition_chart": charts.composition_chart,
        "three_public": tables.three_public_table,
        "three_public_chart": charts.three_public_chart,
        "execution_rate": tables.execution_rate_table,
        "goals": tables.goals_table,
        "provenance": report.provenance_table,
    }
    checks_table = section(report.checks_table, "checks")

    @property
    def functions(self) -> str:
        return report.titled_text("单位基本职能", self.params.narrative.functions if self.params.narrative else "")

    @property
    def frameworks_table(self):
        return report.styled(engine.frameworks_frame(self.frameworks_used), caption="评分框架：版本、依据与分值来源")

    @property
    def self_score_table(self):
        weights = [g.weight for g in self.params.goals if g.weight is not None]
        illustrative = any(w.is_illustrative for w in weights)
        return _score_table(SELF_FRAMEWORK, self.self_score, "；各指标分值为示例（报告未给出分值）" if illustrative else "")

    @property
    def common_values(self):
        caption = f"53 号文共性指标的数值（版本 {frameworks.version_label('dept-common-2013')}，不设分值）"
        return report.styled(common_indicators.frame(self.params, self.previous), caption=caption)

    @property
    def common_tables(self) -> list:
        return [_score_table(name, result) for name, result in self.common.items()]

    @property
    def pefa_table(self):
        return report.styled(
            pefa.frame(self.pefa_result),
            caption=f"{frameworks.get('pefa2016').title}，版本 {frameworks.version_label('pefa2016', self.pefa_result.version)}",
        )

    @property
    def history(self) -> list:
        """The multi-year comparison: the table, two trend charts and PEFA PI-1; a note when there is one year only."""
        years = self.years
        if len(years) <= 1:
            return ["<p>参数目录中没有本单位更早年度的参数文件，无多年度比较。</p>"]
        return [
            report.styled(history.comparison_frame(years), caption="主要收支与变动率（变动率 = 本年 ÷ 上年 − 1）"),
            history.trend_chart(years),
            history.three_public_trend_chart(years),
            report.styled(history.pi1_frame(years), caption="PEFA PI-1 总支出决算偏差"),
        ]

    @property
    def problems(self) -> list[str]:
        narrative = self.params.narrative
        if not narrative:
            return ["<p>参数文件未转录报告的问题与改进措施部分。</p>"]
        return [report.titled_text("存在的问题", narrative.problems), report.titled_text("改进措施", narrative.improvements)]


def _score_table(name: str, result: Any, note: str = ""):
    """A scored framework as its table, captioned with the framework's title, version and status (and ``note``)."""
    caption = f"{frameworks.get(name).title}，版本 {frameworks.version_label(name, result.version)}：{result.status()}{note}"
    return report.styled(engine.frame(result), right=SCORE_COLUMNS, caption=caption)
