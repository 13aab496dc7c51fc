"""Department-year checks on a params model: identities, 三公 against control, rates, claims, goals.

Each check is a small function that takes a ``DepartmentParams`` (or a model of
the same shape extracted from a report, where a figure not found is ``None``)
and returns :class:`~xteval.checks.CheckResult` records. Each is registered (entry points
``department.*`` of the group ``xteval.checks``) and the model declares, in ``checks.yaml``,
which run and in what order; :func:`department_checks` runs them on a params model.
Thresholds come from ``xteval/rules/checks.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .. import checks, rules
from ..checks import CheckResult, Context, Evidence, Reason, Status, Suite, amount, balance, direction, judged, rounding_tolerance, run
from ..money import ZERO, N, fmt_rate, half_up
from ..params import ParamsBase
from ..yamlio import load_yaml
from .model import THREE_PUBLIC_PARTS


def _ev(*figures) -> tuple[Evidence, ...]:
    return tuple(Evidence(f.seed, f.line) for f in figures if f is not None and f.seed)


def _v(fig) -> Decimal | None:
    """The value of a figure, or None when the figure was not found."""
    return None if fig is None else fig.value


def _lacking(*figures: tuple[str, Any]) -> list[str]:
    """The Chinese names of the figures that are not given (None)."""
    return [name for name, fig in figures if fig is None]


def _balance_found(id: str, title: str, total: tuple[str, Any], parts: Sequence[tuple[str, Any]]) -> list[CheckResult]:
    """:func:`balance` on figures, or 未执行 naming the ones not given (an audit lists them as not found instead)."""
    lacking = _lacking(total, *parts)
    if lacking:
        return [checks.not_run(id, title, lacking)]
    figs = [total[1], *(f for _, f in parts)]
    return [
        balance(
            id,
            title,
            (total[0], total[1].value),
            [(n, f.value) for n, f in parts],
            evidence=_ev(*figs),
        )
    ]


def identity_checks(p) -> list[CheckResult]:
    """Every total = parts identity of a department-year (income, spending, 三公).

    A figure the report does not give (``None`` in a model extracted from text)
    skips the identities it takes part in; the extractor lists it as not found.
    """
    inc, exp, tp = p.income, p.expenditure, p.three_public
    out = []
    for id, (total, total_name), parts in (
        ("income.total", (inc.total, "总收入"), [("财政拨款收入", inc.fiscal_appropriation), ("其他收入", inc.other_income)]),
        (
            "income.fiscal_appropriation",
            (inc.fiscal_appropriation, "财政拨款收入"),
            [("年初预算", inc.initial_budget), ("年中追加", inc.midyear_addition)],
        ),
        ("expenditure.total", (exp.total, "支出总额"), [("基本支出", exp.basic), ("项目支出", exp.project)]),
        ("expenditure.basic", (exp.basic, "基本支出"), [("人员经费", exp.personnel), ("公用经费", exp.public_operation)]),
    ):
        out += _balance_found(id, f"{total_name} = " + " + ".join(n for n, _ in parts), (total_name, total), parts)
    if exp.project_parts:  # no 明细 listed (a 决算说明 rarely lists them): nothing to add up, not a check left undone
        out += _balance_found(
            "expenditure.project",
            "项目支出 = " + " + ".join(x.name for x in exp.project_parts),
            ("项目支出", exp.project),
            [(x.name, x) for x in exp.project_parts],
        )
    for key, name in (("control", "控制数"), ("actual", "实际支出")):
        s = getattr(tp, key, None)
        title = f"三公经费{name} = 公务接待费 + 公务用车运行费 + 出国出境费"
        if s is not None and s.vehicle_purchase is not None:
            title = f"三公经费{name} = 公务接待费 + 公务用车运行费 + 公务用车购置费 + 出国出境费"
        if s is None:
            out.append(checks.not_run(f"three_public.{key}", title, [f"三公经费{name}"]))
            continue
        parts = [(f"{name}·公务接待费", s.reception), (f"{name}·公务用车运行费", s.vehicle)]
        if s.vehicle_purchase is not None:
            parts.append((f"{name}·公务用车购置费", s.vehicle_purchase))
        if s.overseas is not None:
            parts.append((f"{name}·出国出境费", s.overseas))
        out += _balance_found(f"three_public.{key}", title, (f"三公经费{name}", s.total), parts)
    return out


# --------------------------------------------------------------------------- claims and rates


def _pct(v: Decimal) -> str:
    """A percentage to 2 decimals, half-up."""
    return fmt_rate(v)


def header_check(p) -> list[CheckResult]:
    """The header table's 年度预算金额 equals 财政拨款收入."""
    head, fa = getattr(p, "budget_header", None), p.income.fiscal_appropriation
    lacking = _lacking(("年度预算金额", head), ("财政拨款收入", fa))
    if lacking:
        return [checks.not_run("budget_header", "表头年度预算金额 = 财政拨款收入", lacking)]
    r = balance(
        "budget_header",
        "表头年度预算金额 = 财政拨款收入",
        ("年度预算金额", head.value),
        [("财政拨款收入", fa.value)],
        evidence=_ev(head, fa),
    )
    return [replace(r, reason=Reason.ok if r.passed else Reason.header_mismatch)]


