"""Reconciliation over the facts of any document kind: identities, 三公 against control, project
execution and scores, ambiguous figures, and the figures themselves (changes and rates: :mod:`.changes`).

Every check returns :class:`~xteval.checks.CheckResult` records. A check runs only on figures
the document states with one value; a fail is raised only when the arithmetic is certain (a
total against a list of parts the text itself gives, a change against both years, a rate at the
precision it was stated at). What is uncertain is a warn, or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from .. import checks, rules
from ..checks import CheckResult, Evidence, Reason, Status, amount, balance, direction
from ..money import half_up
from .amounts import one_figure
from .engine import Document, Fact
from .subjects import opening_year

HUNDRED = Decimal(100)
BASE_UNITS = ("万元", "%", "分")


def _ev(*facts: Fact | None) -> tuple[Evidence, ...]:
    return tuple(Evidence(f.quote, f.line) for f in facts if f is not None)


def _pct(v: Decimal) -> str:
    return f"{half_up(v)}%"


# --------------------------------------------------------------------------- figures and ambiguity


def figure_records(doc: Document) -> list[CheckResult]:
    """One pass record per figure found (``figure.<field path>``), so a reader of the JSON sees every figure."""
    out, seen = [], defaultdict(int)
    for f in doc.facts:
        seen[f.path] += 1
        fid = f"figure.{f.path}" if seen[f.path] == 1 else f"figure.{f.path}.L{f.line}"
        out.append(
            checks.note(
                fid,
                f"识别出的数字：{f.path}",
                f"{f.path} = {f.value}{'' if f.unit in ('date', 'claim') else ' ' + f.unit}（第 {f.line} 行）",
                unit=f.unit,
                reason=Reason.extracted,
                observed=f.value if isinstance(f.value, Decimal) else None,
                evidence=_ev(f),
            )
        )
    for i, g in enumerate(doc.goals):
        for part in ("target", "actual"):
            v = g.get(part)
            if isinstance(v, Decimal):
                which = "指标值" if part == "target" else "完成值"
                out.append(
                    checks.note(
                        f"figure.goals[{i}].{part}",
                        f"识别出的数字：{g['name']} {which}",
                        f"“{g['name']}”{which} {v}{g['unit']}",
                        unit=g["unit"],
                        reason=Reason.extracted,
                        observed=v,
                        evidence=(Evidence(g.get(f"{part}_quote") or g["quote"], g.get(f"{part}_line") or g["line"]),),
                    )
                )
    return out


_NOT_AMBIGUOUS = (".share", "threshold", "date")


def _section_of(doc: Document, fact: Fact) -> str:
    """The heading path a fact stands under (its token's), or "" for a fact read from a form."""
    return doc.tokens[fact.token].section if fact.token is not None and fact.token < len(doc.tokens) else ""


def ambiguity_checks(doc: Document) -> list[CheckResult]:
    """One field stated with two different values in the document: a warn listing both, never a pick.

    It is a fail only when the very same words state both values (全年预算数 156.00 … 全年预算数 165.00):
    then the document contradicts itself, whatever the reader's interpretation.
    """
    groups: dict[tuple[str, str | None, str], list[Fact]] = defaultdict(list)
    for f in doc.facts:  # within one subject: 基本支出 of all funds and of 一般公共预算 are two facts
        if f.table:
            continue  # a table's cell: its own table, the other tables and the prose are checked against it (table_checks)
        if f.unit in BASE_UNITS and not f.field.endswith(_NOT_AMBIGUOUS) and not f.field.startswith(("count.", "score.part")):
            groups[(*f.key, f.subject)].append(f)
    out = []
    for (field, name, subject), facts in groups.items():
        if one_figure(facts) is not None:
            continue  # one value, or one amount and its rounding (8.27 万元 and “8 万元”)
        first = facts[0]
        other = next(f for f in facts if f.value != first.value)
        same_words = first.label == other.label and len(first.label) >= 4 and _section_of(doc, first) == _section_of(doc, other)
        # two sentences that open with two years (2022年…预算中，公务接待费 A。2023年…预算中，公务接待费 B) state two years
        same_words = same_words and opening_year(doc, first) == opening_year(doc, other)
        path = (f"{field}[{name}]" if name else field) + (f"（{subject}）" if subject else "")
        out.append(
            CheckResult(
                id=f"ambiguous.{path}",
                title=f"同一数字前后一致：{path}",
                status=Status.fail if same_words else Status.warn,
                message=(
                    f"同一项目前后数字不一致: {path} 第 {first.line} 行为 {first.value}，第 {other.line} 行为 {other.value}"
                    f"（{'同一表述，报告自相矛盾' if same_words else '未采用任何一个，请核对'}）"
                ),
                expected=first.value,
                observed=other.value,
                difference=other.value - first.value,
                unit=first.unit,
                evidence=_ev(first, other),
                reason=Reason.ambiguous,
            )
        )
    return out


# --------------------------------------------------------------------------- identities


def _alternatives(spec: dict[str, Any]) -> list[list[str]]:
    parts = spec["parts"]
    return [list(p) for p in parts] if parts and isinstance(parts[0], list) else [list(parts)]


def identity_checks(doc: Document) -> list[CheckResult]:
    """The kind's identities (total = Σ parts) on the figures the document states.

    Checked when the total and at least two parts are stated once each. A difference is a fail
    when the parts are complete: every part the identity names is stated, or the parts are the
    text's own list after the total (其中：…) and that list holds nothing else. Parts short of
    an incomplete list are not checked; parts above the total are a warn.
    """
    if doc.kind is None:
        return []
    out = []
    for spec in doc.kind.identities:
        total = doc.one(spec["total"])
        if total is None:
            continue
        best = None
        for alt in _alternatives(spec):
            parts: list[Fact] = []
            complete = True
            for ref in alt:
                if doc.kind.form is None and ref in doc.m_parts_of:  # a named list of this total: every part stated
                    names = list(dict.fromkeys(f.name for f in doc.get(ref) if f.name and f.of in (spec["total"], None)))
                    named = [doc.one(ref, n) for n in names]
                    parts += [p for p in named if p is not None]
                    # a list of names is complete only as a table's rows beside the total (决算总表): prose may
                    # name some 科目 and leave others out
                    in_table = total.cell and all(p is not None and p.cell and abs(p.line - total.line) <= 40 for p in named)
                    complete = complete and bool(named) and all(named) and in_table
                    continue
                f = doc.one(ref)
                if f is None:
                    complete = complete and not doc.get(ref) and spec.get("form", False)
                    continue
                parts.append(f)
            if len(parts) + (1 if any(ref in doc.m_parts_of for ref in alt) else 0) < 2 and not (spec.get("form") and parts):
                continue
            listed = [f for f in doc.facts if f.owner is not None and total.seq >= 0 and f.owner == total.seq and f.unit == total.unit]
            own_list = len(listed) >= 2 and all(f in parts for f in listed) and all(p in listed for p in parts)
            own_list = own_list and total.seq not in doc.lists_with_unread  # an item of the list was left unread
            all_named = all(doc.one(ref) is not None or ref in doc.m_parts_of for ref in alt) and complete
            cand = (bool(own_list or all_named or (spec.get("form") and complete)), len(parts), parts)
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is None or (spec.get("only_when_all") and not best[0]):
            continue
        sure, _, parts = best
        if len(parts) < (1 if spec.get("form") else 2):
            continue
        if _table_owns(doc, spec["total"], total, parts):
            continue
        r = balance(
            f"identity.{total.path}",
            f"{total.path} = " + " + ".join(p.path for p in parts),
            (total.label or total.path, total.value),
            [(p.name or p.label or p.path, p.value) for p in parts],
            unit=total.unit,
            evidence=_ev(total, *parts),
        )
        if r.status is Status.fail and not sure:
            if r.difference > 0:
                continue  # parts short of an incomplete list: not all listed
            r = replace(r, status=Status.warn, message=r.message + "（所列各项可能不全，请核对）")
        out.append(r)
    return out


def _table_owns(doc: Document, total_field: str, total: Fact, parts: list[Fact]) -> bool:
    """True when a table's own checks hold this identity (its total and some of its parts are one table's cells), or when
    table cells of two subjects would be added (一般公共预算 total, all-funds 科目 parts): no identity of the kind."""
    tabled = next((f for f in doc.get(total_field) if f.table), None)
    if tabled is not None:
        owner = tabled.table.split(" / ")[0]
        if any(any(f.table.split(" / ")[0] == owner for f in doc.get(p.field, p.name)) for p in parts):
            return True  # the table's checks take its parts, and a part only the text states (table_checks)
    return bool(total.table) and any(p.table and p.subject != total.subject for p in parts)


# --------------------------------------------------------------------------- 三公 and claims


THREE_PARTS = ("total", "overseas", "vehicle_total", "vehicle_purchase", "vehicle", "reception")
PART_NAMES = {
    "total": "三公经费合计",
    "overseas": "因公出国（境）费",
    "vehicle_total": "公务用车购置及运行维护费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle": "公务用车运行维护费",
    "reception": "公务接待费",
}


def three_public_purchase_total(doc: Document, mode: str) -> CheckResult | None:
    """三公合计 = 出国 + 公务用车购置及运行费 (or 购置费 + 运行费) + 接待 when the text states a 购置费.

    The department model knows 运行费 only; a 合计 that holds a purchase is checked here instead, with it
    (a 1,023 total is 749 of the three and a 274 purchase, not 274 too much).
    """
    total, purchase = doc.one(f"three_public.{mode}.total"), doc.one(f"three_public.{mode}.vehicle_purchase")
    vehicle_total = doc.one(f"three_public.{mode}.vehicle_total")
    if total is None or (purchase is None and vehicle_total is None):
        return None
    names = (
        ["overseas", "vehicle_total", "reception"]
        if vehicle_total is not None
        else ["overseas", "vehicle_purchase", "vehicle", "reception"]
    )
    parts = [f for f in (doc.one(f"three_public.{mode}.{n}") for n in names) if f is not None]
    if len(parts) < 2:
        return None
    return balance(
        f"three_public.{mode}",
        f"三公经费{'控制数' if mode == 'control' else '实际支出'} = " + " + ".join(PART_NAMES[n] for n in names),
        (total.label or total.path, total.value),
        [(p.label or p.path, p.value) for p in parts],
        evidence=_ev(total, *parts),
    )


def three_public_checks(doc: Document) -> list[CheckResult]:
    """Each 三公 actual within its control (预算) figure, and a “未超过/控制在预算以内” claim against them.

    The control is on the total (三公经费 预算 is held as one sum): a part over its own budget while the total
    stays within is a warn to explain, not a fail, and a claim of staying within is read against the total.
    """
    out, over = [], []
    actual_total, control_total = doc.one("three_public.actual.total"), doc.one("three_public.control.total")
    total_ok = None if actual_total is None or control_total is None else actual_total.value <= control_total.value
    for part in THREE_PARTS:
        actual, control = doc.one(f"three_public.actual.{part}"), doc.one(f"three_public.control.{part}")
        if actual is None or control is None:
            continue
        name, a, c = PART_NAMES[part], amount(actual.value), amount(control.value)
        over_by = direction(actual.value - control.value, "万元")
        words = {"agree": f"{name} 决算 {a} ≤ 预算 {c} 万元", "differ": f"超预算: {name} 决算 {a} > 预算 {c} 万元（{over_by}）"}
        r = checks.within(
            f"three_public.within_control.{part}",
            f"三公经费不超预算：{name}",
            actual.value,
            control.value,
            evidence=_ev(actual, control),
            over=Status.warn if total_ok and part != "total" else Status.fail,
            **words,
        )
        if not r.passed:
            over.append((name, total_ok is None or part == "total"))
        out.append(r)
    claim = next(iter(doc.get("claims.within_control")), None)
    if claim is not None:  # “均未超过”, “各项…”: every part; else the total, which the control is on
        every = any(w in claim.quote for w in ("均", "各项", "各"))
        over = [name for name, counts in over if counts or every]
    if claim is not None and out:
        out.append(
            checks.claim(
                "three_public.claim",
                "“未超过预算/控制数”的表述与数字相符",
                not over,
                agree="报告称未超过预算，各项决算均不超过预算",
                differ=f"表述与数字矛盾: 报告称“{claim.quote}”，但 {'、'.join(over)} 超过预算",
                unit="万元",
                evidence=_ev(claim),
            )
        )
    return out


# --------------------------------------------------------------------------- projects and goals


def goal_model(doc: Document) -> SimpleNamespace:
    """The goals and the all-completed claim in the shape the department goal checks read."""
    from ..department.model import Goal, GoalKind
    from ..params import Claim, Figure

    goals = []
    for g in doc.goals:
        quantified = isinstance(g.get("target"), Decimal) and isinstance(g.get("actual"), Decimal)
        kind = g["kind"] if quantified else "qualitative"
        goals.append(
            Goal.model_construct(
                name=g["name"],
                level1=g.get("level1") or "",
                level2=g.get("level2"),
                kind=GoalKind(kind),
                unit=g.get("unit") or "",
                target=Figure.model_construct(
                    value=g["target"], unit=g["unit"], seed=g.get("target_quote") or g["quote"], line=g.get("target_line")
                )
                if quantified
                else None,
                actual=Figure.model_construct(value=g["actual"], unit=g["unit"], seed=g["quote"], line=g["line"]) if quantified else None,
                weight=None,
                grade=None,
                score=None,
                evidence=g["quote"],
            )
        )
    claim = next(iter(doc.get("claims.all_goals_completed")), None)
    claims = SimpleNamespace(
        all_goals_completed=Claim.model_construct(value=True, seed=claim.quote, line=claim.line) if claim else None,
    )
    return SimpleNamespace(goals=goals, claims=claims)


def goal_checks(doc: Document) -> list[CheckResult]:
    """Each indicator's 完成值 against its 指标值, a stated 完成率 against both, and “全部完成” against all."""
    from ..department.checks import goal_achievement_check, goals_completed_claim_check

    model = goal_model(doc)
    out = goal_achievement_check(model) + goals_completed_claim_check(model)
    for i, g in enumerate(doc.goals):
        out += _over_claim(i, g)
        rate, t, a = g.get("rate"), g.get("target"), g.get("actual")
        if rate is None or not isinstance(t, Decimal) or not isinstance(a, Decimal) or not t:
            continue
        computed = a / t * HUNDRED
        pct, off = _pct(computed), direction(rate - half_up(computed), "个百分点")
        out.append(
            _stated_percent(
                f"percent.L{g['line']}.{i}",
                f"完成率 = 完成值 ÷ 指标值：{g['name']}",
                rate,
                computed,
                g,
                agree=f"“{g['name']}”完成率 {rate}% 与 {a} ÷ {t} = {pct} 相符",
                differ=f"完成率不符: 报告 {rate}% ≠ {a} ÷ 指标值 {t} = {pct}（报告{off}）",
            )
        )
    return out


def _over_claim(i: int, g: dict[str, Any]) -> list[CheckResult]:
    """“超额完成 N%” against 完成值 ÷ 指标值 − 1 at its stated precision."""
    over, t, a = g.get("over_rate"), g.get("target"), g.get("actual")
    if over is None or not isinstance(t, Decimal) or not isinstance(a, Decimal) or not t:
        return []
    computed = (a / t - 1) * HUNDRED
    pct = _pct(computed)
    return [
        _stated_percent(
            f"percent.over.L{g['line']}.{i}",
            f"超额完成比例 = 完成值 ÷ 指标值 − 1：{g['name']}",
            over,
            computed,
            g,
            agree=f"“{g['name']}”超额完成 {over}% 与 {a} ÷ {t} − 1 = {pct} 相符",
            differ=f"超额完成比例不符: 报告称超额完成 {over}%，但 {a} ÷ 指标值 {t} − 1 = {pct}",
        )
    ]


def _stated_percent(
    check_id: str, title: str, stated: Decimal, computed: Decimal, goal: dict[str, Any], agree: str, differ: str
) -> CheckResult:
    """A percentage a goal states against the one its figures give, at the stated precision (a fail when they differ)."""
    evidence = (Evidence(goal["quote"], goal["line"]),)
    return checks.rate(
        check_id, title, stated, computed, agree=agree, differ=differ, evidence=evidence, strict=True, reason=Reason.percent_mismatch
    )


def project_checks(doc: Document) -> list[CheckResult]:
    """One project: 执行率 = 执行数 ÷ 全年预算数, the 执行 row's score, 总分 against the rows, 分值 against 总分, 调整幅度."""
    out = []
    budget, executed = doc.one("project.full_year_budget"), doc.one("project.executed")
    rate, weight, score = doc.one("project.execution_rate"), doc.one("project.execution_weight"), doc.one("project.execution_score")
    computed = executed.value / budget.value * HUNDRED if budget is not None and executed is not None and budget.value else None
    if rate is not None and computed is not None:
        quotient = f"{amount(executed.value)} ÷ {amount(budget.value)} = {_pct(computed)}"
        out.append(
            checks.rate(
                "project.execution_rate",
                "执行率 = 全年执行数 ÷ 全年预算数（按所述精度）",
                rate.value,
                computed,
                agree=f"执行率 {rate.value}% 与 {quotient} 相符",
                differ=f"执行率不符: 报告 {rate.value}% ≠ {quotient}（报告{direction(rate.value - half_up(computed), '个百分点')}）",
                evidence=_ev(rate, executed, budget),
            )
        )
    if weight is not None and score is not None and rate is not None:
        cap = N_CAP = Decimal(rules.checks()["execution_score"]["cap_percent"])
        expected = half_up(weight.value * min(rate.value, cap) / HUNDRED)
        ok = abs(expected - score.value) <= Decimal("0.01")
        true_score = half_up(weight.value * min(computed, N_CAP) / HUNDRED) if computed is not None else None
        differ = f"执行得分不符: 得分 {score.value} ≠ {weight.value} × 所填执行率 {rate.value}% = {expected}"
        differ += f"（按计算执行率 {_pct(computed)} 为 {true_score}）" if true_score is not None else ""
        out.append(
            checks.judged(
                "project.execution_score",
                "预算执行得分 = 分值 × 执行率",
                ok,
                Status(rules.checks()["execution_score"]["status"]),
                Reason.score_mismatch,
                f"执行得分 {score.value} = {weight.value} × {rate.value}%",
                differ,
                expected=expected,
                observed=score.value,
                difference=score.value - expected,
                unit="分",
                evidence=_ev(score, weight, rate),
            )
        )
    out += _score_totals(doc)
    initial = doc.one("project.initial_budget")
    if initial is not None and budget is not None and initial.value and budget.value != initial.value:
        pct = (budget.value - initial.value) / initial.value * HUNDRED
        band = next(b for b in rules.checks()["adjustment_rate"]["bands"] if b["up_to"] is None or abs(pct) <= Decimal(str(b["up_to"])))
        status = Status(band["status"])
        out.append(
            CheckResult(
                id="project.adjustment_rate",
                title="预算调整幅度 =（全年预算数 − 年初预算数）÷ 年初预算数",
                status=status,
                message=f"全年预算数 {amount(budget.value)} 比年初预算数 {amount(initial.value)} 调{'增' if pct > 0 else '减'} {_pct(abs(pct))}：{band['label']}",
                expected=initial.value,
                observed=budget.value,
                difference=budget.value - initial.value,
                unit="万元",
                evidence=_ev(budget, initial),
                reason=Reason.ok if status is Status.passed else Reason.large_adjustment,
            )
        )
    return out


def _score_totals(doc: Document) -> list[CheckResult]:
    """总分/自评得分 against the scores of the rows; the 分值 of the rows against the 满分."""
    out = []
    total = doc.one("project.score")
    parts = [f for f in doc.facts if f.field == "score.part"]
    exec_score, exec_weight = doc.one("project.execution_score"), doc.one("project.execution_weight")
    # a collapsed form's rows are read only where one split fits: no sum over them (the rest are unread)
    goal_scores = [g.get("score") for g in doc.goals] if not any(g.get("collapsed") for g in doc.goals) else []
    if total is not None:
        if len(parts) >= 2:
            values = [(p.name or "", p.value) for p in parts]
        elif exec_score is not None and goal_scores and all(isinstance(s, Decimal) for s in goal_scores):
            values = [("预算执行", exec_score.value)] + [(g["name"], g["score"]) for g in doc.goals]
        else:
            values = []
        if values:
            r = balance(
                "project.score", "自评得分 = 各项得分之和", ("自评得分", total.value), values, unit="分", evidence=_ev(total, *parts)
            )
            out.append(replace(r, reason=Reason.ok if r.passed else Reason.score_mismatch))
    top = doc.one("project.score_max")
    weights = [g.get("weight") for g in doc.goals] if not any(g.get("collapsed") for g in doc.goals) else []
    if top is not None and exec_weight is not None and weights and all(isinstance(w, Decimal) for w in weights):
        values = [("预算执行", exec_weight.value)] + [(g["name"], g["weight"]) for g in doc.goals]
        r = balance("project.weights", "总分 = 各项分值之和", ("总分", top.value), values, unit="分", evidence=_ev(top, exec_weight))
        out.append(replace(r, reason=Reason.ok if r.passed else Reason.score_mismatch))
    level1 = [f for f in doc.facts if f.field == "score.level1_weight"]
    if top is not None and level1 and not any(r.id == "project.weights" for r in out):
        # the 10号 form gives 预算执行率 its own 分值 in the funds block, and the 一级指标 the rest of the 满分
        values = ([("预算执行率", exec_weight.value)] if exec_weight is not None else []) + [(f.name or "", f.value) for f in level1]
        r = balance(
            "project.weights", "总分 = 各一级指标分值之和", ("总分", top.value), values, unit="分", evidence=_ev(top, exec_weight, *level1)
        )
        out.append(replace(r, reason=Reason.ok if r.passed else Reason.score_mismatch))
    return out


def required_checks(doc: Document) -> list[CheckResult]:
    """A figure the kind requires that the document does not state: a warn, never a guess."""
    if doc.kind is None:
        return []
    return [
        checks.not_found(f"extract.{field}", f"未找到：{field}", f"报告中未识别出 {field} 的数字，相关检查未执行（不作推测）")
        for field in doc.kind.required
        if not doc.get(field)
    ]
