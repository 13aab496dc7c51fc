"""电信政务云平台租赁: lease periods, accrual against cash, and the seed's own inconsistencies.

Periods are kept as the report writes them (``1 月 1 日至 9 月 31 日``): the text is
the seed, and the real dates are derived from it with :mod:`xteval.dates`. A date
that does not exist is a finding, and its derived end is the last real day of
that month, shown beside the text, never silently replacing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from pydantic import Field

from .. import dates, rules
from ..checks import CheckResult, Evidence, Reason, Status, balance
from ..money import ZERO, N, fmt, fmt_count, half_up
from ..params import Amount, Figure, ParamsBase, StrictModel
from ..render import charts
from .common import Text

YUAN = Decimal(10000)  # 元 per 万元


class LeasePeriod(StrictModel):
    label: str = Field(description="期间名称，如 1—9 月")
    period: Text = Field(description="期间原文，如“1 月 1 日至 9 月 31 日”")
    fee: Amount = Field(description="该期间租赁服务费（可写“1115814.3 元”）")


class Payment(StrictModel):
    period: str = Field(description="所付期间的 label")
    amount: Amount = Field(description="支付金额")
    date: Text = Field(description="支付日期原文，如“2024 年元月”")


class Statement(StrictModel):
    label: str = Field(description="表述名称，如 全年")
    period: Text = Field(description="表述覆盖的期间原文")
    amount: Amount = Field(description="表述的金额")


class Sla(StrictModel):
    target: Figure = Field(description="可用率目标（%）")
    deduction: Amount = Field(description="每个未达标月份的扣款")
    availability: list[Figure] = Field(default_factory=list, description="各月可用率（%），unit 写月份如 2023-03")


class CloudLeaseParams(ParamsBase):
    """One lease-year of the 电信政务云平台租赁 project."""

    contract_monthly_fee: Amount | None = Field(None, description="合同月租费（万元；可写元）")
    periods: list[LeasePeriod] = Field(description="计费期间与费用")
    payments: list[Payment] = Field(default_factory=list, description="支付记录")
    statements: list[Statement] = Field(default_factory=list, description="报告中对多个期间合计的表述")
    sla: Sla | None = Field(None, description="可用率扣款（可选）")


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class ParsedPeriod:
    """A period as written and as real dates: ``end`` is derived when the written end does not exist."""

    label: str
    text: str
    start: dt.date | None
    end: dt.date | None
    start_valid: bool
    end_valid: bool
    end_written: str

    @property
    def period(self) -> dates.Period | None:
        if self.start is None or self.end is None:
            return None
        return dates.Period(self.start, self.end, self.label)


def parse_period(label: str, text: str, year: int) -> ParsedPeriod:
    """The two dates of ``X 至 Y``; an end that does not exist becomes the last day of its month.

    Args:
        label: the period's name, for messages.
        text: the period as written, e.g. ``1 月 1 日至 9 月 31 日``.
        year: the year of a date written without one.

    Returns:
        A :class:`ParsedPeriod`; ``start``/``end`` are None when a date is missing entirely.
    """
    found = list(dates.find_dates(text, default_year=year))
    if len(found) < 2:
        return ParsedPeriod(label, text, None, None, False, False, text)
    a, b = found[0], found[1]
    start = a.date if a.valid else None
    if b.valid:
        end = b.month_end
    elif b.year is not None and 1 <= b.month <= 12:
        end = dt.date(b.year, b.month, dates.days_in_month(b.year, b.month))  # derived: last real day
    else:
        end = None
    return ParsedPeriod(label, text, start, end, a.valid, b.valid, b.text)


def parse_date(text: str, year: int) -> dt.date | None:
    """The first real date in ``text`` (a month alone means its 1st), or None."""
    for m in dates.find_dates(text, default_year=year):
        return m.date
    return None


def periods(p: CloudLeaseParams) -> list[ParsedPeriod]:
    return [parse_period(x.label, x.period.value, p.year) for x in p.periods]


# --------------------------------------------------------------------------- calculations


def _months(pp: ParsedPeriod) -> int | None:
    return pp.period.months if pp.period and pp.end >= pp.start else None


def monthly_rates(p: CloudLeaseParams) -> list[dict]:
    """Each period's fee ÷ its calendar months, in 元/月 (exact Decimal)."""
    out = []
    for x, pp in zip(p.periods, periods(p), strict=True):
        months = _months(pp)
        rate = x.fee.value * YUAN / months if months else None
        out.append({"label": x.label, "months": months, "fee_yuan": x.fee.value * YUAN, "rate_yuan": rate})
    return out


