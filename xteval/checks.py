"""The check record and its builders: small named checks that return result records.

A check never raises on bad data: it returns a :class:`CheckResult` whose
``status`` is pass, warn or fail, with the expected and observed values, the
difference and its direction, the tolerance, and the evidence quoted from the
report. :class:`Suite` collects results and counts them by status.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from . import registry
from .money import ZERO, fmt, fmt_count, half_up

__all__ = [
    "CheckResult",
    "Context",
    "Evidence",
    "Reason",
    "Status",
    "Suite",
    "amount",
    "balance",
    "change",
    "claim",
    "count",
    "differs",
    "direction",
    "judged",
    "not_found",
    "not_run",
    "note",
    "rate",
    "rate_status",
    "rounding_tolerance",
    "run",
    "share",
    "stated_places",
    "within",
]


class Status(enum.StrEnum):
    passed = "pass"
    warn = "warn"
    fail = "fail"
    skipped = "skip"  # a check that could not run: a figure it needs is not given (listed, never counted as a finding)

    @property
    def label(self) -> str:
        return {"pass": "通过", "warn": "提示", "fail": "不符", "skip": "未执行"}[self.value]


JUDGED = (Status.passed, Status.warn, Status.fail)  # the statuses a check that ran can have; ``counts`` counts these


class Reason(enum.StrEnum):
    """Stable reason codes, so reports can count and group findings."""

    ok = "ok"
    sum_mismatch = "sum_mismatch"  # a total is not the sum of its parts
    over_control = "over_control"  # actual above its control figure
    claim_contradicted = "claim_contradicted"  # a sentence asserts what the numbers deny
    header_mismatch = "header_mismatch"  # 年度预算金额 ≠ 财政拨款收入
    rate_mismatch = "rate_mismatch"  # a stated rate differs from the computed one
    carryover_mismatch = "carryover_mismatch"
    score_mismatch = "score_mismatch"
    goal_count_mismatch = "goal_count_mismatch"
    over_achievement = "over_achievement"
    under_achievement = "under_achievement"
    large_adjustment = "large_adjustment"
    invalid_date = "invalid_date"
    period_reversed = "period_reversed"
    period_sum_mismatch = "period_sum_mismatch"
    period_gap_overlap = "period_gap_overlap"
    cross_year_payment = "cross_year_payment"
    percent_mismatch = "percent_mismatch"
    count_mismatch = "count_mismatch"
    rate_difference = "rate_difference"
    sla_breach = "sla_breach"
    invalid_value = "invalid_value"
    not_found = "not_found"
    source_mismatch = "source_mismatch"  # a figure of the report text differs from the params that transcribe it
    change_mismatch = "change_mismatch"  # a stated change ≠ this year − last year, or its rate ≠ change ÷ last year
    ambiguous = "ambiguous"  # one field stated with two different values
    extracted = "extracted"  # a figure found in a report (a record, not a check)
    document_mismatch = "document_mismatch"  # one figure differs between two documents of the same unit-year
    partly_read = "partly_read"  # a text with more numbers than the figure budget: only its beginning was read
    unread = "unread"  # a table row whose label the form does not know, or whose cells do not fit its header (a record)


@dataclass(frozen=True)
class Evidence:
    """A quote from the report and the line it stands on (1-based; None if unknown)."""

    quote: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"quote": self.quote, "line": self.line}


Number = Decimal | int | None
FEN_PLACES = 6  # one fen is 0.000001 万元


@dataclass(frozen=True)
class CheckResult:
    """One finding: what was expected, what was observed, and what that means."""

    id: str
    title: str
    status: Status
    message: str
    expected: Number = None
    observed: Number = None
    difference: Number = None
    tolerance: Number = None
    unit: str = ""
    evidence: tuple[Evidence, ...] = ()
    reason: Reason = Reason.ok

    @property
    def passed(self) -> bool:
        return self.status is Status.passed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; numbers become numeric strings so no float is involved."""

        def num(v: Number) -> str | None:
            return None if v is None else str(v)

        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "reason": self.reason.value,
            "expected": num(self.expected),
            "observed": num(self.observed),
            "difference": num(self.difference),
            "tolerance": num(self.tolerance),
            "unit": self.unit,
            "evidence": [e.to_dict() for e in self.evidence],
            "message": self.message,
        }


