"""What the project notebooks and the year summary show, one attribute per section (see :func:`~.evaluation.evaluate`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..checks import Suite
from ..params import ParamsBase
from .sections import Evaluation


@dataclass
class ProjectEvaluation(Evaluation):
    """A project: its checks, and the data its notebook reads beside the params (a CSV of subprojects…)."""

    data: Any = None
    TITLE = "项目绩效评价"

    def opening(self):
        """Record the run's values (title block, checks, project figures) and return the verdict line."""
        from ..render import report

        report.begin(self.params, self.TITLE)
        report.record_checks(self.checks)
        report.record(**self.record)
        return report.verdict_box(None, None, self.checks.counts)

    @property
    def record(self) -> dict[str, Any]:
        return {}

    @property
    def profile(self):
        from ..render import report

        return report.profile_table(self.params)

    @property
    def checks_table(self):
        from ..render import report

        return report.checks_table(self.checks)

    @property
    def provenance(self):
        from ..render import report

        return report.provenance_table(self.params)


def _styled(frame, **how):
    from ..render import report

    return report.styled(frame, **how)


@dataclass
class CloudLeaseEvaluation(ProjectEvaluation):
    TITLE = "电信政务云平台租赁项目绩效评价"

    @classmethod
    def of(cls, p: ParamsBase) -> CloudLeaseEvaluation:
        from ..projects import cloud_lease

        return cls(p, Suite(cloud_lease.run_checks(p)))

    @property
    def record(self) -> dict[str, Any]:
        from ..projects import cloud_lease

        return {"sla_deduction": cloud_lease.sla_deduction(self.params)}

    @property
    def periods(self):
        from ..projects import cloud_lease

        return _styled(cloud_lease.period_frame(self.params), right=("费用（元）", "月均（元/月）"))

    @property
    def statements(self):
        from ..projects import cloud_lease

        return _styled(cloud_lease.statement_frame(self.params), right=("金额（元）",))

    @property
    def fiscal(self):
        from ..projects import cloud_lease

        return _styled(cloud_lease.fiscal_frame(self.params), right=("应计费用（元）", "当年支付（元）", "差额（元）"))

    @property
    def cumulative_chart(self):
        from ..projects import cloud_lease

        return cloud_lease.cumulative_chart(self.params)


@dataclass
class PppEvaluation(ProjectEvaluation):
    TITLE = "智慧湘潭建设 PPP 项目绩效评价"

    @classmethod
    def of(cls, p: ParamsBase) -> PppEvaluation:
        from ..projects import ppp

        subprojects = ppp.load_data(p)
        return cls(p, Suite(ppp.run_checks(p, subprojects)), subprojects)

    @property
    def record(self) -> dict[str, Any]:
        from ..money import half_up
        from ..projects import ppp

        return {"payment": half_up(ppp.total_payment(self.params, self.data))}

    @property
    def bands(self):
        from ..projects import ppp

        frame = ppp.band_frame(self.params, self.data)
        return _styled(frame, right=("付费系数", "子项目数", "应付合计（万元）"), caption="绩效得分分档、付费系数与各档子项目")

    @property
    def payments(self):
        from ..projects import ppp

        right = ("可用性付费基数", "运维付费基数", "绩效得分", "系数", "扣款", "应付（万元）")
        return _styled(ppp.payment_frame(self.params, self.data), right=right, caption="各子项目按绩效付费（万元）")

    @property
    def payment_chart(self):
        from ..projects import ppp

        return ppp.payment_chart(self.params, self.data)

    @property
    def exit_progress(self) -> str:
        """退库进展: the subprojects accepted this year, and where the exit stands."""
        p = self.params
        accepted = "<p>" + "、".join(x.value for x in p.accepted_named or []) + " 本年验收。</p>"
        return accepted + (f"<p>{p.exit_status.value}。</p>" if p.exit_status else "")


@dataclass
class VideoMaintenanceEvaluation(ProjectEvaluation):
    TITLE = "视频监控系统维护保养项目绩效评价"

    @classmethod
    def of(cls, p: ParamsBase) -> VideoMaintenanceEvaluation:
        from ..projects import video_maintenance

        data = video_maintenance.load_data(p)
        return cls(p, Suite(video_maintenance.run_checks(p, data)), data)

    @property
    def record(self) -> dict[str, Any]:
        from ..projects import video_maintenance

        return {"payable": video_maintenance.totals(self.params, self.data)["payable"]}

    @property
    def scope(self) -> str:
        return f"<p>项目范围：{self.params.scope.value}。绩效资料由{self.params.reporter.value}填报。</p>"

    @property
    def phases(self):
        from ..projects import video_maintenance

        return video_maintenance.phase_table(self.params, self.data)

    @property
    def totals(self):
        from ..projects import video_maintenance

        return _styled(video_maintenance.totals_frame(self.params, self.data), right=("金额（万元）",))

    @property
    def fee_chart(self):
        from ..projects import video_maintenance

        return video_maintenance.fee_chart(self.params, self.data)

    @property
    def online_chart(self):
        from ..projects import video_maintenance

        return video_maintenance.online_chart(self.params, self.data)


@dataclass
class SummaryEvaluation(Evaluation):
    """The year summary: every unit's appendix of the year, read from the runs' records (never from HTML)."""

    runs: list = None
    TITLE = "部门整体支出绩效评价年度汇总"

    @classmethod
    def of(cls, p: ParamsBase) -> SummaryEvaluation:
        from ..summary import model

        return cls(p, Suite(), model.runs(p))

    @functools.cached_property
    def done(self) -> list:
        """The units whose run completed: only they count in the figures."""
        from ..summary import model

        return model.completed(self.runs)

    @property
    def illustrative(self) -> bool:
        return any(r.illustrative for r in self.runs)

    def opening(self):
        """Record the summary's values and show its notice; return the overview paragraph."""
        from ..render import report
        from ..summary import model, tables

        report.begin(self.params, self.TITLE)
        report.record(illustrative=self.illustrative, **model.record(self.params, self.runs))
        report.show_html(report.illustrative_notice(self.illustrative))
        return tables.overview(self.runs)

    def _table(self, name: str, *args):
        from ..summary import tables

        return getattr(tables, name)(*args)

    @property
    def scope(self):
        return self._table("scope_table", self.runs, self.params.figures_rule)

    @property
    def ranking(self):
        return self._table("ranking_table", self.done)

    @property
    def grades(self):
        return self._table("grade_table", self.done)

    @property
    def grade_chart(self):
        return self._table("grade_chart", self.done, self.params.year)

    @property
    def execution_chart(self):
        return self._table("execution_chart", self.done, self.params.year)

    @property
    def three_public(self):
        return self._table("three_public_table", self.done)

    @property
    def reasons(self):
        return self._table("reasons_table", self.done)

    @property
    def failures(self):
        return self._table("failures_html", self.done)


EVALUATIONS = {
    "cloud_lease": CloudLeaseEvaluation,
    "ppp": PppEvaluation,
    "video_maintenance": VideoMaintenanceEvaluation,
    "summary": SummaryEvaluation,
}
