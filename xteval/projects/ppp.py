"""智慧湘潭 PPP: government payment by performance score, deductions, and the sub-project counts.

Payment of one sub-project for the year (the structure 财办金〔2017〕92号 requires)::

    可用性付费基数 × (1 − 挂钩比例) + (可用性付费基数 × 挂钩比例 + 运维付费基数) × 系数(得分) − 扣款

The coefficient comes from the score-band table in params; the ≥30% share of
construction cost tied to performance is a rule in ``xteval/rules/projects.yaml``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import Field, field_validator

from .. import rules
from ..checks import CheckResult, Evidence, Reason, Status
from ..errors import InputError
from ..money import ZERO, D, N, fmt, fmt_count, fmt_money, half_up
from ..params import Amount, Figure, Number, ParamsBase, Provenance, Reference, StrictModel, resolve
from ..render import charts
from .common import DataFile, Text, parse_cell, read_csv

HUNDRED = Decimal(100)
SUBPROJECT_COLUMNS = ("name", "state", "accepted_year", "availability_base", "om_base", "score", "deduction")


class State(enum.StrEnum):
    """Where a sub-project stands."""

    unfinished = "unfinished"  # 启动未完工
    built = "built"  # 建成未验收
    accepted = "accepted"  # 竣工验收
    terminated = "terminated"  # 终止（未实施）


class Band(StrictModel):
    """Scores in [min, max) pay ``coefficient``; the top band includes its max (100)."""

    min: Number = Field(description="分数下限（含）")
    max: Number = Field(description="分数上限（不含；最高一档含 100）")
    coefficient: Figure = Field(description="付费系数")


class StatedCounts(StrictModel):
    started_built: Figure = Field(description="启动并建成的子项目数")
    terminated: Figure = Field(description="终止的未实施子项目数")
    accepted_this_year: Figure = Field(description="本年竣工验收的子项目数")


class PppParams(ParamsBase):
    """One year of the 智慧湘潭 PPP project."""

    bands: list[Band] = Field(description="绩效得分分档与付费系数（0–100 连续、不重叠）")
    linked_share: Figure = Field(description="建设成本与绩效挂钩比例（%）")
    subprojects: DataFile = Field(description="子项目 CSV：" + ",".join(SUBPROJECT_COLUMNS))

    def data_files(self) -> list[Reference]:
        return [*super().data_files(), Reference("subprojects.value", self.subprojects.value, load_subprojects)]

    paid: Amount = Field(description="本年已完成政府付费")
    stated: StatedCounts = Field(description="报告所称子项目个数")
    accepted_named: list[Text] | None = Field(None, description="报告点名的本年验收子项目")
    exit_status: Text | None = Field(None, description="退库进展（报告原文）")

    @field_validator("bands")
    @classmethod
    def _bands_cover(cls, bands: list[Band]) -> list[Band]:
        bands_check(bands)
        return bands


def bands_check(bands: list[Band]) -> None:
    """The band table covers 0–100 with no gap and no overlap; a ValueError names the two bands."""
    if not bands:
        raise ValueError("分档表为空 (empty band table)")
    order = sorted(bands, key=lambda b: b.min)
    for b in order:
        if b.max <= b.min:
            raise ValueError(f"分档 [{b.min}, {b.max}) 上限不大于下限 (empty band)")
    if order[0].min != 0 or order[-1].max != HUNDRED:
        raise ValueError(f"分档应覆盖 0–100，现为 {order[0].min}–{order[-1].max} (bands must cover 0–100)")
    for a, b in zip(order, order[1:], strict=False):
        if b.min > a.max:
            raise ValueError(f"分档 [{a.min}, {a.max}) 与 [{b.min}, {b.max}) 之间有空档 (gap between bands)")
        if b.min < a.max:
            raise ValueError(f"分档 [{a.min}, {a.max}) 与 [{b.min}, {b.max}) 重叠 (overlapping bands)")


def coefficient(bands: list[Band], score: Decimal) -> Decimal | None:
    """The coefficient of the band ``score`` falls in; None outside 0–100."""
    for b in bands:
        if b.min <= score < b.max or (score == b.max == HUNDRED):
            return b.coefficient.value
    return None


@dataclass(frozen=True)
class Subproject:
    name: str
    state: State
    accepted_year: int | None
    availability_base: Decimal  # 万元
    om_base: Decimal
    score: Decimal | None
    deduction: Decimal
    row: int


def load_subprojects(path: Path) -> list[Subproject]:
    """Read the sub-project CSV; a bad cell is an InputError naming the file, row and column."""
    out = []
    for i, r in enumerate(read_csv(path, SUBPROJECT_COLUMNS), start=2):

        def cell(col, parse, r=r, i=i):
            return None if r[col] == "" else parse_cell(path, i, col, r[col], parse)

        state = cell("state", State)
        if state is None:
            raise InputError("缺少状态 (missing state)", file=path, row=i, field="state")
        out.append(
            Subproject(
                r["name"],
                state,
                cell("accepted_year", int),
                cell("availability_base", D) or ZERO,
                cell("om_base", D) or ZERO,
                cell("score", Decimal),
                cell("deduction", D) or ZERO,
                i,
            )
        )
    return out


def load_data(p: PppParams) -> list[Subproject]:
    return load_subprojects(resolve(p, p.subprojects.value, field="subprojects.value"))


def payment(p: PppParams, s: Subproject) -> Decimal | None:
    """Government payment for one sub-project (万元); None when terminated or its score is outside 0–100."""
    if s.state is State.terminated or s.score is None:
        return None
    k = coefficient(p.bands, s.score)
    if k is None:
        return None
    share = p.linked_share.value / HUNDRED
    return max(s.availability_base * (1 - share) + (s.availability_base * share + s.om_base) * k - s.deduction, ZERO)


def payment_frame(p: PppParams, subs: list[Subproject]):
    """Per sub-project: state, bases, score, coefficient, deduction and payment (万元)."""
    import pandas as pd

    label = {"unfinished": "未完工", "built": "已建成", "accepted": "已验收", "terminated": "已终止"}
    rows = []
    for s in subs:
        pay = payment(p, s)
        k = coefficient(p.bands, s.score) if s.score is not None else None
        rows.append(
            {
                "子项目": s.name,
                "状态": label[s.state.value] + (f"（{s.accepted_year}）" if s.accepted_year else ""),
                "可用性付费基数": fmt(s.availability_base),
                "运维付费基数": fmt(s.om_base),
                "绩效得分": fmt(s.score),
                "系数": fmt(k),
                "扣款": fmt(s.deduction),
                "应付（万元）": fmt(pay),
            }
        )
    return pd.DataFrame(rows)


def total_payment(p: PppParams, subs: list[Subproject]) -> Decimal:
    return sum((x for x in (payment(p, s) for s in subs) if x is not None), ZERO)


def record(p: PppParams, subs: list[Subproject]) -> dict[str, Decimal]:
    """What a run records for the batch index: the year's payment (万元, rounded half up)."""
    return {"payment": half_up(total_payment(p, subs))}