def spread(fee: Decimal, months: int) -> list[Decimal]:
    """A period's fee by month, to the fen; the last month takes the remainder so the parts sum exactly."""
    per = half_up(fee / months, 6)
    return [per] * (months - 1) + [fee - per * (months - 1)]


def _month_keys(pp: ParsedPeriod, months: int) -> list[tuple[int, int]]:
    y, m, out = pp.start.year, pp.start.month, []
    for _ in range(months):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def accrual_and_cash(p: CloudLeaseParams) -> dict[int, tuple[Decimal, Decimal]]:
    """Fiscal year → (expense accrued, cash paid), in 万元; accrual is spread by month over each period."""
    out: dict[int, list[Decimal]] = {}
    for x, pp in zip(p.periods, periods(p), strict=True):
        months = _months(pp)
        if not months:
            continue
        for (y, _), part in zip(_month_keys(pp, months), spread(x.fee.value, months), strict=True):
            out.setdefault(y, [ZERO, ZERO])[0] += part
    for pay in p.payments:
        day = parse_date(pay.date.value, p.year)
        if day is not None:
            out.setdefault(dates.fiscal_year(day), [ZERO, ZERO])[1] += pay.amount.value
    return {y: (v[0], v[1]) for y, v in sorted(out.items())}


def cumulative(p: CloudLeaseParams) -> list[tuple[str, Decimal, Decimal]]:
    """Month by month (YYYY-MM): cumulative accrual and cumulative cash, in 万元."""
    acc: dict[str, Decimal] = {}
    cash: dict[str, Decimal] = {}
    for x, pp in zip(p.periods, periods(p), strict=True):
        months = _months(pp)
        if not months:
            continue
        for (y, m), part in zip(_month_keys(pp, months), spread(x.fee.value, months), strict=True):
            acc[f"{y}-{m:02d}"] = acc.get(f"{y}-{m:02d}", ZERO) + part
    for pay in p.payments:
        day = parse_date(pay.date.value, p.year)
        if day is not None:
            key = f"{day.year}-{day.month:02d}"
            cash[key] = cash.get(key, ZERO) + pay.amount.value
    rows, a, c = [], ZERO, ZERO
    for key in sorted(set(acc) | set(cash)):
        a += acc.get(key, ZERO)
        c += cash.get(key, ZERO)
        rows.append((key, a, c))
    return rows


def sla_deduction(p: CloudLeaseParams) -> Decimal:
    """Months below the availability target × the deduction per month (万元)."""
    if p.sla is None:
        return ZERO
    bad = [a for a in p.sla.availability if a.value < p.sla.target.value and a.value <= 100]
    return p.sla.deduction.value * len(bad)


# --------------------------------------------------------------------------- checks


def _ev(t: Text) -> tuple[Evidence, ...]:
    return (Evidence(t.seed, t.line),) if t.seed else ()


def check_dates(p: CloudLeaseParams) -> list[CheckResult]:
    """Every written date exists; a missing one names the period."""
    out = []
    for x, pp in zip(p.periods, periods(p), strict=True):
        rid = f"cloud_lease.period_date[{x.label}]"
        if pp.start is None or pp.end is None:
            out.append(
                CheckResult(
                    rid,
                    f"期间日期：{x.label}",
                    Status.fail,
                    f"期间 {x.label}（“{pp.text}”）中无法识别起止日期",
                    evidence=_ev(x.period),
                    reason=Reason.invalid_date,
                )
            )
        elif not (pp.start_valid and pp.end_valid):
            out.append(
                CheckResult(
                    rid,
                    f"期间日期：{x.label}",
                    Status.fail,
                    f"期间“{pp.text}”中“{pp.end_written}”不存在；推算按该月最后一日 {pp.end} 计",
                    evidence=_ev(x.period),
                    reason=Reason.invalid_date,
                )
            )
        else:
            out.append(CheckResult(rid, f"期间日期：{x.label}", Status.passed, f"{pp.start} 至 {pp.end}", evidence=_ev(x.period)))
    return out