def three_public_control_check(p) -> list[CheckResult]:
    """三公 actual ≤ control, by part and in total, and any sentence that claims it."""
    tp = p.three_public
    if tp is None or tp.control is None or tp.actual is None:
        lacking = _lacking(("三公经费控制数", getattr(tp, "control", None)), ("三公经费实际支出", getattr(tp, "actual", None)))
        return [checks.not_run("three_public.within_control.total", "三公经费：实际支出 ≤ 控制数", lacking)]
    out, over = [], []
    for key, name in (("total", "合计"), *THREE_PUBLIC_PARTS):
        c, a = getattr(tp.control, key), getattr(tp.actual, key)
        if c is None or a is None:
            continue
        diff = a.value - c.value
        r = checks.within(
            f"three_public.within_control.{key}",
            f"三公经费{name}：实际支出 ≤ 控制数",
            a.value,
            c.value,
            agree=f"{name}实际支出 {amount(a.value)} ≤ 控制数 {amount(c.value)} 万元（余 {amount(-diff)} 万元）",
            differ=f"{name}超控制数: 实际支出 {amount(a.value)} > 控制数 {amount(c.value)} ({direction(diff, '万元')})",
            evidence=_ev(c, a),
        )
        if not r.passed:
            over.append(name)
        out.append(r)
    claim = tp.within_control_claim
    if claim is not None and claim.value and out:
        out.append(
            checks.claim(
                "three_public.claim",
                "“未超过控制数”的表述与数字相符",
                not over,
                agree="报告称未超过控制数，各项实际支出均不超过控制数",
                differ=f"报告称未超过控制数，但{'、'.join(over)}超过控制数",
                evidence=_ev(claim),
            )
        )
    return out


def execution_rates(p) -> dict[str, tuple[str, Decimal]]:
    """预算执行率 in % under each common definition: id → (name, rate); a zero denominator is skipped."""
    spend = _v(p.expenditure.total)
    denominators = {"fiscal_appropriation": _v(p.income.fiscal_appropriation), "total_income": _v(p.income.total)}
    out = {}
    for d in rules.checks()["execution_rate"]["definitions"]:
        base = denominators[d["id"]]
        if spend is not None and base:
            out[d["id"]] = (d["name"], spend / base * 100)
    return out


def _stated_places(v: Decimal) -> int:
    """How many decimals a figure was stated with."""
    return max(0, -v.as_tuple().exponent)