@dataclass
class Suite:
    """Results of a set of checks, with counts by status."""

    results: list[CheckResult] = field(default_factory=list)

    def extend(self, results: Iterable[CheckResult]) -> Suite:
        self.results.extend(results)
        return self

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(r.status.value for r in self.results)
        return {s.value: c.get(s.value, 0) for s in JUDGED}

    @property
    def skipped(self) -> list[CheckResult]:
        """The checks that could not run (未执行), each naming the figures it lacks."""
        return self.by_status(Status.skipped)

    @property
    def failed(self) -> bool:
        return self.counts["fail"] > 0

    def by_status(self, status: Status) -> list[CheckResult]:
        return [r for r in self.results if r.status is status]

    def to_dicts(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.results]

    def to_frame(self):
        """The results as a DataFrame for display (amounts as formatted text)."""
        import pandas as pd

        rows = [
            {
                "检查项": r.title,
                "结果": r.status.label,
                "应为": _show(r.expected),
                "实为": _show(r.observed),
                "差额": _show(r.difference),
                "单位": r.unit,
                "说明": r.message,
                "原文": "；".join(f"第 {e.line} 行：{e.quote}" if e.line else e.quote for e in r.evidence[:2]),
                "id": r.id,
            }
            for r in self.results
        ]
        return pd.DataFrame(rows, columns=["检查项", "结果", "应为", "实为", "差额", "单位", "说明", "原文", "id"])