# --------------------------------------------------------------------------- checks


def _ev(prov: Provenance) -> tuple[Evidence, ...]:
    return (Evidence(prov.seed, prov.line),) if prov.seed else ()


def run_checks(p: PppParams, subs: list[Subproject]) -> list[CheckResult]:
    """Scores in 0–100, the ≥30% tie to performance, the stated counts, and payment reconciliation."""
    return [*_score_checks(p, subs), _linked_share_check(p), *_count_checks(p, subs), _payment_check(p, subs)]


def _score_checks(p: PppParams, subs: list[Subproject]) -> list[CheckResult]:
    """A fail for each live subproject whose score is missing or outside 0–100 (it is paid nothing)."""
    out: list[CheckResult] = []
    name = p.subprojects.value
    for s in subs:
        if s.state is not State.terminated and (s.score is None or not (0 <= s.score <= 100)):
            out.append(
                CheckResult(
                    f"ppp.score[{s.name}]",
                    f"绩效得分：{s.name}",
                    Status.fail,
                    f"{name} 第 {s.row} 行：子项目“{s.name}”得分 {s.score if s.score is not None else '缺失'} 不在 0–100 之间，未计付费",
                    observed=s.score,
                    reason=Reason.invalid_value,
                )
            )
    return out


def _linked_share_check(p: PppParams) -> CheckResult:
    """The share of the construction cost tied to performance against the rule's minimum (30%)."""
    spec = rules.project("ppp", "performance_linked_share")
    need = N(spec["min_percent"])
    got = p.linked_share.value
    ok = got >= need
    return CheckResult(
        "ppp.linked_share",
        "建设成本与绩效挂钩比例 ≥ 30%",
        Status.passed if ok else Status(spec["status"]),
        f"挂钩比例 {got}%" + ("，不低于" if ok else f"，低于（少 {need - got} 个百分点）") + f" {need}%（{spec['source']}）",
        expected=need,
        observed=got,
        difference=got - need,
        unit="%",
        reason=Reason.ok if ok else Reason.invalid_value,
    )