def execution_rate_check(p) -> list[CheckResult]:
    """The stated 预算执行率 against the rate computed under each definition, at its stated precision.

    A stated ``99%`` is read as rounded half-up to the unit (GB/T 8170): it
    covers [98.5, 99.5). It passes when some definition rounds to it; it is a
    warn when only truncation explains it (99.98% → 99%); otherwise it fails.
    A rate above 100% of 财政拨款收入 is a separate warn.
    """
    stated = p.claims.execution_rate if p.claims is not None else None
    rates = execution_rates(p)
    out: list[CheckResult] = []
    if stated is not None and rates:
        places = _stated_places(stated.value)
        unit_step = Decimal(1).scaleb(-places)
        rounded = {k: half_up(r, places) == stated.value for k, (_, r) in rates.items()}
        truncated = {k: r.quantize(unit_step, rounding=ROUND_DOWN) == stated.value for k, (_, r) in rates.items()}
        key = min(rates, key=lambda k: abs(rates[k][1] - stated.value))
        name, closest = rates[key]
        diff = half_up(stated.value - closest)
        listing = "；".join(f"{n} = {_pct(r)}" for n, r in rates.values())
        cfg = rules.checks()["execution_rate"]
        if any(rounded.values()):
            status, reason = Status.passed, Reason.ok
            msg = f"报告所称预算执行率 {stated.value}% 与计算值相符（{listing}）"
        elif any(truncated.values()):
            status, reason = Status(cfg["truncation_status"]), Reason.rate_mismatch
            msg = (
                f"预算执行率按四舍五入不符: 报告 {stated.value}% ≠ 计算值（{listing}）；最接近的 {name} {_pct(closest)} "
                f"四舍五入为 {half_up(closest, places)}%，仅截尾才得 {stated.value}%（报告{direction(diff, '个百分点')}）"
            )
        else:
            status, reason = Status(cfg["mismatch_status"]), Reason.rate_mismatch
            msg = (
                f"预算执行率不符: 报告 {stated.value}% ≠ 计算值（{listing}），按所述精度（±{unit_step / 2}）任一口径均不能得出；"
                f"与最接近的 {name} 相比{direction(diff, '个百分点')}"
            )
        out.append(
            CheckResult(
                id="execution_rate",
                title="预算执行率：报告所称 = 计算值（按所述精度）",
                status=status,
                message=msg,
                expected=half_up(closest),
                observed=stated.value,
                difference=diff,
                tolerance=unit_step / 2,
                unit="%",
                evidence=_ev(stated, p.expenditure.total, p.income.fiscal_appropriation, p.income.total),
                reason=reason,
            )
        )
    if stated is not None and not rates:
        lacking = _lacking(("支出总额", p.expenditure.total), ("财政拨款收入或总收入", p.income.fiscal_appropriation or p.income.total))
        out.append(checks.not_run("execution_rate", "预算执行率：报告所称 = 计算值（按所述精度）", lacking))
    if "fiscal_appropriation" not in rates:
        lacking = _lacking(("支出总额", p.expenditure.total), ("财政拨款收入", p.income.fiscal_appropriation))
        out.append(checks.not_run("execution_rate.within_appropriation", "支出总额 ≤ 财政拨款收入", lacking or ["非零的财政拨款收入"]))
    else:
        rate = rates["fiscal_appropriation"][1]
        spend, fa = p.expenditure.total.value, p.income.fiscal_appropriation.value
        out.append(
            checks.within(
                "execution_rate.within_appropriation",
                "支出总额 ≤ 财政拨款收入",
                spend,
                fa,
                agree=f"支出总额 {amount(spend)} ≤ 财政拨款收入 {amount(fa)} 万元（执行率 {_pct(rate)}）",
                differ=f"支出超过财政拨款收入: 支出总额 {amount(spend)} > 财政拨款收入 {amount(fa)} 万元"
                f"（{direction(spend - fa, '万元')}，执行率 {_pct(rate)}），超出部分应由其他收入或上年结转解释",
                evidence=_ev(p.expenditure.total, p.income.fiscal_appropriation),
                over=Status.warn,
                reason=Reason.rate_mismatch,
            )
        )
    return out


