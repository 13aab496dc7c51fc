"""``xteval.evaluate``: everything a notebook shows for one unit-year, computed once.

A notebook's first cell calls :func:`evaluate` and :meth:`DepartmentEvaluation.opening`; every
section after it is one attribute of the evaluation and one :func:`show`, so any cell can be run
again on its own. The checks run once: on the params, then (when the params name a source
report) the checks only the report's text allows, on the document the params' quote check read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks import Suite
from ..params import ParamsBase, load_params, params_source, resolve
from .sections import Evaluation

SELF_FRAMEWORK = "mof2020-self"
SCORE_COLUMNS = ("指标值", "完成值", "分值", "得分")


def evaluate(params: str | Path | ParamsBase) -> Any:
    """Everything a notebook shows for one unit or project: its checks, scores, tables and charts' data.

    Args:
        params: a params file (or params loaded already); its ``notebook`` key decides what is evaluated.

    Returns:
        For ``notebook: department`` a :class:`DepartmentEvaluation`; for a project or the year
        summary its evaluation (:mod:`xteval.api.projects`); for another notebook an
        :class:`Evaluation` with the params and no checks.
    """
    p = params if isinstance(params, ParamsBase) else load_params(params)
    if p.notebook == "department":
        return DepartmentEvaluation(p, department_suite(p))
    from .projects import EVALUATIONS

    if p.notebook in EVALUATIONS:
        return EVALUATIONS[p.notebook].of(p)
    return Evaluation(p, Suite())


def department_suite(p: ParamsBase) -> Suite:
    """The department checks on the params, then the checks only the source report's text allows (each check once)."""
    from ..audit import audit_file
    from ..department.checks import department_checks

    suite = department_checks(p)
    if p.source_report:
        document = params_source(p) or resolve(p, p.source_report)  # the document the quote check read: not read again
        _, _, text_suite = audit_file(document, p, model_checks=False)
        suite.extend(text_suite.results)
    return suite


