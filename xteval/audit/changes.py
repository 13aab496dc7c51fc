"""Stated changes and rates against the figures they are computed from.

比上年增加 X 万元，增长 Y%; 完成年初预算的 Y%; 较年初预算减少 N 万元，下降 Y%; 占 X%. Each stated
figure is checked as written, at the precision it is stated (a rate of 41 万元 ÷ 59 万元 may be
anything the rounding of both allows). Split from :mod:`.reconcile`, which checks totals,
三公 and goals over the same facts.
"""

from __future__ import annotations

from decimal import Decimal

from .. import checks
from ..checks import CheckResult, Evidence, Reason, Status, amount, direction, rate_status, rounding_tolerance, stated_places
from ..money import half_up
from .engine import Document, Fact
from .reconcile import HUNDRED, _ev, _pct


def change_checks(doc: Document) -> list[CheckResult]:
    """比上年增加 X 万元，增长 Y%: X against this year − last year (when last year is stated),
    Y against X ÷ last year (last year = this year − X when it is not stated). Never a total."""
    out = []
    for ch in [f for f in doc.facts if f.field.endswith(".change")]:
        base, name = ch.field.removesuffix(".change"), ch.name  # a named part's change is of that part
        cur, prev, rate = doc.one(base, name), doc.one(base + ".previous", name), doc.one(base + ".change_rate", name)
        change = doc.one(ch.field, name)
        if change is None or change is not ch:
            continue
        base = cur.path if cur is not None else base
        if cur is not None and prev is not None:
            out.append(
                checks.change(
                    f"change.{base}",
                    f"{base}：增减额 = 本年 − 上年",
                    change.value,
                    cur.value,
                    prev.value,
                    certain=change.certain,
                    evidence=_ev(change, cur, prev),
                )
            )
        if rate is None:
            continue
        last = prev.value if prev is not None else (cur.value - change.value if cur is not None else None)
        if last is None or last <= 0:
            continue
        computed = change.value / last * HUNDRED
        status = rate_status(rate.value, computed)
        if status is Status.warn:
            status = Status.passed if abs(computed - rate.value) < Decimal(1).scaleb(-stated_places(rate.value)) else status
        out.append(
            _stated_rate(
                f"change_rate.{base}",
                f"{base}：增减率 = 增减额 ÷ 上年",
                "增减率",
                (rate, change, last, "上年"),
                status,
                certain=rate.certain and change.certain,
                note=f"（报告{direction(rate.value - half_up(computed), '个百分点')}）",
                evidence=_ev(rate, change, cur, prev),
            )
        )
    return out


def _stated_rate(
    check_id: str,
    title: str,
    word: str,
    figures: tuple[Fact, Fact, Decimal, str],
    status: Status,
    *,
    certain: bool,
    note: str,
    evidence: tuple[Evidence, ...],
) -> CheckResult:
    """A stated rate of change (``figures``: the rate, the change, what it is measured against and that
    figure's name) as one record. A rise stated as a fall, or the reverse, fails at any size, but only a
    warn when a figure was read from an earlier sentence (not certain)."""
    stated, change, whole, whole_word = figures
    computed = change.value / whole * HUNDRED
    if (stated.value < 0) != (change.value < 0) and stated.value and change.value:
        status = Status.fail
    if status is Status.fail and not certain:
        status = Status.warn
    return checks.rate(
        check_id,
        title,
        stated.value,
        computed,
        agree=f"{word}相符: {amount(change.value)} ÷ {amount(whole)} = {_pct(computed)}",
        differ=f"{word}不符: 报告称 {stated.value}%，但 {amount(change.value)} ÷ {whole_word} {amount(whole)} = {_pct(computed)}{note}",
        evidence=evidence,
        status=status,
        reason=Reason.change_mismatch,
    )


def _budget_of(doc: Document, field: str, name: str | None = None) -> Fact | None:
    """The budget a figure is measured against: ``F.budget`` (of the same named part), or the 三公 control of an actual."""
    b = doc.one(field + ".budget", name)
    if b is None and field.startswith("three_public.actual."):
        b = doc.one(field.replace(".actual.", ".control."))
    return b


def budget_rate_checks(doc: Document) -> list[CheckResult]:
    """完成预算的 Y% against 决算 ÷ 预算; 决算数大于预算数 N against 决算 − 预算; 完成年初预算100% against both."""
    out = []
    for rf in [f for f in doc.facts if f.field.endswith(".budget_rate")]:
        base, name = rf.field.removesuffix(".budget_rate"), rf.name  # a named part's (a 科目's) rate is of that part
        cur, budget, diff = doc.one(base, name), _budget_of(doc, base, name), doc.one(base + ".budget_diff", name)
        if cur is None or doc.one(rf.field, name) is not rf:
            continue
        base = cur.path
        if budget is not None and budget.value:
            computed = cur.value / budget.value * HUNDRED
            out.append(
                checks.rate(
                    f"budget_rate.{base}",
                    f"{base}：完成预算比例 = 决算 ÷ 预算",
                    rf.value,
                    computed,
                    agree=f"完成预算比例相符: {amount(cur.value)} ÷ {amount(budget.value)} = {_pct(computed)}",
                    differ=f"完成预算比例不符: 报告称 {rf.value}%，但 {amount(cur.value)} ÷ 预算 {amount(budget.value)} = {_pct(computed)}",
                    evidence=_ev(rf, cur, budget),
                )
            )
        elif diff is not None and cur.value - diff.value > 0:
            out.append(_budget_claim(base, rf, cur, diff))
    return out + _budget_diff_checks(doc) + budget_diff_rate_checks(doc)