def execution_score_check(p) -> list[CheckResult]:
    """The stated 预算执行 score against the proportional rule applied to the stated rate (warn)."""
    claims = p.claims
    score, rate = (claims.execution_score, claims.execution_rate) if claims is not None else (None, None)
    if score is None or rate is None:
        return []
    cfg = rules.checks()["execution_score"]
    cap = N(cfg["cap_percent"])
    expected = half_up(score.max * min(rate.value, cap) / 100)
    diff = score.score - expected
    ok = diff == 0
    others = "；".join(f"按{n} {_pct(r)} 为 {half_up(score.max * min(r, cap) / 100)} 分" for n, r in execution_rates(p).values())
    agree = f"得分 {score.score} 分 = 分值 {score.max} × 执行率 {rate.value}%"
    differ = f"预算执行得分不符: 报告 {score.score} 分 ≠ {score.max} × {rate.value}% = {expected} 分（{direction(diff, '分')}）；"
    differ += f"{others}。{rules.note('execution_score')}"
    numbers = {
        "expected": expected,
        "observed": score.score,
        "difference": diff,
        "tolerance": ZERO,
        "unit": "分",
        "evidence": _ev(score, rate),
    }
    return [
        judged(
            "execution_score",
            "预算执行得分 = 分值 × 预算执行率",
            ok,
            Status(cfg["status"]),
            Reason.score_mismatch,
            agree,
            differ,
            **numbers,
        )
    ]


def carryover_check(p) -> list[CheckResult]:
    """结转结余 against 总收入 − 支出总额 (warn: 年初结转 is not in the report)."""
    co = getattr(p, "carryover", None)
    fiscal = None if co is None else co.fiscal
    total, spend, fa = p.income.total, p.expenditure.total, p.income.fiscal_appropriation
    lacking = _lacking(("结转结余", fiscal), ("总收入", total), ("支出总额", spend))
    if lacking:
        return [checks.not_run("carryover", "结转结余 = 总收入 − 支出总额", lacking)]
    expected = total.value - spend.value
    diff = fiscal.value - expected
    tol = rounding_tolerance([total.value, spend.value, fiscal.value])
    ok = diff == 0  # a rounding-sized difference is still shown (warn), as balance() does
    extra = f"；按财政拨款口径 财政拨款收入 − 支出总额 = {amount(fa.value - spend.value)} 万元" if fa is not None else ""
    msg = (
        f"结转结余 {amount(fiscal.value)} = 总收入 − 支出总额 {amount(expected)} 万元"
        if ok
        else f"结转结余不符: 报告 {amount(fiscal.value)} ≠ 总收入 − 支出总额 {amount(expected)} 万元（{direction(diff, '万元')}"
        f"{'，在舍入容差内' if abs(diff) <= tol else ''}）{extra}"
    )
    numbers = {"expected": expected, "observed": fiscal.value, "difference": diff, "tolerance": tol}
    otherwise = Status(rules.checks()["carryover"]["status"])
    title = "结转结余 = 总收入 − 支出总额"
    return [
        judged(
            "carryover",
            title,
            ok,
            otherwise,
            Reason.carryover_mismatch,
            msg,
            msg,
            unit="万元",
            evidence=_ev(fiscal, total, spend),
            **numbers,
        )
    ]


def adjustment_rate_check(p) -> list[CheckResult]:
    """年中追加 ÷ 年初预算 (the Hunan tables' 预算控制率), banded, even when the report excludes it from 53号's 预算调整数."""
    add, init = p.income.midyear_addition, p.income.initial_budget
    title = "年中追加占年初预算比例（预算控制率）"
    lacking = _lacking(("年中追加", add), ("年初预算", init))
    if lacking:
        return [checks.not_run("adjustment_rate", title, lacking)]
    if not init.value:
        return [checks.not_run("adjustment_rate", title, ["非零的年初预算"])]
    cfg = rules.checks()["adjustment_rate"]
    rate = add.value / init.value * 100
    band = next(b for b in cfg["bands"] if b["up_to"] is None or rate <= b["up_to"])
    status = Status(band["status"])
    claim = p.claims.adjustment_not_counted if p.claims is not None else None
    msg = f"年中追加 {amount(add.value)} ÷ 年初预算 {amount(init.value)} 万元 = {_pct(rate)}，{band['label']}"
    if claim is not None:
        msg += "；报告称“未记入预算调整数”：财预〔2013〕53号的预算调整数不含落实政策、党委政府临时交办等调整，须核对批复文件确认属于此类"
    return [
        CheckResult(
            id="adjustment_rate",
            title="年中追加占年初预算比例（预算控制率）",
            status=status,
            message=f"{msg}。{rules.note('adjustment_rate')}",
            expected=None,
            observed=half_up(rate),
            difference=None,
            tolerance=N(band["up_to"]) if band["up_to"] is not None else None,
            unit="%",
            evidence=_ev(add, init, claim),
            reason=Reason.ok if status is Status.passed else Reason.large_adjustment,
        )
    ]


