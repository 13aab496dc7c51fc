"""Checks only a report's text allows: dates that do not exist, periods and their sums, cross-year
payments, “其中” lists, percentages next to the numbers they come from, and “等 N 个” enumerations."""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from .. import checks, rules
from ..checks import CheckResult, Evidence, Reason, Status, amount, balance, direction, stated_places, strict_tolerance
from ..dates import Period, find_dates, period_issues
from ..money import N, convert, half_up
from .amounts import Money, MoneyList, label_before, money_lists, sentence_end
from .extraction import Extraction
from .kinds import patterns
from .reading import FIGURE_BUDGET_ENV, ReportText, figure_budget


def not_found_checks(ex: Extraction, read_any: bool = False) -> list[CheckResult]:
    """One warn per template figure the text does not give; a fail when it gives none at all.

    ``read_any``: the reader found figures (an amount, a rate or a score) the template does not name: then the
    text is not figure-less, and what the template lacks is each figure's own warn.
    """
    out = [
        checks.not_found(f"extract.{path}", f"未找到：{label}", f"报告中未识别出“{label}”的数字，相关检查未执行（不作推测）")
        for path, label in ex.not_found
    ]
    if not ex.found and not read_any:
        none = "报告中未识别出任何收支、三公经费或执行率数字，无法进行勾稽检查（这不是“通过”）"
        out.append(checks.not_found("extract.none", "未识别出任何数字", none, status=Status.fail))
    return out


def partly_read_checks(report: ReportText) -> list[CheckResult]:
    """A warn when only the beginning of the text was read (more numbers than the figure budget)."""
    if report.raw_chars is None:
        return []
    lines = len(report.line_starts)
    return [
        checks.note(
            "document.partly_read",
            "文本过长，仅读取前段",
            f"文本中的数字超过 {figure_budget():,} 个：只读取并核对了第 1–{lines:,} 行"
            f"（全文 {report.raw_chars:,} 字中的前 {len(report.raw):,} 字），其后未读取；"
            f"如确需全文核对，请分段提交或调高 {FIGURE_BUDGET_ENV}",
            status=Status.warn,
            unit="字",
            reason=Reason.partly_read,
            expected=report.raw_chars,
            observed=len(report.raw),
        )
    ]


def _context(report: ReportText, start: int, end: int, pad: int = 24) -> Evidence:
    """The quote widened to its clause (to the nearest punctuation within ``pad``), on its own line."""
    text = report.text
    line_lo = report.line_starts[report.line_of(start) - 1]
    lo = start
    while lo > max(line_lo, start - pad) and text[lo - 1] not in ",;:。、\n":
        lo -= 1
    hi, stop = end, min(len(text), end + pad)
    while hi < stop and text[hi] not in ",;:。\n":
        hi += 1
    return report.evidence(lo, hi)


def date_checks(report: ReportText, year: int | None) -> list[CheckResult]:
    """Every 年月日 mention must exist (a “9 月 31 日” fails)."""
    out, n, last_year = [], 0, year
    lines = report.text.split("\n")
    for i, line in enumerate(lines):
        if "月" not in line:
            continue
        for d in find_dates(line, default_year=last_year, normalized=True):
            n += 1
            if d.year is not None and not d.year_inferred:
                last_year = d.year
            if d.valid:
                continue
            start = report.line_starts[i] + d.start
            ev = _context(report, start, start + len(d.text))
            limit = calendar.monthrange(d.year or 2000, d.month)[1] if 1 <= d.month <= 12 else None
            out.append(
                CheckResult(
                    id=f"dates.invalid.L{i + 1}",
                    title="日期必须存在",
                    status=Status.fail,
                    message=(
                        f"日期不存在: “{d.text}”，{d.month} 月只有 {limit} 天（多 {d.day - limit} 天）"
                        if limit and d.day
                        else f"日期不存在: “{d.text}”（月份 {d.month} 无效）"
                    ),
                    expected=limit,
                    observed=d.day,
                    difference=(d.day - limit) if limit and d.day else None,
                    unit="日",
                    evidence=(ev,),
                    reason=Reason.invalid_date,
                )
            )
    if n and not out:
        out.append(checks.note("dates.valid", "日期必须存在", f"报告中 {n} 处日期均存在", unit="处"))
    return out