def check_periods(p: CloudLeaseParams) -> list[CheckResult]:
    """No reversed period, no gap and no overlap between consecutive periods."""
    ps = [pp.period for pp in periods(p) if pp.period]
    issues = dates.period_issues(ps)
    if not issues:
        return [CheckResult("cloud_lease.periods", "计费期间连续", Status.passed, "各期间首尾相接，无间隔、无重叠")]
    reason = {"reversed": Reason.period_reversed}
    return [
        CheckResult(
            f"cloud_lease.periods[{i.first.label}]",
            "计费期间连续",
            Status.fail,
            i.message,
            observed=i.days,
            unit="天",
            reason=reason.get(i.kind, Reason.period_gap_overlap),
        )
        for i in issues
    ]


def check_statements(p: CloudLeaseParams) -> list[CheckResult]:
    """A figure stated for several periods equals the sum of the periods it covers."""
    out = []
    pps = periods(p)
    for s in p.statements:
        sp = parse_period(s.label, s.period.value, p.year)
        inside = [
            (x.label, x.fee.value)
            for x, pp in zip(p.periods, pps, strict=True)
            if sp.period and pp.period and sp.start <= pp.start and pp.end <= sp.end
        ]
        r = balance(
            f"cloud_lease.statement[{s.label}]",
            f"{s.label}租赁服务费 = 各期间之和",
            (s.label, s.amount.value * YUAN),
            [(k, v * YUAN) for k, v in inside],
            unit="元",
            evidence=_ev(s.period),
            tolerance=Decimal("0.01"),
        )
        same = [k for k, v in inside if v == s.amount.value]
        if same and len(inside) > 1:
            r = replace(r, message=r.message + f"；所称{s.label}金额恰等于“{same[0]}”一期")
        out.append(r)
    return out


def check_rates(p: CloudLeaseParams) -> list[CheckResult]:
    """Implied monthly rates agree with each other (and with the contract fee when given)."""
    spec = rules.project("cloud_lease", "monthly_rate")
    tol = N(spec["tolerance_yuan"])
    rates = [r for r in monthly_rates(p) if r["rate_yuan"] is not None]
    if p.contract_monthly_fee is not None:
        base, base_label = p.contract_monthly_fee.value * YUAN, "合同月租费"
    elif rates:
        base, base_label = rates[0]["rate_yuan"], f"“{rates[0]['label']}”月均"
    else:
        return []
    out = []
    for r in rates:
        diff = r["rate_yuan"] - base
        ok = abs(diff) <= tol
        out.append(
            CheckResult(
                f"cloud_lease.monthly_rate[{r['label']}]",
                f"月均租赁费：{r['label']}",
                Status.passed if ok else Status(spec["status"]),
                f"{r['label']} {fmt(r['fee_yuan'])} 元 ÷ {r['months']} 个月 = {fmt(r['rate_yuan'])} 元/月；{base_label} {fmt(base)} 元/月"
                + ("" if ok else f"（{'多' if diff > 0 else '少'} {fmt(abs(diff))} 元/月）"),
                expected=base,
                observed=r["rate_yuan"],
                difference=diff,
                tolerance=tol,
                unit="元/月",
                reason=Reason.ok if ok else Reason.rate_difference,
            )
        )
    return out


def check_payments(p: CloudLeaseParams) -> list[CheckResult]:
    """Payments name a known period, are not dated before it starts, and cross-year payments are shown."""
    out = []
    by_label = {x.label: pp for x, pp in zip(p.periods, periods(p), strict=True)}
    for i, pay in enumerate(p.payments):
        rid = f"cloud_lease.payment[{i}]"
        day = parse_date(pay.date.value, p.year)
        pp = by_label.get(pay.period)
        title = f"支付：{pay.period}"
        if pp is None or day is None:
            why = f"未知期间“{pay.period}”" if pp is None else f"支付日期“{pay.date.value}”无法识别"
            out.append(CheckResult(rid, title, Status.fail, why, evidence=_ev(pay.date), reason=Reason.invalid_value))
        elif pp.start and day < pp.start:
            out.append(
                CheckResult(
                    rid, title, Status.fail, f"支付日期 {day} 早于期间开始 {pp.start}", evidence=_ev(pay.date), reason=Reason.invalid_date
                )
            )
        elif pp.end and dates.fiscal_year(day) > dates.fiscal_year(pp.end):
            out.append(
                CheckResult(
                    rid,
                    title,
                    Status.warn,
                    f"{pp.end.year} 年的费用 {fmt(pay.amount.value * YUAN)} 元于 {day.year} 年（{pay.date.value}）支付，跨年度支付",
                    observed=pay.amount.value * YUAN,
                    unit="元",
                    evidence=_ev(pay.date),
                    reason=Reason.cross_year_payment,
                )
            )
        else:
            out.append(CheckResult(rid, title, Status.passed, f"{day} 支付 {fmt(pay.amount.value * YUAN)} 元", evidence=_ev(pay.date)))
    return out