# --------------------------------------------------------------------------- goals


def _no_goals(p, id: str, title: str) -> list[CheckResult]:
    """未执行 for want of goals on a params file; nothing on the goals a reader gathered from a text (it names what it did not find)."""
    return [checks.not_run(id, title, ["绩效目标"])] if isinstance(p, ParamsBase) else []


def _goal_not_run(p, i: int, g) -> list[CheckResult]:
    """未执行 for a quantified goal of a params file whose 指标值 or 完成值 is not given (a qualitative one is judged, not computed)."""
    if g.kind == "qualitative" or not isinstance(p, ParamsBase):
        return []
    lacking = _lacking(("指标值", g.target), ("完成值", g.actual)) or ["非零的完成值" if g.kind == "reverse" else "非零的指标值"]
    return [checks.not_run(f"goals[{i}].achievement", f"绩效指标完成情况：{g.name}", lacking)]


def goal_count_check(p) -> list[CheckResult]:
    """“共设置 N 个绩效目标” against the goals listed."""
    stated = p.claims.goal_count if p.claims is not None else None
    if stated is None:
        return []
    if not p.goals:
        return _no_goals(p, "goals.count", "所称绩效目标个数 = 列示的目标个数")
    listed = len(p.goals)
    diff = stated.value - listed
    names = "、".join(g.name for g in p.goals) or "无"
    return [
        checks.count(
            "goals.count",
            "所称绩效目标个数 = 列示的目标个数",
            Decimal(listed),
            stated.value,
            agree=f"报告称 {stated.value} 个绩效目标，列示 {listed} 个",
            differ=f"绩效目标个数不符: 报告称 {stated.value} 个 ≠ 可识别的 {listed} 个（{'多' if diff > 0 else '少'} {abs(diff)} 个）：{names}",
            unit="个",
            evidence=_ev(stated),
            over=Status(rules.checks()["goal_count"]["status"]),
            reason=Reason.goal_count_mismatch,
        )
    ]


def _achievement(goal) -> Decimal | None:
    """完成值 ÷ 指标值 for a quantified goal (inverted for reverse indicators), or None."""
    if goal.target is None or goal.actual is None or goal.kind == "qualitative":
        return None
    t, a = goal.target.value, goal.actual.value
    if goal.kind == "reverse":
        return t / a if a else None
    return a / t if t else None


_TARGET_LOW = ("偏低", "设定偏低", "预估偏低", "指标值偏低")


def goal_achievement_check(p) -> list[CheckResult]:
    """Over-achievement (≥ 130% of 指标值, or admitted too-low target) and under-achievement, per goal."""
    over, under = rules.checks()["over_achievement"], rules.checks()["under_achievement"]
    if not p.goals:
        return _no_goals(p, "goals.achievement", "绩效指标完成情况")
    out = []
    for i, g in enumerate(p.goals):
        ratio = _achievement(g)
        if ratio is None:
            out += _goal_not_run(p, i, g)
            continue
        admits_low = any(w in (g.evidence or "") for w in _TARGET_LOW)
        pct = ratio * 100
        vs = f"完成值 {g.actual.value}{g.unit} ÷ 指标值 {g.target.value}{g.unit} = {_pct(pct)}"
        if g.kind == "equal" and g.actual.value != g.target.value:
            status, reason = Status(under["status"]), Reason.under_achievement
            msg = f"“{g.name}”未达到等值指标: 完成值 {g.actual.value} ≠ 指标值 {g.target.value}{g.unit}"
        elif ratio >= over["ratio"]:
            status, reason = Status(over["status"]), Reason.over_achievement
            msg = f"“{g.name}”超额完成: {vs} ≥ {_pct(over['ratio'] * 100)}，指标值可能设定偏低，须在偏差原因中说明。{rules.note('over_achievement')}"
        elif admits_low and ratio > 1:
            status, reason = Status(over["status"]), Reason.over_achievement
            msg = (
                f"“{g.name}”报告自认指标值设定偏低: {vs}，虽低于 {_pct(over['ratio'] * 100)}，"
                f"须在偏差原因中说明指标值为何偏低。{rules.note('over_achievement')}"
            )
        elif ratio < under["ratio"]:
            status, reason = Status(under["status"]), Reason.under_achievement
            msg = f"“{g.name}”未完成: {vs} < 100%（少 {_pct(100 - pct)}），应按完成比例计分并说明原因"
        else:
            status, reason = Status.passed, Reason.ok
            msg = f"“{g.name}”完成: {vs}"
        out.append(
            CheckResult(
                id=f"goals[{i}].achievement",
                title=f"绩效指标完成情况：{g.name}",
                status=status,
                message=msg,
                expected=g.target.value,
                observed=g.actual.value,
                difference=g.actual.value - g.target.value,
                tolerance=None,
                unit=g.unit,
                evidence=_ev(g.actual, g.target) or ((Evidence(g.evidence),) if g.evidence else ()),
                reason=reason,
            )
        )
    return out