_RE = patterns("text_checks")  # its phrasings (fields.yaml), each named by its key where it is matched


@dataclass(frozen=True)
class DateRange:
    """A period written in the text, with its offsets."""

    start: dt.date
    end: dt.date
    exact: bool  # False when an impossible day was clamped to the month's end
    s: int
    e: int


def _date_ranges(text: str) -> Iterator[re.Match]:
    """``_RE.date_range.finditer(text)``, the pattern tried only just before its word (月).

    The pattern opens with an optional year, so the regex engine would try it at every
    character of a long text. A match holds only digits, spaces and 年 (``date_range_lead``)
    before its first 月: it starts in the run of those that ends at the next 月, each start
    tried in order. A run longer than 64 characters, or a text with a 月 in every 20 characters,
    is left to the regex engine.
    """
    pos, tries = 0, 0
    while (w := _RE.date_range_word.search(text, pos)) is not None:
        tries += 1
        if tries > 1000 and tries * 20 > w.start():
            yield from _RE.date_range.finditer(text, pos)
            return
        lo = w.start()
        while lo > pos and _RE.date_range_lead.match(text, lo - 1):
            lo -= 1
            if w.start() - lo > 64:
                m = _RE.date_range.search(text, pos)
                if m is None:
                    return
                break
        else:
            m = next((m for p in range(lo, w.start()) if (m := _RE.date_range.match(text, p))), None)
            if m is None:
                pos = w.start() + 1
                continue
        yield m
        pos = m.end()


def _day(y: int, m: int, d: int) -> tuple[dt.date, bool] | None:
    """A date, with an impossible day clamped to the month end (and flagged as inexact)."""
    if not 1 <= m <= 12 or d < 1:
        return None
    last = calendar.monthrange(y, m)[1]
    return dt.date(y, m, min(d, last)), d <= last


def ranges(text: str, year: int | None) -> list[DateRange]:
    """Every “A 月 B 日至 C 月 D 日” period, years inferred from the last one written."""
    out, last = [], year
    for m in _date_ranges(text):
        y1 = int(m["y1"]) if m["y1"] else last
        if y1 is None:
            continue
        y2 = int(m["y2"]) if m["y2"] else y1
        if not m["y2"] and int(m["m1"]) >= 10 and int(m["m2"]) <= 3:
            y2 = y1 + 1  # “12 月 1 日至 3 月 31 日”: a winter period runs into the next year
        last = y2
        a, b = _day(y1, int(m["m1"]), int(m["d1"])), _day(y2, int(m["m2"]), int(m["d2"]))
        if a and b:
            out.append(DateRange(a[0], b[0], a[1] and b[1], m.start(), m.end()))
    return out


def period_reversed_checks(report: ReportText, ranges: list[DateRange]) -> list[CheckResult]:
    """A period must not end before it starts."""
    out = []
    for r in ranges:
        if r.end >= r.start:
            continue
        days = (r.start - r.end).days
        out.append(
            CheckResult(
                id=f"periods.reversed.L{report.line_of(r.s)}",
                title="期间结束日不早于开始日",
                status=Status.fail,
                message=f"期间倒置: 结束日 {r.end} 早于开始日 {r.start}（早 {days} 天）",
                expected=None,
                observed=-days,
                difference=-days,
                unit="天",
                evidence=(report.evidence(r.s, r.e),),
                reason=Reason.period_reversed,
            )
        )
    if ranges and not out:
        out.append(checks.note("periods.order", "期间结束日不早于开始日", f"{len(ranges)} 个期间均不倒置", unit="个"))
    return out