def _count_checks(p: PppParams, subs: list[Subproject]) -> list[CheckResult]:
    """The report's counts of subprojects (started and built, not built, terminated, accepted this year) against the list."""
    out: list[CheckResult] = []
    started = [s for s in subs if s.state is not State.terminated]
    counts = [
        ("ppp.count.started_built", "启动并建成的子项目数", p.stated.started_built, len(started)),
        ("ppp.count.not_built", "启动而未建成的子项目数", None, sum(s.state is State.unfinished for s in subs)),
        ("ppp.count.terminated", "终止的子项目数", p.stated.terminated, sum(s.state is State.terminated for s in subs)),
        (
            "ppp.count.accepted",
            f"{p.year} 年验收的子项目数",
            p.stated.accepted_this_year,
            sum(s.state is State.accepted and s.accepted_year == p.year for s in subs),
        ),
    ]
    for rid, title, stated, n in counts:
        want = Decimal(0) if stated is None else stated.value
        good = Decimal(n) == want
        out.append(
            CheckResult(
                rid,
                title,
                Status.passed if good else Status.fail,
                (f"报告 {want} 个" if stated else "报告称已全部建成，应为 0 个")
                + f"，子项目清单 {n} 个"
                + ("" if good else f"（{'多' if n > want else '少'} {abs(n - want)} 个）"),
                expected=want,
                observed=n,
                difference=n - want,
                unit="个",
                evidence=_ev(stated) if stated else (),
                reason=Reason.ok if good else Reason.count_mismatch,
            )
        )
    return out


def _payment_check(p: PppParams, subs: list[Subproject]) -> CheckResult:
    """The government payment made against the payment computed from the scores, within the rule's tolerance."""
    spec = rules.project("ppp", "payment_reconciliation")
    tol = N(spec["tolerance"])
    computed = total_payment(p, subs)
    diff = p.paid.value - computed
    good = abs(diff) <= tol
    return CheckResult(
        "ppp.payment",
        "已付政府付费 = 按绩效计算的应付额",
        Status.passed if good else Status(spec["status"]),
        f"已付 {fmt(p.paid.value)} 万元，按绩效计算应付 {fmt(computed)} 万元"
        + ("" if good else f"（{'多付' if diff > 0 else '少付'} {fmt(abs(diff))} 万元）"),
        expected=computed,
        observed=p.paid.value,
        difference=diff,
        tolerance=tol,
        unit="万元",
        evidence=_ev(p.paid),
        reason=Reason.ok if good else Reason.sum_mismatch,
    )


def band_frame(p: PppParams, subs: list[Subproject] | None = None):
    """The score bands with their coefficient and, given the sub-projects, how many fall in each and what they are paid.

    This is where the scores meet the payment: a reader sees at once which band
    the sub-projects sit in and how much of the year's payment each band carries
    (the old score-against-coefficient scatter showed the same thing as a few dots).
    """
    import pandas as pd

    from ..render.labels import source_label

    bands = sorted(p.bands, key=lambda b: b.min)
    rows = []
    for b in bands:
        top = b.max == HUNDRED
        inside = [s for s in subs or [] if s.score is not None and b.min <= s.score and (s.score <= b.max if top else s.score < b.max)]
        row = {
            "得分区间": f"[{b.min.normalize():f}, {b.max.normalize():f}{']' if top else ')'}",
            "付费系数": fmt(b.coefficient.value),
            "来源": source_label(b.coefficient.source),
        }
        if subs is not None:
            row["子项目数"] = fmt_count(len(inside))
            row["应付合计（万元）"] = fmt_money(sum((x for x in (payment(p, s) for s in inside) if x is not None), ZERO))
        rows.append(row)
    if subs is not None:
        scored = sum(1 for s in subs if s.score is not None)
        rows.append(
            {
                "得分区间": "合计",
                "付费系数": "",
                "来源": "",
                "子项目数": fmt_count(scored),
                "应付合计（万元）": fmt_money(total_payment(p, subs)),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- charts


def payment_chart(p: PppParams, subs: list[Subproject]):
    """Payment by sub-project (horizontal bars, largest first)."""
    pays = sorted(((s.name, payment(p, s)) for s in subs if payment(p, s) is not None), key=lambda x: x[1])
    fig, ax = charts.new_figure(width=8.0, height=1.0 + 0.2 * len(pays))
    ax.barh([n for n, _ in pays], [charts.to_plot(v) for _, v in pays], color=charts.PALETTE[0])
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("万元")
    ax.set_title(f"{p.year} 年各子项目政府付费（合计 {fmt(total_payment(p, subs))} 万元）")
    return fig