def goals_completed_claim_check(p) -> list[CheckResult]:
    """“所有目标均已完成” against the 完成值 of the goals listed."""
    claim = p.claims.all_goals_completed if p.claims is not None else None
    if claim is None or not claim.value:
        return []
    if not p.goals:
        return _no_goals(p, "goals.all_completed_claim", "“所有目标均已完成”的表述与完成值相符")
    measured = [(g, _achievement(g)) for g in p.goals]
    missed = [g.name for g, r in measured if r is not None and (r < 1 or (g.kind == "equal" and g.actual.value != g.target.value))]
    n = sum(r is not None for _, r in measured)
    return [
        checks.claim(
            "goals.all_completed_claim",
            "“所有目标均已完成”的表述与完成值相符",
            not missed,
            agree=f"报告称所有目标均已完成；可核对的 {n} 个目标均达到指标值",
            differ=f"报告称所有目标均已完成，但 {len(missed)} 个未达到指标值：{'、'.join(missed)}",
            expected=Decimal(n),
            observed=Decimal(n - len(missed)),
            tolerance=ZERO,
            unit="个",
            evidence=_ev(claim),
        )
    ]


# --------------------------------------------------------------------------- registered


def _on_model(check: Callable[[Any], list[CheckResult]]) -> Callable[[Context], list[CheckResult]]:
    """A check over the department model as a registered check over a :class:`Context` (its ``model``)."""

    def over_context(ctx: Context) -> list[CheckResult]:
        results = check(ctx.model)
        if ctx.extraction is not None:  # on a report's text: extract.not_found names each figure the text lacks instead
            return [r for r in results if r.status is not Status.skipped]
        return results

    over_context.__doc__ = check.__doc__
    over_context.__name__ = check.__name__
    return over_context


# The registered checks (entry points ``department.*`` of the group ``xteval.checks``); the model
# declares which run, in order, in ``checks.yaml`` beside this module.
identities = _on_model(identity_checks)
header = _on_model(header_check)
three_public = _on_model(three_public_control_check)
execution_rate = _on_model(execution_rate_check)
execution_score = _on_model(execution_score_check)
carryover = _on_model(carryover_check)
adjustment_rate = _on_model(adjustment_rate_check)
goal_count = _on_model(goal_count_check)
goal_achievement = _on_model(goal_achievement_check)
goals_completed_claim = _on_model(goals_completed_claim_check)

DECLARATION = Path(__file__).with_name("checks.yaml")


@cache
def declared() -> tuple[str, ...]:
    """The registered checks the department model declares (``checks.yaml``), in the order a report shows them."""
    return tuple(load_yaml(DECLARATION)["checks"])


def department_checks(p) -> Suite:
    """Run every check the department model declares on a params model.

    Args:
        p: a ``DepartmentParams``, or a model of the same shape extracted from a report.

    Returns:
        A :class:`Suite`; data problems are results, never exceptions.
    """
    return run(declared(), Context(model=p))
