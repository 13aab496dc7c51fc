"""视频监控系统维护保养: phases, monthly online rates, fault tickets and the fee after SLA deductions.

The traffic police (交警支队) deliver three CSV files beside the params file:
phases (cameras and fee per phase), monthly online rates and fault tickets. A
file that cannot be read, lacks a column or holds a date or number that cannot
be parsed is an :class:`~xteval.errors.InputError` naming the file, the row and
the column. Values that parse but cannot be right (an online rate above 100%,
a repair before its report, a phase with 0 cameras) are ``fail`` findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from ..checks import CheckResult, Reason, Status
from ..money import ZERO, D, N, fmt, fmt_count, fmt_money
from ..params import Amount, Figure, ParamsBase, Reference, StrictModel, resolve
from ..render import charts
from .common import DataFile, Text, parse_cell, read_csv


class VideoSla(StrictModel):
    online_target: Figure = Field(description="月度在线率目标（%）")
    repair_hours: Figure = Field(description="故障修复时限（小时）")
    online_deduction: Amount = Field(description="每个分期每个未达标月份的扣款")
    repair_deduction: Amount = Field(description="每张超时工单的扣款")


class VideoParams(ParamsBase):
    """One year of 视频监控系统维护保养 (交警道路 + 公安一至七期)."""

    scope: Text = Field(description="项目范围（报告原文）")
    reporter: Text = Field(description="绩效资料填报单位（报告原文）")
    phases: DataFile = Field(description="分期 CSV：phase,cameras,annual_fee")
    online: DataFile = Field(description="月度在线率 CSV：month,phase,online_rate")
    tickets: DataFile = Field(description="故障工单 CSV：ticket,phase,reported_at,repaired_at")
    sla: VideoSla = Field(description="考核条款")

    def data_files(self) -> list[Reference]:
        return [
            *super().data_files(),
            Reference("phases.value", self.phases.value, load_phases),
            Reference("online.value", self.online.value, load_online),
            Reference("tickets.value", self.tickets.value, load_tickets),
        ]


PHASE_COLUMNS = ("phase", "cameras", "annual_fee")
ONLINE_COLUMNS = ("month", "phase", "online_rate")
TICKET_COLUMNS = ("ticket", "phase", "reported_at", "repaired_at")


# --------------------------------------------------------------------------- reading


def _datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("/", "-"))


def _month(text: str) -> str:
    d = dt.datetime.strptime(text.replace("/", "-"), "%Y-%m")
    return f"{d.year}-{d.month:02d}"


@dataclass(frozen=True)
class Phase:
    name: str
    cameras: int
    fee: Decimal  # 万元
    row: int


@dataclass(frozen=True)
class Online:
    month: str
    phase: str
    rate: Decimal  # %
    row: int


@dataclass(frozen=True)
class Ticket:
    id: str
    phase: str
    reported: dt.datetime
    repaired: dt.datetime
    row: int

    @property
    def hours(self) -> Decimal:
        return Decimal(int((self.repaired - self.reported).total_seconds())) / 3600


def load_phases(path: Path) -> list[Phase]:
    rows = read_csv(path, PHASE_COLUMNS)
    return [
        Phase(r["phase"], parse_cell(path, i, "cameras", r["cameras"], int), parse_cell(path, i, "annual_fee", r["annual_fee"], D), i)
        for i, r in enumerate(rows, start=2)
    ]


def load_online(path: Path) -> list[Online]:
    rows = read_csv(path, ONLINE_COLUMNS)
    return [
        Online(parse_cell(path, i, "month", r["month"], _month), r["phase"], parse_cell(path, i, "online_rate", r["online_rate"], N), i)
        for i, r in enumerate(rows, start=2)
    ]


def load_tickets(path: Path) -> list[Ticket]:
    rows = read_csv(path, TICKET_COLUMNS)
    return [
        Ticket(
            r["ticket"],
            r["phase"],
            parse_cell(path, i, "reported_at", r["reported_at"], _datetime),
            parse_cell(path, i, "repaired_at", r["repaired_at"], _datetime),
            i,
        )
        for i, r in enumerate(rows, start=2)
    ]


@dataclass(frozen=True)
class Data:
    phases: list[Phase]
    online: list[Online]
    tickets: list[Ticket]


def load_data(p: VideoParams) -> Data:
    """The three CSV files named in the params, resolved beside the params file."""
    return Data(
        load_phases(resolve(p, p.phases.value, field="phases.value")),
        load_online(resolve(p, p.online.value, field="online.value")),
        load_tickets(resolve(p, p.tickets.value, field="tickets.value")),
    )


# --------------------------------------------------------------------------- calculations


def _valid_rate(o: Online) -> bool:
    return ZERO <= o.rate <= 100


def online_breaches(p: VideoParams, data: Data) -> list[Online]:
    """Valid monthly rates below the online target."""
    return [o for o in data.online if _valid_rate(o) and o.rate < p.sla.online_target.value]


def late_tickets(p: VideoParams, data: Data) -> list[Ticket]:
    """Tickets repaired (after being reported) later than the deadline."""
    return [t for t in data.tickets if t.repaired >= t.reported and t.hours > p.sla.repair_hours.value]


def phase_frame(p: VideoParams, data: Data):
    """Per phase: cameras, fee, months below target, late tickets, deductions and fee payable (万元)."""
    import pandas as pd

    rows = []
    for ph in data.phases:
        ob = [o for o in online_breaches(p, data) if o.phase == ph.name]
        lt = [t for t in late_tickets(p, data) if t.phase == ph.name]
        ded = p.sla.online_deduction.value * len(ob) + p.sla.repair_deduction.value * len(lt)
        rows.append(
            {
                "分期": ph.name,
                "点位数": ph.cameras,
                "年度维护费（万元）": ph.fee,
                "在线率未达标月数": len(ob),
                "工单数": sum(t.phase == ph.name for t in data.tickets),
                "超时工单": len(lt),
                "扣款（万元）": ded,
                "应付（万元）": max(ph.fee - ded, ZERO),
            }
        )
    return pd.DataFrame(rows)


def totals(p: VideoParams, data: Data) -> dict[str, Decimal]:
    """Contract fee, deductions and fee payable over all phases (万元)."""
    df = phase_frame(p, data)
    fee = sum(df["年度维护费（万元）"], ZERO)
    ded = sum(df["扣款（万元）"], ZERO)
    return {"fee": fee, "deduction": ded, "payable": sum(df["应付（万元）"], ZERO)}


def record(p: VideoParams, data: Data) -> dict[str, Decimal]:
    """What a run records for the batch index: the fee payable after deductions (万元)."""
    return {"payable": totals(p, data)["payable"]}


def phase_table(p: VideoParams, data: Data):
    """:func:`phase_frame` as the page shows it: counts as integers, amounts in 万元 to 2 decimals.

    A phase that was deducted for (a month below the online target, a late repair) is red.
    """
    from ..render.report import styled

    df = phase_frame(p, data)
    out = df.copy()
    counts = ("点位数", "在线率未达标月数", "工单数", "超时工单")
    money = ("年度维护费（万元）", "扣款（万元）", "应付（万元）")
    for col in counts:
        out[col] = [fmt_count(v) for v in df[col]]
    for col in money:
        out[col] = [fmt_money(v) for v in df[col]]
    return styled(out, right=counts + money, caption="各分期考核与应付（万元）", highlight=[d > ZERO for d in df["扣款（万元）"]])


def totals_frame(p: VideoParams, data: Data):
    import pandas as pd

    t = totals(p, data)
    rows = [("合同维护费", t["fee"]), ("考核扣款", t["deduction"]), ("扣款后应付", t["payable"])]
    return pd.DataFrame([{"项目": k, "金额（万元）": fmt_money(v)} for k, v in rows])


def monthly_frame(data: Data):
    """Online rate (%) by month (rows) and phase (columns), 2 decimals."""
    import pandas as pd

    df = pd.DataFrame([{"月份": o.month, "分期": o.phase, "在线率": fmt(o.rate)} for o in data.online])
    if df.empty:
        return df
    order = list(dict.fromkeys(o.phase for o in data.online))
    return df.pivot(index="月份", columns="分期", values="在线率")[order].reset_index()


# --------------------------------------------------------------------------- checks


def run_checks(p: VideoParams, data: Data) -> list[CheckResult]:
    """Bad records (0 cameras, rate > 100%, repair before report, unknown phase) fail; SLA breaches warn."""
    names = {ph.name for ph in data.phases}
    out = [*_phase_checks(p, data), *_online_record_checks(p, data, names), *_ticket_record_checks(p, data, names), *_sla_checks(p, data)]
    if not out:
        out.append(CheckResult("video.sla", "考核", Status.passed, "各分期在线率均达标，工单均按时修复"))
    return out


def _phase_checks(p: VideoParams, data: Data) -> list[CheckResult]:
    """A fail for each phase with no camera."""
    out: list[CheckResult] = []
    for ph in data.phases:
        if ph.cameras <= 0:
            out.append(
                CheckResult(
                    f"video.phase[{ph.name}]",
                    f"分期点位数：{ph.name}",
                    Status.fail,
                    f"{p.phases.value} 第 {ph.row} 行：分期“{ph.name}”点位数为 {ph.cameras}",
                    observed=ph.cameras,
                    reason=Reason.invalid_value,
                )
            )
    return out


def _online_record_checks(p: VideoParams, data: Data, names: set[str]) -> list[CheckResult]:
    """A fail for each online-rate record outside 0–100% or of a phase the phase list does not have."""
    out: list[CheckResult] = []
    for o in data.online:
        where = f"{p.online.value} 第 {o.row} 行（{o.phase} {o.month}）"
        if not _valid_rate(o):
            out.append(
                CheckResult(
                    f"video.online[{o.row}]",
                    "在线率取值",
                    Status.fail,
                    f"{where}：在线率 {o.rate}% 不在 0–100% 之间",
                    observed=o.rate,
                    unit="%",
                    reason=Reason.invalid_value,
                )
            )
        elif o.phase not in names:
            out.append(
                CheckResult(
                    f"video.online[{o.row}]", "在线率分期", Status.fail, f"{where}：未知分期“{o.phase}”", reason=Reason.invalid_value
                )
            )
    return out


def _ticket_record_checks(p: VideoParams, data: Data, names: set[str]) -> list[CheckResult]:
    """A fail for each ticket repaired before it was reported or of a phase the phase list does not have."""
    out: list[CheckResult] = []
    for t in data.tickets:
        where = f"{p.tickets.value} 第 {t.row} 行（工单 {t.id}）"
        if t.repaired < t.reported:
            out.append(
                CheckResult(
                    f"video.ticket[{t.id}]",
                    "工单时间",
                    Status.fail,
                    f"{where}：修复时间 {t.repaired} 早于报修时间 {t.reported}",
                    reason=Reason.invalid_date,
                )
            )
        elif t.phase not in names:
            out.append(
                CheckResult(f"video.ticket[{t.id}]", "工单分期", Status.fail, f"{where}：未知分期“{t.phase}”", reason=Reason.invalid_value)
            )
    return out


def _sla_checks(p: VideoParams, data: Data) -> list[CheckResult]:
    """A warn for each month a phase's online rate is under target and each ticket repaired late: each costs a deduction."""
    target = p.sla.online_target.value
    limit = p.sla.repair_hours.value
    online = [
        _breach(
            f"video.online_sla[{o.phase}/{o.month}]",
            "在线率考核",
            f"{o.phase} {o.month} 在线率 {o.rate}% 低于目标 {target}%，扣款 {fmt(p.sla.online_deduction.value)} 万元",
            target,
            o.rate,
            "%",
        )
        for o in online_breaches(p, data)
    ]
    repairs = [
        _breach(
            f"video.repair_sla[{t.id}]",
            "修复时限考核",
            f"工单 {t.id}（{t.phase}）修复用时 {fmt(t.hours, 1)} 小时，超过时限 {limit} 小时，扣款 {fmt(p.sla.repair_deduction.value)} 万元",
            limit,
            t.hours,
            "小时",
        )
        for t in late_tickets(p, data)
    ]
    return [*online, *repairs]