# -- “其中 / 包括” lists


# The identity whose total is this extracted figure: when the text's own “其中” list has parts the
# model does not (事业收入, 经营收入…), the list check replaces that identity.
IDENTITY_OF = {
    "income.total": "income.total",
    "income.fiscal_appropriation": "income.fiscal_appropriation",
    "expenditure.total": "expenditure.total",
    "expenditure.basic": "expenditure.basic",
    "expenditure.project": "expenditure.project",
    "three_public.control.total": "three_public.control",
    "three_public.actual.total": "three_public.actual",
}


def list_checks(report: ReportText, ex: Extraction, ranges: list[DateRange], doc: Any = None) -> list[CheckResult]:
    """“其中/包括” lists: the parts add up to the total; periods cover the whole; fees per month agree.

    A list after a change (比上年增加 X 万元，…，其中：…) lists this year's parts, not parts of the
    change: such a “total” is never checked.
    """
    text = report.text
    out: list[CheckResult] = []
    starts = [r.s for r in ranges]
    modifiers = _Spans(
        (f.start, f.end) for f in getattr(doc, "facts", ()) if f.field.endswith((".change", ".previous", ".budget_diff", ".budget"))
    )
    changes = _Spans((f.start, f.end) for f in getattr(doc, "facts", ()) if f.field.endswith((".change", ".previous", ".budget_diff")))
    found = _Spans(ex.found.values(), ex.found)
    for n, lst in enumerate(money_lists(text)):
        # a change stated among the parts (基本支出 A，项目支出 B，同比增加 C) is no part: of the last part or of the total
        lst = replace(lst, parts=[p for p in lst.parts if not _is_change(text, p, changes)])
        if len(lst.parts) < 2 or lst.total.approx or any(p.approx for p in lst.parts):
            continue
        if _is_change(text, lst.total, modifiers):
            continue
        nums = [lst.total, *lst.parts]
        if all(x.s in found for x in nums):
            continue  # an identity of the department model already checks it
        total_path = found.path_at(lst.total.s)
        if total_path in IDENTITY_OF:
            ex.superseded.add(IDENTITY_OF[total_path])  # the text lists more parts than the model has (e.g. 事业收入)
        periods = [_period_before(text, x, ranges, starts) for x in nums]
        if all(periods):
            out += _period_list(report, lst, periods, ex.year)
            continue
        unit = lst.total.unit if all(p.unit == lst.total.unit for p in lst.parts) else "万元"
        tot = convert(lst.total.value, unit)
        parts = [(label_before(text, p.s, p.e), convert(p.value, unit)) for p in lst.parts]
        r = balance(
            f"list.L{report.line_of(lst.total.s)}.{n}",
            f"“{lst.kw}”所列各项之和 = 合计",
            (label_before(text, lst.total.s), tot),
            parts,
            unit=unit,
            evidence=(report.evidence(lst.total.s, lst.parts[-1].e),),
            tolerance=_tolerance(lst, unit),
        )
        if r.status is Status.fail and r.difference > 0:  # parts short of the total: perhaps not all listed
            r = replace(r, status=Status.warn, message=r.message + f"；“{lst.kw}”可能未列全")
        out.append(r)
    return out


def _is_change(text: str, amount: Any, spans: _Spans) -> bool:
    """True when a list's amount follows a change word or is one of ``spans`` (changes, last year's figures…)."""
    return bool(_RE.change_before.search(text[max(0, amount.s - 8) : amount.s])) or amount.s in spans


def _tolerance(lst: MoneyList, unit: str) -> Decimal:
    """What rounding of the stated figures could explain, in ``unit``: none for 元 (a fee in 元 is exact)."""
    if unit == "元":
        return Decimal(0)
    return strict_tolerance([convert(x.value, unit) for x in (lst.total, *lst.parts)])