def check_sla(p: CloudLeaseParams) -> list[CheckResult]:
    """Availability is a percentage; months below target are breaches with a deduction."""
    if p.sla is None:
        return []
    out = []
    for a in p.sla.availability:
        rid = f"cloud_lease.sla[{a.unit}]"
        if not (0 <= a.value <= 100):
            out.append(
                CheckResult(
                    rid,
                    f"可用率：{a.unit}",
                    Status.fail,
                    f"可用率 {a.value}% 不在 0–100% 之间",
                    observed=a.value,
                    unit="%",
                    reason=Reason.invalid_value,
                )
            )
        elif a.value < p.sla.target.value:
            out.append(
                CheckResult(
                    rid,
                    f"可用率：{a.unit}",
                    Status.warn,
                    f"可用率 {a.value}% 低于目标 {p.sla.target.value}%，扣款 {fmt(p.sla.deduction.value)} 万元",
                    expected=p.sla.target.value,
                    observed=a.value,
                    difference=a.value - p.sla.target.value,
                    unit="%",
                    reason=Reason.sla_breach,
                )
            )
    return out


def run_checks(p: CloudLeaseParams) -> list[CheckResult]:
    """Every cloud-lease check, in the order the appendix shows them."""
    return [*check_dates(p), *check_periods(p), *check_statements(p), *check_rates(p), *check_payments(p), *check_sla(p)]


# --------------------------------------------------------------------------- tables and charts


def period_frame(p: CloudLeaseParams):
    """原文期间 (seed) beside the derived real dates, fee, months and 元/月."""
    import pandas as pd

    from ..render.labels import source_label
    from ..render.localtime import show_date

    rows = []
    for x, pp, r in zip(p.periods, periods(p), monthly_rates(p), strict=True):
        rows.append(
            {
                "期间": x.label,
                "报告原文": x.period.value,
                "来源": source_label(x.period.source),
                "推算起止日": f"{show_date(pp.start)}至{show_date(pp.end)}" if pp.period else "无法识别",
                "原文日期是否存在": "是" if pp.start_valid and pp.end_valid else f"否：“{pp.end_written}”不存在",
                "费用（元）": fmt(r["fee_yuan"]),
                "月数": fmt_count(r["months"]),
                "月均（元/月）": fmt(r["rate_yuan"]),
            }
        )
    return pd.DataFrame(rows)


def statement_frame(p: CloudLeaseParams):
    """Each stated multi-period figure against the sum of its periods, in 元."""
    import pandas as pd

    from ..render.labels import source_label

    total = sum((x.fee.value for x in p.periods), ZERO) * YUAN
    rows = [
        {"表述": f"{s.label}（{s.period.value}）", "金额（元）": fmt(s.amount.value * YUAN), "来源": source_label(s.amount.source)}
        for s in p.statements
    ]
    rows.append(
        {"表述": "各期间之和（" + " + ".join(x.label for x in p.periods) + "）", "金额（元）": fmt(total), "来源": source_label("derived")}
    )
    return pd.DataFrame(rows)


def fiscal_frame(p: CloudLeaseParams):
    """Fiscal year: accrued expense against cash paid, in 元."""
    import pandas as pd

    rows = [
        {"财年": f"{y} 年", "应计费用（元）": fmt(a * YUAN), "当年支付（元）": fmt(c * YUAN), "差额（元）": fmt((c - a) * YUAN)}
        for y, (a, c) in accrual_and_cash(p).items()
    ]
    return pd.DataFrame(rows)


def cumulative_chart(p: CloudLeaseParams):
    """Cumulative accrual against cumulative cash, month by month (万元)."""
    rows = cumulative(p)
    fig, ax = charts.new_figure(width=8.0, height=3.6)
    xs = [k for k, _, _ in rows]
    ax.step(xs, [charts.to_plot(a) for _, a, _ in rows], where="post", label="累计应计费用", color=charts.PALETTE[0])
    ax.step(xs, [charts.to_plot(c) for _, _, c in rows], where="post", label="累计支付", color=charts.PALETTE[1])
    ax.set_ylabel("万元")
    ax.tick_params(axis="x", labelrotation=60, labelsize=8)
    ax.set_title(f"{p.year} 年政务云租赁：累计应计与累计支付")
    ax.legend(frameon=False)
    return fig
