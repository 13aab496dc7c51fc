"""Dates and periods as reports write them: 2023 年 1 月 1 日, 9 月 31 日, 2024 年元月.

Used by the report audit (calendar checks on free text) and by the project
modules (lease periods, payments). A date that does not exist is a finding,
not an exception: :func:`find_dates` returns it with ``valid=False``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .money import normalize

_MONTH = r"(?P<month>\d{1,2}|元|正)\s*月"
_DATE = re.compile(rf"(?:(?P<year>(?:19|20)\d{{2}})\s*年\s*)?{_MONTH}(?:\s*(?P<day>\d{{1,2}})\s*[日号])?")


@dataclass(frozen=True)
class DateMention:
    """A date written in a text, with what was written and whether it exists."""

    text: str
    start: int  # offset in the normalised text
    year: int | None
    month: int
    day: int | None
    valid: bool
    year_inferred: bool = False

    @property
    def date(self) -> dt.date | None:
        """The calendar date (the 1st for month-only mentions), or None if it does not exist."""
        if not self.valid or self.year is None:
            return None
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def month_end(self) -> dt.date | None:
        """The last day the mention covers: its own day, or the month's last day."""
        if not self.valid or self.year is None:
            return None
        return dt.date(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def is_calendar_date(year: int | None, month: int, day: int | None) -> bool:
    """Whether the month exists and, when a day is given, that day is in it (a year not stated: a leap year's)."""
    return 1 <= month <= 12 and (day is None or 1 <= day <= days_in_month(year or 2000, month))


def find_dates(text: str, default_year: int | None = None, *, normalized: bool = False) -> Iterator[DateMention]:
    """Every 年月日 / 月日 / 年月 mention in ``text``.

    A mention without a year takes the year of the nearest earlier mention that
    had one (“2023 年 1 月 1 日至 9 月 31 日”), else ``default_year``. A text the
    audit has prepared is passed with ``normalized=True``: it is read as it is, so
    each mention's ``start`` is an offset into it (normalising again would move
    offsets wherever a tab or a run of spaces is collapsed, and cost a pass of NFKC).
    """
    if not normalized:
        text = normalize(text)
    last_year = default_year
    for m in _DATE.finditer(text):
        month = 1 if m["month"] in ("元", "正") else int(m["month"])
        day = int(m["day"]) if m["day"] else None
        if m["year"] is None and day is None:
            continue  # a bare "9 月" is too ambiguous to check
        year, inferred = (int(m["year"]), False) if m["year"] else (last_year, True)
        if m["year"]:
            last_year = year
        ok = is_calendar_date(year, month, day)
        yield DateMention(m.group(0), m.start(), year, month, day, ok, inferred and year is not None)


@dataclass(frozen=True)
class Period:
    """A billing or service period, both ends inclusive."""

    start: dt.date
    end: dt.date
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        """Whole calendar months covered when the period runs from a 1st to a month end."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


@dataclass(frozen=True)
class PeriodIssue:
    """What is wrong between periods: reversed, gap or overlap, with the records involved."""

    kind: str  # "reversed" | "gap" | "overlap"
    first: Period
    second: Period | None
    days: int

    @property
    def message(self) -> str:
        a = self.first.label or f"{self.first.start}~{self.first.end}"
        if self.kind == "reversed":
            return f"期间 {a} 结束日 {self.first.end} 早于开始日 {self.first.start}"
        b = self.second.label or f"{self.second.start}~{self.second.end}" if self.second else ""
        word = "间隔" if self.kind == "gap" else "重叠"
        return f"期间 {a} 与 {b} 之间{word} {self.days} 天"


def period_issues(periods: Sequence[Period]) -> list[PeriodIssue]:
    """Reversed periods, and gaps or overlaps between consecutive periods (sorted by start)."""
    issues = [PeriodIssue("reversed", p, None, (p.start - p.end).days) for p in periods if p.end < p.start]
    ordered = sorted((p for p in periods if p.end >= p.start), key=lambda p: (p.start, p.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        step = (b.start - a.end).days
        if step > 1:
            issues.append(PeriodIssue("gap", a, b, step - 1))
        elif step < 1:
            issues.append(PeriodIssue("overlap", a, b, 1 - step))
    return issues


def fiscal_year(day: dt.date) -> int:
    """China's fiscal year is the calendar year (《预算法》第十八条)."""
    return day.year