class _Spans:
    """Offsets covered by a set of spans, looked up in log time (a long text has thousands)."""

    def __init__(self, spans, named: dict[str, tuple[int, int]] | None = None):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]
        self.named = sorted((s, e, path) for path, (s, e) in (named or {}).items())
        self.named_starts = [n[0] for n in self.named]

    def path_at(self, pos: int) -> str | None:
        """The name of a span that covers ``pos`` (the field path of an extracted figure), or None."""
        i = bisect.bisect_right(self.named_starts, pos) - 1
        while i >= 0:
            s, e, path = self.named[i]
            if s <= pos < e:
                return path
            if pos - s > 2000:
                return None
            i -= 1
        return None

    def __contains__(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


def _period_before(text: str, x: Money, ranges: list[DateRange], starts: list[int]) -> DateRange | None:
    """The date range written in the same clause just before an amount."""
    i = bisect.bisect_right(starts, x.s) - 1
    if i < 0:
        return None
    r = ranges[i]
    between = text[r.e : x.s]
    return r if len(between) <= 30 and not _RE.clause_or_money.search(between) else None


def _months(r: DateRange) -> int | None:
    """Whole calendar months of a period that runs from a 1st to a month's end."""
    if r.start.day != 1 or r.end.day != calendar.monthrange(r.end.year, r.end.month)[1] or r.end < r.start:
        return None
    return (r.end.year - r.start.year) * 12 + r.end.month - r.start.month + 1


def _pay_year(m: re.Match, fiscal_year: int) -> int:
    """The year a payment-date mention names (次年 is the year after the fiscal year)."""
    if m["next"] or m["next2"]:
        return fiscal_year + 1
    return int(m["y"] or m["y2"])


def _late_payments(text: str, fiscal_year: int, start: int = 0, end: int | None = None) -> list[re.Match]:
    """Payment dates after the fiscal year, unless the sentence says it is only planned (拟/计划/预计)."""
    out = []
    for m in _pay_dates(text, start, len(text) if end is None else end):
        if _pay_year(m, fiscal_year) > fiscal_year and not _RE.planned.search(text[max(0, m.start() - 6) : m.start()]):
            out.append(m)
    return out


def _pay_dates(text: str, start: int, end: int) -> Iterator[re.Match]:
    """``_RE.pay_date.finditer(text, start, end)``, the pattern tried only where one of its opening words starts.

    The pattern is four phrasings, each opening with a word of ``pay_date_word``: the regex
    engine would try all four at every character of a long text, where the words are searched
    in C. A text so dense in them (于于于…) that a try per word costs more is read the plain way.
    """
    pos, tries = start, 0
    while (w := _RE.pay_date_word.search(text, pos, end)) is not None:
        tries += 1
        if tries > 1000 and tries * 50 > w.start() - start:  # more than a word in 50 characters
            yield from _RE.pay_date.finditer(text, w.start(), end)
            return
        m = _RE.pay_date.match(text, w.start(), end)
        if m is None:
            pos = w.start() + 1  # a word may start inside this one (支付款: 付款)
            continue
        yield m
        pos = m.end()


def cross_year_payment_checks(report: ReportText, year: int | None) -> list[CheckResult]:
    """A payment dated after the fiscal year is flagged as cross-year (warn)."""
    if year is None:
        return []
    out = []
    for pm in _late_payments(report.text, year):
        late = f"跨年度支付: “{pm.group(0)}”晚于 {year} 年度（{year} 年 12 月 31 日之后），该笔费用应在次年列支或作为应付"
        ev = (_context(report, pm.start(), pm.end(), 30),)
        title = "支付日期在本预算年度内"
        out.append(
            checks.within(
                f"payment.cross_year.L{report.line_of(pm.start())}",
                title,
                _pay_year(pm, year),
                year,
                agree="",
                differ=late,
                evidence=ev,
                unit="年",
                over=Status.warn,
                reason=Reason.cross_year_payment,
            )
        )
    return out


@dataclass(frozen=True)
class _Fees:
    """A fee for a whole period and the fees of its parts, as one statement of the report writes them."""

    report: ReportText
    lst: MoneyList
    whole: DateRange
    parts: tuple[DateRange, ...]
    unit: str
    fiscal_year: int

    @property
    def line(self) -> int:
        """The line of the whole-period amount."""
        return self.report.line_of(self.lst.total.s)

    @property
    def pairs(self) -> list[tuple[DateRange, Money]]:
        """(period, amount) for each part."""
        return list(zip(self.parts, self.lst.parts, strict=True))

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Quotes of the whole-period amount and of each part, in that order."""
        r = self.report
        return (r.evidence(self.whole.s, self.lst.total.e), *(r.evidence(p.s, m.e) for p, m in self.pairs))


def _period_list(report: ReportText, lst: MoneyList, periods: list[DateRange], year: int | None) -> list[CheckResult]:
    """Every check on a whole-period fee and its parts: sum, coverage, fee per month, payment dates."""
    unit = lst.total.unit if all(p.unit == lst.total.unit for p in lst.parts) else "万元"
    fees = _Fees(report, lst, periods[0], tuple(periods[1:]), unit, year or periods[0].end.year)
    return [*period_sum_check(fees), *period_coverage_check(fees), *monthly_rate_check(fees), *payment_claim_check(fees)]


def period_sum_check(f: _Fees) -> list[CheckResult]:
    """The fee for the whole period equals the sum of the fees of its parts."""
    r = balance(
        f"periods.sum.L{f.line}",
        "全期金额 = 各期间金额之和",
        (f"{f.whole.start:%Y-%m-%d}~{f.whole.end:%Y-%m-%d} 全期", convert(f.lst.total.value, f.unit)),
        [(f"{p.start:%m-%d}~{p.end:%m-%d}", convert(m.value, f.unit)) for p, m in f.pairs],
        unit=f.unit,
        evidence=f.evidence,
        tolerance=_tolerance(f.lst, f.unit),
    )
    return [replace(r, reason=Reason.ok if r.passed else Reason.period_sum_mismatch)]


def period_coverage_check(f: _Fees) -> list[CheckResult]:
    """The parts, end to end, with no gap or overlap, make the whole period."""
    issues = [i.message for i in period_issues([Period(p.start, p.end, f"{p.start:%m-%d}~{p.end:%m-%d}") for p in f.parts])]
    first, last = min(p.start for p in f.parts), max(p.end for p in f.parts)
    if first != f.whole.start or last != f.whole.end:
        issues.append(f"各期间覆盖 {first}~{last}，全期为 {f.whole.start}~{f.whole.end}")
    return [
        checks.judged(
            f"periods.coverage.L{f.line}",
            "各期间首尾相接并覆盖全期",
            not issues,
            Status.fail,
            Reason.period_gap_overlap,
            f"各期间首尾相接，覆盖 {f.whole.start}~{f.whole.end}",
            "；".join(issues),
            unit="天",
            evidence=f.evidence,
        )
    ]


def monthly_rate_check(f: _Fees) -> list[CheckResult]:
    """The fee per month implied by each whole-month part is the same (warn when it is not)."""
    monthly = [(p, convert(m.value, "元") / k) for p, m in f.pairs if (k := _months(p))]
    if len(monthly) < 2:
        return []
    cfg = rules.checks()["monthly_rate"]
    lo, hi = min(v for _, v in monthly), max(v for _, v in monthly)
    diff = half_up(hi - lo)
    ok = diff <= N(cfg["tolerance_yuan"])
    listing = "；".join(f"{p.start:%m-%d}~{p.end:%m-%d} 每月 {amount(half_up(v))} 元" for p, v in monthly)
    return [
        checks.judged(
            f"periods.monthly_rate.L{f.line}",
            "各期间月均费用一致",
            ok,
            Status(cfg["status"]),
            Reason.rate_difference,
            f"各期间月均费用一致（{listing}）",
            f"各期间月均费用不一致: {listing}；相差 {amount(diff)} 元/月，请核对合同单价或期间",
            expected=half_up(lo),
            observed=half_up(hi),
            difference=diff,
            tolerance=N(cfg["tolerance_yuan"]),
            unit="元/月",
            evidence=f.evidence[1:],
        )
    ]


def payment_claim_check(f: _Fees) -> list[CheckResult]:
    """A “全期已支付” claim that a payment date after the fiscal year contradicts (fail).

    The late payment date itself is reported by :func:`cross_year_payment_checks`.
    """
    text, fy = f.report.text, f.fiscal_year
    out: list[CheckResult] = []
    if not _RE.paid.search(text, f.whole.s, f.lst.total.e + 6):
        return out
    late = _late_payments(text, fy, f.lst.total.s, sentence_end(text, f.lst.parts[-1].e, 300) + 1)
    claim = f.report.evidence(f.whole.s, f.lst.total.e)
    whole = f"{f.whole.start}~{f.whole.end}"
    out.append(
        checks.claim(
            f"payment.claim.L{f.line}",
            "“全期已支付”的表述与支付日期相符",
            not late,
            agree=f"称 {whole} 费用已支付，同段未见 {fy} 年度之后的支付日期",
            differ=f"表述与数字矛盾: 称 {whole} 费用“已支付” {amount(convert(f.lst.total.value, f.unit))} {f.unit}，"
            f"但同段写明“{late[0].group(0)}”，在 {fy} 年度之后"
            if late
            else "",
            unit=f.unit,
            evidence=(claim, _context(f.report, late[0].start(), late[0].end(), 30)) if late else (claim,),
        )
    )
    return out


# -- percentages and enumerations


def percent_checks(report: ReportText, ex: Extraction, params: Any = None) -> list[CheckResult]:
    """“编制数据目录 605 个、完成率达 202%”: the rate against 完成值 ÷ 指标值 (target in the sentence or the params)."""
    goals = list(getattr(params, "goals", None) or [])
    out = []
    for i, src in enumerate(ex.goal_sources):
        if "value" not in src:
            continue
        target, where = src.get("target"), "同句"
        if target is None:
            match = next((g for g in goals if g.actual is not None and g.target is not None and g.actual.value == src["value"]), None)
            if match is None:
                continue
            target, where = match.target.value, f"参数文件“{match.name}”"
        if not target:
            continue
        computed = src["value"] / target * 100
        stated = src["pct"]
        step = Decimal(1).scaleb(-stated_places(stated))
        ok = half_up(computed, stated_places(stated)) == stated
        if src.get("approx") and not ok and computed < stated + step:
            ok = True  # “20 亿余条”: the value is a lower bound
        diff = half_up(stated - computed)
        out.append(
            checks.rate(
                f"percent.L{src['line']}.{i}",
                f"完成率 = 完成值 ÷ 指标值：{src['name']}",
                stated,
                computed,
                agree=f"“{src['name']}”完成率 {stated}% 与 {src['value']}{src['unit']} ÷ 指标值 {target}（{where}）= {half_up(computed)}% 相符",
                differ=f"完成率不符: 报告 {stated}% ≠ {src['value']} ÷ {target}（{where}）= {half_up(computed)}%"
                f"（报告{'多' if diff > 0 else '少'} {abs(diff)} 个百分点）",
                evidence=(Evidence(src["quote"], src["line"]),),
                status=Status.passed if ok else Status.fail,
                reason=Reason.percent_mismatch,
                difference=diff,
            )
        )
    return out


# The count starts the pattern (a digit, which the regex engine finds fast); “等” and up to three
# spaces before it are read back from the text (a pattern that opened with them was tried at
# every character of a long text).


def enumeration_checks(report: ReportText) -> list[CheckResult]:
    """“A、B、C 和 D 等 4 个”: the items listed against the count stated."""
    text = report.text
    out = []
    for m in _RE.enum.finditer(text):
        lead = _RE.enum_lead.search(text, max(0, m.start() - 4), m.start())
        start, deng = lead.start(), lead.group(0).startswith("等")
        head = text[max(0, start - 200) : start]
        if not head or "、" not in head[-120:]:
            continue
        head = _RE.stray_enumerator.sub("、", head)  # OCR: a stray enumerator inside the list
        head = _RE.heading_enumerator.sub("。", head)  # “四、” headings end a clause
        clause = _RE.clause_split.split(head)[-1]
        if "、" not in clause or _RE.count_in_clause.search(clause):
            continue
        items = [x for x in clause.split("、") if x.strip()]
        items[-1:] = [x for x in _RE.last_item_split.split(items[-1]) if x.strip()] if items else []
        listed, n = len(items), int(m["n"])
        if deng and listed < n:
            continue  # “等 N 个” with fewer named: an “etc.”, nothing to count
        s = start - len(clause)
        out.append(
            checks.count(
                f"enumeration.L{report.line_of(start)}",
                "列举项数 = 所称个数",
                n,
                listed,
                agree=f"列举 {listed} 项，与所称 {n}{m['u']}相符",
                differ=f"列举项数不符: 所称 {n}{m['u']} ≠ 列举 {listed} 项（{'多' if listed > n else '少'} {abs(listed - n)} 项）",
                unit=m["u"],
                evidence=(report.evidence(s, m.end()),),
                over=Status.warn,
            )
        )
    return out


# -- the text against the params file of the same report


def _at(model: Any, path: str) -> Any:
    """The value at a field path such as ``three_public.control.reception`` or ``expenditure.project_parts[1]``."""
    node = model
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):  # a params field path, not report text: no vocabulary
        if node is None:
            return None
        if part.startswith("["):
            i = int(part[1:-1])
            node = node[i] if isinstance(node, list) and i < len(node) else None
        else:
            node = getattr(node, part, None)
    return node


def compare_with_params(report: ReportText, ex: Extraction, params: Any) -> list[CheckResult]:
    """Every figure found in the text against the params figure of the same field.

    The params transcribe the report, so the two should agree; a difference is a
    warn naming both places (a figure the report states twice, or a transcription
    to verify). Agreement is one pass that counts the figures compared.
    """
    out: list[CheckResult] = []
    same = 0
    where = getattr(params, "_path", None)
    name = where.name if where else "参数文件"
    for path in sorted(ex.found):
        if path.startswith("goals"):
            continue  # goals are named differently in the text; percent_checks compares their rates
        found, given = _at(ex.model, path), _at(params, path)
        value_of = (lambda f: getattr(f, "value", None)) if not hasattr(found, "score") else (lambda f: getattr(f, "score", None))
        a, b = value_of(found), value_of(given)
        if not isinstance(a, Decimal) or not isinstance(b, Decimal):
            continue
        if a == b:
            same += 1
            continue
        unit = "%" if path.startswith("claims.execution_rate") else "分" if hasattr(found, "score") else "万元"
        line = getattr(found, "line", None)
        given_line = f"（第 {given.line} 行）" if getattr(given, "line", None) else ""
        out.append(
            checks.differs(
                f"source.{path}",
                f"报告原文与参数文件一致：{path}",
                a,
                b,
                message=f"报告原文与参数文件不符: 报告{f'第 {line} 行' if line else ''}为 {amount(a)} {unit}，"
                f"{name} 中 {path} 为 {amount(b)} {unit}{given_line}（报告{direction(a - b, unit)}），请核对",
                unit=unit,
                evidence=tuple(e for e in (Evidence(found.seed, line),) if getattr(found, "seed", None)),
                reason=Reason.source_mismatch,
            )
        )
    if same:
        out.append(checks.note("source.agree", "报告原文与参数文件一致", f"报告中识别出的 {same} 项数字与 {name} 一致", unit="项"))
    return out
