"""双监控: budget execution against time progress (序时进度) and indicator progress, as colours.

What is monitored, execution and goal attainment during the year, is the rule
of 财预〔2019〕136号《中央部门预算绩效运行监控管理暂行办法》. The colours and
their thresholds are **practice**, not a clause of 136号 (which sets none) or of
财预〔2021〕101号 (the 取值指引, about setting indicator values): they live in
``frameworks/monitor.yaml`` (``basis: practice``) for a bureau to set its own.
By default:

- **Execution**: v = cumulative execution rate ÷ (month ÷ 12) × 100;
  v < 60 red, 60 ≤ v < 80 yellow, v ≥ 80 green.
- **Indicators**: v = actual ÷ (target ÷ 12 × month) × 100;
  v < 60 red, [60, 80) yellow, [80, 120) green, ≥ 120 blue (ahead of plan).
- **Project colour**: its worst indicator's colour, worst first: red, yellow,
  blue, green (running far ahead of plan is a warning, not a success).

All arithmetic is ``Decimal``; the chart converts to float only to draw.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..money import N, half_up
from . import frameworks

__all__ = [
    "Colour",
    "MonthRow",
    "execution",
    "execution_chart",
    "execution_colour",
    "indicator_colour",
    "indicator_progress",
    "project_colour",
]

HUNDRED, TWELVE = Decimal(100), Decimal(12)


class Colour(enum.StrEnum):
    """Warning colours, as finance bureaus' 双监控 systems show them (practice, not a document's clause)."""

    red = "red"
    yellow = "yellow"
    blue = "blue"
    green = "green"

    @property
    def label(self) -> str:
        return {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}[self.value]


FRAMEWORK = "monitor"


def rules() -> dict:
    """The colour rules of ``frameworks/monitor.yaml`` (``basis: practice``), with its version."""
    fw = frameworks.get(FRAMEWORK)
    return {**fw.raw["colours"], "version": fw.version, "source": fw.source}


def _colour(v: Decimal, table: list[dict]) -> Colour:
    """The first row whose ``lt`` bound holds (a row without one is the catch-all)."""
    for row in table:
        if "lt" not in row or v < N(row["lt"]):
            return Colour(row["colour"])
    return Colour(table[-1]["colour"])


def severity() -> tuple[Colour, ...]:
    """Colours from worst to best."""
    return tuple(Colour(c) for c in rules()["severity"])


SEVERITY = (Colour.red, Colour.yellow, Colour.blue, Colour.green)  # the shipped order; severity() reads the file


def _month(month: int) -> Decimal:
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise InputError(f"月份应为 1–12: {month!r} (month must be 1-12)", field="month")
    return Decimal(month)


def execution_colour(v: Decimal) -> Colour:
    """Colour of an execution-to-time-progress ratio v (in %), by the ``execution`` rows of ``monitor.yaml``."""
    return _colour(v, rules()["execution"])


def indicator_colour(v: Decimal) -> Colour:
    """Colour of an indicator-progress ratio v (in %), by the ``indicator`` rows of ``monitor.yaml``."""
    return _colour(v, rules()["indicator"])


def indicator_progress(actual: Decimal, target: Decimal, month: int) -> Decimal:
    """v = actual ÷ (target ÷ 12 × month) × 100; a zero target is bad input."""
    if not target:
        raise InputError("指标值为 0，无法计算序时进度 (target is 0)", field="target")
    return N(actual) / (N(target) / TWELVE * _month(month)) * HUNDRED


def project_colour(colours: Iterable[Colour]) -> Colour:
    """A project's colour: its worst indicator's (red, yellow, blue, green, worst first)."""
    cs = list(colours)
    if not cs:
        raise InputError("项目没有指标 (a project needs at least one indicator)")
    order = severity()
    return min(cs, key=order.index)


@dataclass(frozen=True)
class MonthRow:
    """One month of execution: cumulative spend, its rate, time progress, v and colour."""

    month: int
    spent: Decimal
    rate: Decimal  # cumulative spend ÷ budget × 100
    time_progress: Decimal  # month ÷ 12 × 100
    v: Decimal
    colour: Colour


def execution(budget: Decimal, cumulative: Mapping[int, Decimal]) -> list[MonthRow]:
    """Monthly execution against time progress.

    Args:
        budget: the annual budget (万元).
        cumulative: month (1–12) → cumulative spending to the end of that month (万元).

    Returns:
        One :class:`MonthRow` per month given, in month order; rate, time progress and v to 2 decimals.
    """
    if not budget or budget < 0:
        raise InputError(f"预算应大于 0: {budget} (budget must be > 0)", field="budget")
    out = []
    for month in sorted(cumulative):
        m = _month(month)
        spent = N(cumulative[month])
        rate = spent / budget * HUNDRED
        v = rate / (m / TWELVE)
        out.append(
            MonthRow(
                month,
                spent,
                half_up(rate),
                half_up(m / TWELVE * HUNDRED),
                half_up(v),
                execution_colour(v),
            )
        )
    return out


def execution_chart(rows: list[MonthRow], title: str = "预算执行进度与序时进度"):
    """Line chart: cumulative execution rate by month against the time-progress line, points coloured by warning."""
    from ..render.charts import new_figure, to_plot

    fig, ax = new_figure()
    months = [r.month for r in rows]
    ax.plot(range(0, 13), [m / 12 * 100 for m in range(0, 13)], linestyle="--", color="#7f7f7f", label="序时进度")
    ax.plot(months, [to_plot(r.rate) for r in rows], color="#2f5597", marker="", label="累计执行率")
    palette = {Colour.red: "#c00000", Colour.yellow: "#e0a800", Colour.green: "#548235", Colour.blue: "#2f75b5"}
    for r in rows:
        ax.scatter([r.month], [to_plot(r.rate)], color=palette[r.colour], zorder=3, s=28)
    ax.set_xticks(range(1, 13), [f"{m}月" for m in range(1, 13)])
    ax.set_xlim(0.5, 12.5)
    ax.set_ylabel("%")
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper left")
    return fig
