"""What the project notebooks and the year summary show, one attribute per section (see :func:`~.evaluation.evaluate`).

This module imports the tables and charts it shows, so :func:`~.evaluation.evaluate` imports it
on first use: ``import xteval`` and ``xteval.check`` load no pandas and no matplotlib.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..checks import Suite
from ..params import ParamsBase
from ..projects import cloud_lease, ppp, video_maintenance
from ..render import report
from ..summary import model, tables
from .sections import Evaluation, section


@dataclass
class ProjectEvaluation(Evaluation):
    """A project: its checks, and the data its notebook reads beside the params (a CSV of subprojects…)."""

    data: Any = None
    TITLE = "项目绩效评价"
    PROJECT = None  # the project's module: load_data(params) reads the files beside the params; run_checks and record take both

    @classmethod
    def of(cls, p: ParamsBase) -> ProjectEvaluation:
        """The project's data files read once, and its checks run on the params and that data."""
        data = cls.PROJECT.load_data(p)
        return cls(p, Suite(cls.PROJECT.run_checks(p, data)), data)

    def opening(self):
        """Record the run's values (title block, checks, project figures) and return the verdict line."""
        report.begin(self.params, self.TITLE)
        report.record_checks(self.checks)
        report.record(**self.record)
        return report.verdict_box(None, None, self.checks.counts)

    @property
    def record(self) -> dict[str, Any]:
        """What the run records into the executed notebook for the batch index."""
        return self.PROJECT.record(self.params, self.data)

    SECTIONS = {"profile": report.profile_table, "provenance": report.provenance_table}
    checks_table = section(report.checks_table, "checks")


@dataclass
class CloudLeaseEvaluation(ProjectEvaluation):
    TITLE = "电信政务云平台租赁项目绩效评价"

    @classmethod
    def of(cls, p: ParamsBase) -> CloudLeaseEvaluation:
        """The lease's checks: it reads no file beside its params."""
        return cls(p, Suite(cloud_lease.run_checks(p)))

    @property
    def record(self) -> dict[str, Any]:
        return {"sla_deduction": cloud_lease.sla_deduction(self.params)}

    periods = section(cloud_lease.period_frame, right=("费用（元）", "月均（元/月）"))
    statements = section(cloud_lease.statement_frame, right=("金额（元）",))
    fiscal = section(cloud_lease.fiscal_frame, right=("应计费用（元）", "当年支付（元）", "差额（元）"))
    cumulative_chart = section(cloud_lease.cumulative_chart)


@dataclass
class PppEvaluation(ProjectEvaluation):
    TITLE = "智慧湘潭建设 PPP 项目绩效评价"
    PROJECT = ppp

    bands = section(
        ppp.band_frame, "params", "data", right=("付费系数", "子项目数", "应付合计（万元）"), caption="绩效得分分档、付费系数与各档子项目"
    )
    payments = section(
        ppp.payment_frame,
        "params",
        "data",
        right=("可用性付费基数", "运维付费基数", "绩效得分", "系数", "扣款", "应付（万元）"),
        caption="各子项目按绩效付费（万元）",
    )
    payment_chart = section(ppp.payment_chart, "params", "data")

    @property
    def exit_progress(self) -> str:
        """退库进展: the subprojects accepted this year, and where the exit stands."""
        p = self.params
        accepted = "<p>" + "、".join(x.value for x in p.accepted_named or []) + " 本年验收。</p>"
        return accepted + (f"<p>{p.exit_status.value}。</p>" if p.exit_status else "")


@dataclass
class VideoMaintenanceEvaluation(ProjectEvaluation):
    TITLE = "视频监控系统维护保养项目绩效评价"
    PROJECT = video_maintenance

    @property
    def scope(self) -> str:
        return f"<p>项目范围：{self.params.scope.value}。绩效资料由{self.params.reporter.value}填报。</p>"

    phases = section(video_maintenance.phase_table, "params", "data")
    totals = section(video_maintenance.totals_frame, "params", "data", right=("金额（万元）",))
    fee_chart = section(video_maintenance.fee_chart, "params", "data")
    online_chart = section(video_maintenance.online_chart, "params", "data")


@dataclass
class SummaryEvaluation(Evaluation):
    """The year summary: every unit's appendix of the year, read from the runs' records (never from HTML)."""

    runs: list = None
    TITLE = "部门整体支出绩效评价年度汇总"

    @classmethod
    def of(cls, p: ParamsBase) -> SummaryEvaluation:
        runs = model.runs(p)
        if p.documents:  # a year's documents checked at once: their results store, beside the appendices
            from ..intake.store import year_documents
            from ..params import resolve

            runs += [_document_run(d) for d in year_documents(resolve(p, p.documents, "documents"), p.year)]
        return cls(p, Suite(), runs)

    @functools.cached_property
    def done(self) -> list:
        """The units whose run completed: only they count in the figures."""
        return model.completed(self.runs)

    @property
    def illustrative(self) -> bool:
        return any(r.illustrative for r in self.runs)

    def opening(self):
        """Record the summary's values and show its notice; return the overview paragraph."""
        report.begin(self.params, self.TITLE)
        report.record(illustrative=self.illustrative, **model.record(self.params, self.runs))
        report.show_html(report.illustrative_notice(self.illustrative))
        return tables.overview(self.runs)

    scope = section(tables.scope_table, "runs", "params.figures_rule")
    ranking = section(tables.ranking_table, "done")
    grades = section(tables.grade_table, "done")
    grade_chart = section(tables.grade_chart, "done", "params.year")
    execution_chart = section(tables.execution_chart, "done", "params.year")
    three_public = section(tables.three_public_table, "done")
    reasons = section(tables.reasons_table, "done")
    failures = section(tables.failures_html, "done")


# The figures of a checked document the summary shows, by the ids its figure records carry (first found wins).
_DOCUMENT_FIGURES = {
    "execution_rate": ("figure.claims.execution_rate", "figure.execution_rate", "figure.project.execution_rate"),
    "three_public_actual": ("figure.three_public.actual.total",),
    "three_public_control": ("figure.three_public.control.total",),
}


def _document_run(doc: dict[str, Any]) -> model.UnitRun:
    """A document of an intake's store as a row of the summary: its counts, reasons, 不符 items and figures."""
    figures: dict[str, Any] = {}
    for f in doc["figures"]:
        figures.setdefault(str(f.get("id", "")), f.get("observed"))
    found = {k: next((figures[i] for i in ids if i in figures), None) for k, ids in _DOCUMENT_FIGURES.items()}
    reasons: dict[str, int] = {}
    for x in doc["findings"]:
        key = f"{x.get('status')}:{x.get('reason') or 'other'}"
        reasons[key] = reasons.get(key, 0) + 1
    failures = [{"title": x.get("title") or "", "message": x.get("message") or ""} for x in doc["findings"] if x.get("status") == "fail"]
    return model.UnitRun(
        name=doc["page_name"],
        notebook="check",
        unit=doc["unit"] or "（未注明单位）",
        title=f"文档检查：{doc['kind_title'] or '未识别类型'}",
        status="ok",
        fail=int(doc["fails"]),
        warn=int(doc["warns"]),
        reasons=reasons,
        failures=failures,
        **{k: model.number_or_none(v) for k, v in found.items()},
    )


EVALUATIONS = {
    "cloud_lease": CloudLeaseEvaluation,
    "ppp": PppEvaluation,
    "video_maintenance": VideoMaintenanceEvaluation,
    "summary": SummaryEvaluation,
}