@dataclass
class Context:
    """What a registered check reads (see :func:`xteval.registry.check`).

    Attributes:
        doc: the document's facts (an audit ``Document``), or None for a params file alone.
        model: the kind's model where it has one (a department params model), else None.
        report: the report text (an audit ``ReportText``), or None.
        params: a params file of the same report, or None.
        extraction: what the audit extracted (figures found, not found, the year), or None.
        model_checks: False when the caller has already run the model's checks on its params.
    """

    doc: Any = None
    model: Any = None
    report: Any = None
    params: Any = None
    extraction: Any = None
    model_checks: bool = True
    memo: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, compute):
        """``compute()`` the first time ``key`` is asked for, then the same value: what two checks share."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def run(names: Iterable[str], ctx: Context) -> Suite:
    """Run the registered checks ``names`` in order on ``ctx``; a name not registered raises ``KeyError``."""
    suite = Suite()
    for name in names:
        suite.extend(registry.check(name)(ctx))
    return suite


def _show(v: Number) -> str:
    if v is None:
        return ""
    return fmt(Decimal(v)) if isinstance(v, Decimal) else str(v)


def rounding_tolerance(values: Sequence[Decimal], floor_places: int = 2) -> Decimal:
    """Largest difference that rounding each stated figure could explain.

    Each figure is taken to be rounded to its own last decimal, but never
    coarser than ``floor_places`` (reports drop trailing zeros: 22.2 means
    22.20). Half a unit of that place per figure, summed. A figure stated to
    the fen (6 decimals in 万元) is exact and adds nothing.
    """
    total = ZERO
    for v in values:
        places = max(-v.as_tuple().exponent, floor_places)
        if places < FEN_PLACES:
            total += Decimal(1).scaleb(-places) / 2
    return total


def amount(v: Decimal) -> str:
    """An amount with at least 2 decimals and as many more as it carries (元 in 万元 has 6)."""
    exp = v.normalize().as_tuple().exponent if v else 0
    return fmt(v, max(2, min(6, -exp)))


_COUNT_UNITS = ("个", "项", "人", "名", "家", "户", "辆", "人次", "批次")  # whole things counted


def _shown(unit: str):
    """How a figure of this unit is written in a message: a count as stated (10 个, not 10.00), else an amount."""
    return fmt_count if unit in _COUNT_UNITS else amount


def direction(diff: Decimal, unit: str) -> str:
    """“多 2.00 万元” / “少 2.00 万元” / “一致”: the direction of a difference, for messages."""
    show = _shown(unit)
    if diff > 0:
        return f"多 {show(diff)} {unit}"
    if diff < 0:
        return f"少 {show(-diff)} {unit}"
    return "一致"


def strict_tolerance(values: Sequence[Decimal], floor_places: int = 2) -> Decimal:
    """:func:`rounding_tolerance`, less the least step: a rounded figure is within half a unit *short of* the
    next, so a difference of exactly the summed half-units cannot come from rounding (30 + 30 + 29.99 against
    89.97 is 0.02 off, and four half-fen are 0.02: no rounding gives it)."""
    tol = rounding_tolerance(values, floor_places)
    return max(tol - Decimal(1).scaleb(-FEN_PLACES), ZERO) if tol else tol


def balance(
    id: str,
    title: str,
    total: tuple[str, Decimal],
    parts: Sequence[tuple[str, Decimal]],
    *,
    unit: str = "万元",
    evidence: Sequence[Evidence] = (),
    tolerance: Decimal | None = None,
) -> CheckResult:
    """Check that a stated total equals the sum of its stated parts.

    Args:
        id: stable English id, e.g. ``income.total``.
        title: Chinese title, e.g. ``总收入 = 财政拨款收入 + 其他收入``.
        total: (label, stated total).
        parts: (label, stated part) pairs.
        unit: unit of all values.
        evidence: quotes that state the figures.
        tolerance: allowed difference; by default what rounding of the stated
            figures could explain (see :func:`rounding_tolerance`).

    Returns:
        A pass when the total equals the sum exactly; a warn when it differs by
        no more than the tolerance (a rounding difference the evaluator should
        see, not silently accept); otherwise a fail.
    """
    label, stated = total
    expected = sum((v for _, v in parts), ZERO)
    diff = stated - expected
    tol = tolerance if tolerance is not None else rounding_tolerance([stated, *(v for _, v in parts)])
    names = " + ".join(n for n, _ in parts)
    ok = abs(diff) <= tol
    show = _shown(unit)
    status = Status.passed if diff == 0 else Status.warn if ok else Status.fail
    if ok and diff == 0:
        msg = f"{label} {show(stated)} = {names} {show(expected)} {unit}"
    elif ok:
        msg = f"{label} {show(stated)} ≈ {names} {show(expected)} ({direction(diff, unit)}，在舍入容差 {tol} 内)"
    else:
        msg = f"{title.split('=')[0].strip()}不符: {label} {show(stated)} ≠ {names} {show(expected)} ({direction(diff, unit)})"
    return CheckResult(
        id=id,
        title=title,
        status=status,
        message=msg,
        expected=expected,
        observed=stated,
        difference=diff,
        tolerance=tol,
        unit=unit,
        evidence=tuple(evidence),
        reason=Reason.ok if diff == 0 else Reason.sum_mismatch,
    )


# --------------------------------------------------------------------------- the other builders


def judged(id: str, title: str, ok: bool, otherwise: Status, reason: Reason, agree: str, differ: str, **fields: Any) -> CheckResult:
    """The general builder the others use: a pass when ``ok``, else ``otherwise`` with ``reason``, and the message that fits.

    ``fields`` are the record's numbers, unit and evidence (see :class:`CheckResult`).
    """
    status = Status.passed if ok else otherwise
    return CheckResult(id=id, title=title, status=status, message=agree if ok else differ, reason=Reason.ok if ok else reason, **fields)


def stated_places(v: Decimal) -> int:
    """How many decimals a figure was stated with."""
    return max(0, -v.as_tuple().exponent)


def rate_status(stated: Decimal, computed: Decimal) -> Status:
    """A stated rate against the computed one at its stated precision (GB/T 8170, half-up).

    A pass when the computed rate rounds to the stated one; a warn when only truncation explains
    it, or it is off by no more than one unit of the last stated decimal; otherwise a fail.
    """
    places = stated_places(stated)
    if half_up(computed, places) == stated:
        return Status.passed
    step = Decimal(1).scaleb(-places)
    if computed.quantize(step, rounding=ROUND_DOWN) == stated or abs(computed - stated) <= step:
        return Status.warn
    return Status.fail


def rate(
    id: str,
    title: str,
    stated: Decimal,
    computed: Decimal,
    *,
    agree: str,
    differ: str,
    evidence: Sequence[Evidence] = (),
    status: Status | None = None,
    strict: bool = False,
    reason: Reason = Reason.rate_mismatch,
    difference: Decimal | None = None,
) -> CheckResult:
    """A stated percentage against the quotient it stands for, at the precision it was stated at.

    Args:
        id: stable English id.
        title: Chinese title, e.g. ``执行率 = 全年执行数 ÷ 全年预算数``.
        stated: the percentage the report states.
        computed: the quotient × 100 from the report's figures.
        agree: the message when they agree; differ: when they do not.
        evidence: quotes that state the figures.
        status: the status when the caller judges it (else :func:`rate_status`).
        strict: a difference that truncation could explain is still a fail.
        reason: the reason code of a difference.
        difference: the difference to record, when not stated − computed (rounded half-up).

    Returns:
        A record with the computed rate (2 decimals, half-up) as expected and a tolerance of
        half a unit of the last stated decimal.
    """
    status = status or rate_status(stated, computed)
    if strict and status is Status.warn:
        status = Status.fail
    shown = half_up(computed)
    return judged(
        id,
        title,
        status is Status.passed,
        status,
        reason,
        agree,
        differ,
        expected=shown,
        observed=stated,
        difference=stated - shown if difference is None else difference,
        tolerance=Decimal(1).scaleb(-stated_places(stated)) / 2,
        unit="%",
        evidence=tuple(evidence),
    )


def share(id: str, title: str, stated: Decimal, part: Decimal, whole: Decimal, *, evidence: Sequence[Evidence] = ()) -> CheckResult:
    """“占 X%”: a stated share against part ÷ whole at its stated precision; a difference is a warn (the whole may be read wrong)."""
    computed = part / whole * 100
    status = rate_status(stated, computed)
    shown = f"{amount(part)} ÷ {amount(whole)} = {half_up(computed)}%"
    return rate(
        id,
        title,
        stated,
        computed,
        agree=f"占比相符: 报告称占 {stated}%，{shown}",
        differ=f"占比不符: 报告称占 {stated}%，但 {shown}",
        evidence=evidence,
        status=status if status is Status.passed else Status.warn,
    )


def change(
    id: str, title: str, stated: Decimal, current: Decimal, previous: Decimal, *, certain: bool = True, evidence: Sequence[Evidence] = ()
) -> CheckResult:
    """A stated change (比上年增加 X 万元) against this year − last year, within what rounding explains.

    A difference is a fail when the change is certainly about these two figures (``certain``), else a warn.
    """
    diff = current - previous
    tol = rounding_tolerance([current, previous, stated])
    years = f"{amount(current)} − {amount(previous)} = {amount(diff)} 万元"
    return judged(
        id,
        title,
        abs(diff - stated) <= tol,
        Status.fail if certain else Status.warn,
        Reason.change_mismatch,
        f"增减额相符: {years}",
        f"增减额不符: 报告称{'增加' if stated >= 0 else '减少'} {amount(abs(stated))} 万元，但 {years}（报告{direction(stated - diff, '万元')}）",
        expected=diff,
        observed=stated,
        difference=stated - diff,
        tolerance=tol,
        unit="万元",
        evidence=tuple(evidence),
    )


def _measured(
    id: str, title: str, ok: bool, expected, observed, tolerance, *, unit: str, over: Status, reason: Reason, **words
) -> CheckResult:
    numbers = {"expected": expected, "observed": observed, "difference": observed - expected, "tolerance": tolerance}
    evidence = tuple(words.pop("evidence", ()))
    return judged(id, title, ok, over, reason, words["agree"], words["differ"], unit=unit, evidence=evidence, **numbers)


def within(
    id: str,
    title: str,
    observed: Decimal,
    limit: Decimal,
    *,
    unit: str = "万元",
    over: Status = Status.fail,
    reason: Reason = Reason.over_control,
    **words,
) -> CheckResult:
    """An amount against the limit it must not exceed (三公 against control, spending against appropriation).

    Args:
        words: ``agree`` and ``differ`` (the messages), and ``evidence``.

    Returns:
        A pass at or under the limit; else ``over`` (a fail by default) with ``reason``.
    """
    return _measured(id, title, observed <= limit, limit, observed, ZERO, unit=unit, over=over, reason=reason, **words)


def count(
    id: str,
    title: str,
    expected: int | Decimal,
    observed: int | Decimal,
    *,
    unit: str,
    over: Status = Status.fail,
    reason: Reason = Reason.count_mismatch,
    **words,
) -> CheckResult:
    """A number of things stated against the number counted (“共 N 个目标”, “等 4 个”): equal, or ``over`` (a fail).

    Args:
        words: ``agree`` and ``differ`` (the messages), and ``evidence``.
    """
    zero = ZERO if isinstance(expected, Decimal) else 0
    return _measured(id, title, observed == expected, expected, observed, zero, unit=unit, over=over, reason=reason, **words)


def claim(
    id: str,
    title: str,
    holds: bool,
    *,
    agree: str,
    differ: str,
    evidence: Sequence[Evidence] = (),
    unit: str = "",
    expected: Number = None,
    observed: Number = None,
    tolerance: Number = None,
) -> CheckResult:
    """Words against figures (“未超过预算”, “所有目标均已完成”, “已支付”): a pass when the figures bear them out, else a fail."""
    difference = None if expected is None or observed is None else observed - expected
    numbers = {"expected": expected, "observed": observed, "difference": difference, "tolerance": tolerance}
    return judged(id, title, holds, Status.fail, Reason.claim_contradicted, agree, differ, unit=unit, evidence=tuple(evidence), **numbers)


def differs(
    id: str, title: str, observed: Decimal, expected: Decimal, *, message: str, unit: str, evidence: Sequence[Evidence], reason: Reason
) -> CheckResult:
    """One figure that two sources give differently (the report and its params, two documents): a warn naming both."""
    return CheckResult(
        id=id,
        title=title,
        status=Status.warn,
        message=message,
        expected=expected,
        observed=observed,
        difference=observed - expected,
        tolerance=Decimal(0),
        unit=unit,
        evidence=tuple(evidence),
        reason=reason,
    )


def note(
    id: str, title: str, message: str, *, status: Status = Status.passed, unit: str = "", reason: Reason = Reason.ok, **numbers: Any
) -> CheckResult:
    """A record that compares nothing: a tally (“12 项一致”), a figure found, a figure not found, a text partly read."""
    return CheckResult(id=id, title=title, status=status, message=message, unit=unit, reason=reason, **numbers)


def not_run(id: str, title: str, lacking: Sequence[str]) -> CheckResult:
    """A check that could not run because the figures ``lacking`` (Chinese names) are not given: 未执行, never a guess."""
    return note(id, title, f"未执行：缺少 {'、'.join(dict.fromkeys(lacking))}", status=Status.skipped, reason=Reason.not_found)


def not_found(id: str, title: str, message: str, *, status: Status = Status.warn) -> CheckResult:
    """A figure a check needs that the report does not state: a warn (the check did not run), never a guess."""
    return note(id, title, message, status=status, reason=Reason.not_found)