def _breach(rid: str, title: str, message: str, expected: Decimal, observed: Decimal, unit: str) -> CheckResult:
    """An SLA breach: a warn (the contract deducts, the data are not wrong) with the limit, the value and how far off."""
    return CheckResult(
        rid,
        title,
        Status.warn,
        message,
        expected=expected,
        observed=observed,
        difference=observed - expected,
        unit=unit,
        reason=Reason.sla_breach,
    )


# --------------------------------------------------------------------------- charts


def online_chart(p: VideoParams, data: Data):
    """Monthly online rate per phase as a phase × month heat map, coloured by the distance to the target.

    Eight lines over twelve months cannot be told apart; a grid keeps every value
    readable and shows each month below the target (the ones that cost a deduction) in red.
    An invalid rate (outside 0–100%, a ``fail`` finding) is left grey.
    """
    phases = list(dict.fromkeys(o.phase for o in data.online))
    months = sorted({o.month for o in data.online})
    value = {(o.phase, o.month): o.rate for o in data.online if _valid_rate(o)}
    grid = [[value.get((ph, m)) for m in months] for ph in phases]
    labels = [f"{int(m[5:])}月" if m[:4] == str(p.year) else m for m in months]
    return charts.target_heatmap(phases, labels, grid, p.sla.online_target.value, f"{p.year} 年各分期月度在线率（%）")


def fee_chart(p: VideoParams, data: Data):
    """Fee and fee payable after deductions, per phase."""
    df = phase_frame(p, data)
    return charts.grouped_bars(
        list(df["分期"]),
        [("年度维护费", list(df["年度维护费（万元）"])), ("扣款后应付", list(df["应付（万元）"]))],
        f"{p.year} 年各分期维护费与扣款后应付",
    )