@dataclass
class DepartmentEvaluation(Evaluation):
    """A department-year as its appendix shows it; each section is one attribute."""

    TITLE = "部门整体支出绩效评价"

    # ------------------------------------------------------------------ the opening

    def opening(self):
        """Record the run's values (title block, checks, figures, scores) and return the verdict line."""
        from ..render import report

        report.begin(self.params, self.TITLE)
        report.record_checks(self.checks)
        report.record(**self.record)
        what = "单位自评（财预〔2020〕10号）"
        return report.verdict_box(self.self_score.total, self.self_score.grade, self.checks.counts, self.illustrative_score, what=what)

    @functools.cached_property
    def record(self) -> dict[str, Any]:
        """What the run records into the executed notebook for the batch index and the year summary."""
        from ..department import history, tables
        from ..scoring import frameworks

        s = self.self_score
        out = {"score_illustrative": self.illustrative_score, **tables.key_figures(self.params)}
        out |= {"total": s.total, "grade": s.grade, "framework": SELF_FRAMEWORK}
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
        from ..department import history

        return history.earlier_years(self.params, 1).get(self.params.year - 1)

    @functools.cached_property
    def self_score(self):
        """单位自评 under 财预〔2020〕10号 (``mof2020-self``)."""
        from ..department import scoring as department

        return department.score_department(self.params, SELF_FRAMEWORK)

    @functools.cached_property
    def common(self) -> dict[str, Any]:
        """The 53 号文 common indicators scored by each published local table."""
        from ..department import scoring as department

        return {name: department.score_department(self.params, name, self.previous) for name in department.common_frameworks()}

    @functools.cached_property
    def pefa_result(self):
        from ..department import history
        from ..scoring import pefa

        return pefa.from_department(self.params, list(history.earlier_years(self.params).values()))

    @property
    def frameworks_used(self) -> list[str]:
        return [SELF_FRAMEWORK, "dept-common-2013", *self.common, "pefa2016"]

    @functools.cached_property
    def illustrative_score(self) -> bool:
        from ..department import tables

        return tables.score_is_illustrative(self.params)

    @functools.cached_property
    def years(self) -> dict[int, ParamsBase]:
        """This year and the earlier years the params folder holds, for the multi-year comparison."""
        from ..department import history

        return history.series(self.params)

    # ------------------------------------------------------------------ sections

    @property
    def profile(self):
        from ..render import report

        return report.profile_table(self.params)

    @property
    def functions(self) -> str:
        from ..render import report

        return report.titled_text("单位基本职能", self.params.narrative.functions if self.params.narrative else "")

    @property
    def income(self):
        from ..department import tables

        return tables.income_table(self.params)

    @property
    def expenditure(self):
        from ..department import tables

        return tables.expenditure_table(self.params)

    @property
    def composition_chart(self):
        from ..department import charts

        return charts.composition_chart(self.params)

    @property
    def three_public(self):
        from ..department import tables

        return tables.three_public_table(self.params)

    @property
    def three_public_chart(self):
        from ..department import charts

        return charts.three_public_chart(self.params)

    @property
    def execution_rate(self):
        from ..department import tables

        return tables.execution_rate_table(self.params)

    @property
    def goals(self):
        from ..department import tables

        return tables.goals_table(self.params)

    @property
    def checks_table(self):
        from ..render import report

        return report.checks_table(self.checks)

    @property
    def frameworks_table(self):
        from ..render import report
        from ..scoring import engine

        return report.styled(engine.frameworks_frame(self.frameworks_used), caption="评分框架：版本、依据与分值来源")

    @property
    def self_score_table(self):
        return _score_table(SELF_FRAMEWORK, self.self_score)

    @property
    def common_values(self):
        from ..department import common_indicators as common
        from ..render import report
        from ..scoring import frameworks

        caption = f"53 号文共性指标的数值（版本 {frameworks.version_label('dept-common-2013')}，不设分值）"
        return report.styled(common.frame(self.params, self.previous), caption=caption)

    @property
    def common_tables(self) -> list:
        return [_score_table(name, result) for name, result in self.common.items()]

    @property
    def pefa_table(self):
        from ..render import report
        from ..scoring import frameworks, pefa

        return report.styled(
            pefa.frame(self.pefa_result),
            caption=f"{frameworks.get('pefa2016').title}，版本 {frameworks.version_label('pefa2016', self.pefa_result.version)}",
        )

    @property
    def history(self) -> list:
        """The multi-year comparison: the table, two trend charts and PEFA PI-1; a note when there is one year only."""
        from ..department import history
        from ..render import report

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
        from ..render import report

        narrative = self.params.narrative
        if not narrative:
            return ["<p>参数文件未转录报告的问题与改进措施部分。</p>"]
        return [report.titled_text("存在的问题", narrative.problems), report.titled_text("改进措施", narrative.improvements)]

    @property
    def provenance(self):
        from ..render import report

        return report.provenance_table(self.params)


def _score_table(name: str, result: Any):
    """A scored framework as its table, captioned with the framework's title, version and status."""
    from ..render import report
    from ..scoring import engine, frameworks

    caption = f"{frameworks.get(name).title}，版本 {frameworks.version_label(name, result.version)}：{result.status()}"
    return report.styled(engine.frame(result), right=SCORE_COLUMNS, caption=caption)


def score_table_of(p: ParamsBase):
    """A department's 预算执行率 and goals as a 自评表 table (the columns of ``xteval.scoring.table.COLUMNS``)."""
    from ..department import scoring as department

    return department.department_table(p)


def panel_tables(p: ParamsBase, names: list[str], previous: ParamsBase | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The what-if panel's table for each framework, and each indicator's unit.

    An open framework scores the department's goals (:func:`~xteval.scoring.department.department_table`);
    a closed one (``dept-common-2013@…``) its own common indicators.
    """
    from ..department import scoring as department
    from ..scoring import engine, frameworks
    from ..scoring.table import COLUMNS

    tables: dict[str, Any] = {}
    units = {g.name: g.unit for g in p.goals} | {"预算执行率": "%"}
    for name in names:
        fw = frameworks.get(name)
        if fw.closed:
            tables[name] = engine.score_table(department.common_table(p, previous), name).rows[list(COLUMNS)]
            units |= {leaf.name: leaf.unit for leaf in fw.leaves}
        else:
            tables[name] = score_table_of(p)
    return tables, units