def _budget_claim(base: str, rf: Fact, cur: Fact, diff: Fact) -> CheckResult:
    """“完成预算 Y%” against the budget that “决算数大于/小于预算数 N” implies (决算 − N)."""
    implied = cur.value - diff.value
    computed = cur.value / implied * HUNDRED
    return checks.rate(
        f"budget_claim.{base}",
        f"{base}：“完成预算 Y%”与“决算数大于/小于预算数”一致",
        rf.value,
        computed,
        agree=f"表述一致: 预算 {amount(implied)}，决算 {amount(cur.value)}，完成 {_pct(computed)}",
        differ=f"表述与数字矛盾: 称完成预算 {rf.value}%，同处又称决算数{'大于' if diff.value > 0 else '小于'}预算数 "
        f"{amount(abs(diff.value))} 万元，即预算 {amount(implied)}、完成 {_pct(computed)}",
        evidence=_ev(rf, diff, cur),
        strict=True,
        reason=Reason.claim_contradicted,
    )


def _budget_diff_checks(doc: Document) -> list[CheckResult]:
    """决算数大于/小于预算数 N against 决算 − 预算, within what rounding explains."""
    out = []
    for df in [f for f in doc.facts if f.field.endswith(".budget_diff")]:
        base, name = df.field.removesuffix(".budget_diff"), df.name
        cur, budget = doc.one(base, name), _budget_of(doc, base, name)
        if cur is None or budget is None or doc.one(df.field, name) is not df:
            continue
        base = cur.path
        computed = cur.value - budget.value
        tol = rounding_tolerance([cur.value, budget.value, df.value])
        out.append(
            checks.claim(
                f"budget_diff.{base}",
                f"{base}：决算与预算之差",
                abs(computed - df.value) <= tol,
                agree=f"决算 {amount(cur.value)} − 预算 {amount(budget.value)} = {amount(computed)} 万元，与所称相符",
                differ=f"决算与预算之差不符: 报告称 {amount(df.value)}，但 {amount(cur.value)} − {amount(budget.value)} = {amount(computed)} 万元",
                expected=computed,
                observed=df.value,
                tolerance=tol,
                unit="万元",
                evidence=_ev(df, cur, budget),
            )
        )
    return out


def _half_unit(v: Decimal) -> Decimal:
    """Half a unit of a figure's last stated decimal (41 万元 may be 40.5 to 41.5)."""
    return Decimal(1).scaleb(min(v.as_tuple().exponent, 0)) / 2


def _rate_range(num: Decimal, den: Decimal) -> tuple[Decimal, Decimal] | None:
    """The rates ``num ÷ den`` (in %) that the two figures, each rounded as stated, allow; None when den may be 0."""
    tn, td = _half_unit(num), _half_unit(den)
    if abs(den) <= td:
        return None
    rates = [(n / d * HUNDRED) for n in (num - tn, num + tn) for d in (den - td, den + td)]
    return min(rates), max(rates)


def budget_diff_rate_checks(doc: Document) -> list[CheckResult]:
    """较年初预算减少 N 万元，下降 Y%: Y against N ÷ 预算 (预算 = 决算 − N when it is not stated), as rounding allows."""
    out = []
    for rf in [f for f in doc.facts if f.field.endswith(".budget_diff_rate")]:
        base, name = rf.field.removesuffix(".budget_diff_rate"), rf.name
        cur, diff, budget = doc.one(base, name), doc.one(base + ".budget_diff", name), _budget_of(doc, base, name)
        if doc.one(rf.field, name) is not rf or diff is None or (budget is None and cur is None):
            continue
        base = cur.path if cur is not None else base
        den = budget.value if budget is not None else cur.value - diff.value
        bounds = _rate_range(diff.value, den)
        if bounds is None or den <= 0:
            continue
        computed = diff.value / den * HUNDRED
        step = Decimal(1).scaleb(-stated_places(rf.value)) / 2
        inside = bounds[0] - step <= rf.value <= bounds[1] + step
        status = rate_status(rf.value, computed)
        if status is not Status.passed:
            status = Status.passed if inside else Status.fail
        out.append(
            _stated_rate(
                f"budget_diff_rate.{base}",
                f"{base}：较预算增减率 = 增减额 ÷ 预算",
                "较预算增减率",
                (rf, diff, den, "预算"),
                status,
                certain=True,
                note=f"（按所列数字的舍入，可为 {_pct(bounds[0])} 至 {_pct(bounds[1])}）",
                evidence=_ev(rf, diff, cur, budget),
            )
        )
    return out


def share_checks(doc: Document) -> list[CheckResult]:
    """占 X%: the part ÷ the parent the text names (or the list's total) at the stated precision; a warn when off."""
    out = []
    for sf in [f for f in doc.facts if f.field.endswith(".share") and f.of]:
        base = sf.field.removesuffix(".share")
        part, parent = doc.one(base, sf.name), doc.one(sf.of)
        if part is None or parent is None or not parent.value:
            continue
        r = checks.share(
            f"share.{part.path}.L{sf.line}",
            f"{part.path} 占 {sf.of} 的比例",
            sf.value,
            part.value,
            parent.value,
            evidence=_ev(sf, part, parent),
        )
        if not r.passed:  # a share that holds adds nothing to read
            out.append(r)
    return out
