"""Extraction: the figures of the 部门整体支出绩效自评报告 as the department params model wants them.

One rule decides every field (the rule of :mod:`xteval.audit.engine`): the engine's reading wins.
A figure the engine read once is taken as it read it; a figure it read with two different values
stays ``None`` (the ambiguity is the finding, no value is picked); only a figure the engine did not
read at all is looked for in the seed template's phrasing (``template`` in ``dept_selfeval.yaml``).
A figure neither finds stays ``None`` and is listed as not found; it is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..department.model import (
    Carryover,
    Claims,
    DepartmentParams,
    Expenditure,
    Goal,
    GoalKind,
    Income,
    ThreePublic,
    ThreePublicSplit,
)
from ..money import N
from ..params import Amount, Claim, Figure, NamedAmount, Score, Unit
from .amounts import MONEY, clause_end, money_value, sentence_end, sentence_start
from .engine import extract_facts
from .kinds import kinds, patterns
from .reading import ReportText
from .subjects import subject_at


@dataclass
class Extraction:
    """What the extractor found: the department model, the offsets it used, and what it did not find."""

    model: Any
    found: dict[str, tuple[int, int]] = field(default_factory=dict)  # field path → (start, end) in the text
    not_found: list[tuple[str, str]] = field(default_factory=list)  # (field path, Chinese label)
    year: int | None = None
    goal_sources: list[dict[str, Any]] = field(default_factory=list)
    superseded: set[str] = field(default_factory=set)  # identity ids a fuller “其中” list replaces
    document: Any = None  # the engine's Document: the kind and every fact


def template() -> dict[str, Any]:
    """The department template of ``dept_selfeval.yaml`` (its figures' names and labels, compiled at load)."""
    return kinds()["dept_selfeval"].template


def _labelled(
    report: ReportText, pat: re.Pattern, start: int = 0, end: int | None = None, *, doc: Any = None, field_id: str = ""
) -> tuple[Decimal, int, int] | None:
    """The first amount a template label heads (a pattern of the label, then ``AMOUNT_AFTER``): (value in 万元, start, end).

    With ``doc`` and ``field_id``, only an amount of the unit's all funds: a 年初预算 in a 三公 sentence or under
    a 一般公共预算 heading is another subject's figure, never the department's.
    """
    end = len(report.text) if end is None else end
    for m in pat.finditer(report.text, start, end):
        if doc is not None and field_id and subject_at(doc, field_id, m.start("num"), m.group(0)[: m.start("num") - m.start()]):
            continue
        return money_value(m["num"], m["unit"] if "元" in m["unit"] else m["unit"] + "元"), m.start(), m.end()
    return None


def _amount(report: ReportText, found: tuple[Decimal, int, int], cls=Amount, **extra) -> Any:
    """A found amount as a params ``Amount`` (or ``cls``) quoting the text and its line."""
    value, s, e = found
    return cls(value=value, seed=report.quote(s, e), line=report.line_of(s), **extra)


def _engine(doc: Any, path: str) -> tuple[str, Any]:
    """What the engine read for a field: ("one", fact), ("two", None) when it read two values, ("none", None).

    The unit's own figures only; a 三公 实际支出 of the year before stands in when the text states no other (a
    budget explanation states this year's 预算 and last year's 决算, the actual the draft asks for).
    """
    if doc is None:
        return "none", None
    facts = doc.get(path)
    if not facts and path.startswith("three_public.actual."):
        facts = doc.get(path, subject="previous")
    if len({f.value for f in facts}) > 1:
        return "two", None
    return ("one", facts[0]) if facts else ("none", None)


def _from_fact(fact: Any, report: ReportText) -> tuple[Decimal, int, int] | None:
    """An engine fact of an amount as ``(value, start, end)`` (the start of its quote); None when it is no amount."""
    if not isinstance(fact.value, Decimal):
        return None
    return fact.value, fact.start - (len(fact.quote) - len(report.text[fact.start : fact.end])), fact.end


# --------------------------------------------------------------------------- figures


def _figures(report: ReportText, doc: Any, ex: Extraction) -> dict[str, Any]:
    """The template's money figures: the engine's reading, else the template label's amount."""
    required = set(kinds()["dept_selfeval"].required)
    values: dict[str, Any] = {}
    for path, (name, pat) in template()["_figures"].items():
        said, fact = _engine(doc, path)
        f = _from_fact(fact, report) if said == "one" else _labelled(report, pat, doc=doc, field_id=path) if said == "none" else None
        values[path] = _amount(report, f) if f else None
        if f is not None:
            ex.found[path] = (f[1], f[2])
        elif said == "none" and path in required:
            ex.not_found.append((path, name))
    return values


def _project_parts(report: ReportText, doc: Any, ex: Extraction, values: dict[str, Any]) -> list[NamedAmount]:
    """The parts of 项目支出: the engine's named parts when it read more of them, else the template's “其中 A n 万元，B m 万元”."""
    parts = _listed_parts(report, ex.found["expenditure.project"][1], ex) if values["expenditure.project"] is not None else []
    named = [f for f in (doc.get("expenditure.project_part") if doc is not None else []) if isinstance(f.value, Decimal)]
    if len(named) > len(parts):
        parts = [NamedAmount(name=f.name, value=f.value, seed=f.quote, line=f.line) for f in named]
        for i, f in enumerate(named):
            ex.found[f"expenditure.project_parts[{i}]"] = (f.start, f.end)
    return parts


_RE = patterns("extraction")  # its phrasings (fields.yaml), each named by its key where it is matched


def _listed_parts(report: ReportText, project_end: int, ex: Extraction) -> list[NamedAmount]:
    """The “其中 A n 万元，B m 万元” parts right after 项目支出."""
    text = report.text
    m = _RE.parts_opening.match(text, project_end)
    if not m:
        return []
    out = []
    end = clause_end(text, m.end())
    for a in MONEY.finditer(text, m.end(), end):
        head = text[max(m.end(), a.start() - 40) : a.start()]
        lab = _RE.part_label.search(head.replace("其中", " "))
        if not lab:
            continue
        out.append(
            NamedAmount(
                name=lab.group(1),
                value=money_value(a["num"], a["unit"]),
                seed=report.quote(a.start() - len(lab.group(0)), a.end()),
                line=report.line_of(a.start()),
            )
        )
        ex.found[f"expenditure.project_parts[{len(out) - 1}]"] = (a.start(), a.end())
    return out


# --------------------------------------------------------------------------- 三公


def _three_public_template(report: ReportText, mode: str, ex: Extraction) -> dict[str, Any]:
    """The template's 三公 total of one mode (控制数 / 实际支出) and the parts its sentence names."""
    tp = template()["three_public"]
    m = tp["_modes"][mode].search(report.text)
    if m is None:
        return {}
    unit = m["unit"] if "元" in m["unit"] else m["unit"] + "元"
    out = {"total": (_amount(report, (money_value(m["num"], unit), m.start(), m.end())), (m.start("num"), m.end()))}
    span_end = sentence_end(report.text, m.end())
    for key, (_, pat, _) in tp["_parts"].items():
        f = _labelled(report, pat, m.end(), span_end) if pat is not None else None
        if f is not None:
            out[key] = (_amount(report, f), (f[1], f[2]))
    return out


def _three_public(report: ReportText, doc: Any, ex: Extraction) -> ThreePublic | None:
    """The 三公 control and actual figures with their parts, and a “未超过控制数” claim: the engine's, else the template's.

    公务用车运行费 is the engine's 公务用车运行费, else its 购置及运行费 when the report states no 购置费 but 0
    (a 购置及运行费 that may hold a purchase is not the 运行费: the field is left to fill).
    """
    splits: dict[str, ThreePublicSplit | None] = {}
    for mode in ("control", "actual"):
        template_read = None
        parts = {}
        for key in template()["three_public"]["_parts"]:
            path = f"three_public.{mode}.{key}"
            said, fact = _engine(doc, path)
            if (
                said == "none"
                and key == "vehicle"
                and _engine(doc, f"three_public.{mode}.vehicle_total")[0] == "one"
                and _no_purchase(doc, mode)
            ):
                said, fact = _engine(doc, f"three_public.{mode}.vehicle_total")  # stands in only when read once
            if said == "one":
                parts[key] = Amount(value=fact.value, seed=fact.quote, line=fact.line)
                ex.found[path] = (fact.start, fact.end)
                continue
            parts[key] = None
            if said == "none":
                template_read = _three_public_template(report, mode, ex) if template_read is None else template_read
                if key in template_read:
                    parts[key], ex.found[path] = template_read[key]
        splits[mode] = ThreePublicSplit.model_construct(**parts) if any(v is not None for v in parts.values()) else None
    if splits["control"] is None and splits["actual"] is None:
        return None
    claim = next(iter(doc.get("claims.within_control")), None) if doc is not None else None
    within = Claim(value=True, seed=claim.quote, line=claim.line) if claim is not None else None
    return ThreePublic.model_construct(control=splits["control"], actual=splits["actual"], within_control_claim=within)


def _no_purchase(doc: Any, mode: str) -> bool:
    """True when the document states its 公务用车购置费 as 0 (so 购置及运行费 is the 运行费)."""
    said, fact = _engine(doc, f"three_public.{mode}.vehicle_purchase")
    return said == "one" and fact.value == 0


def _three_public_not_found(tp: ThreePublic | None, ex: Extraction) -> None:
    """List the 三公 figures the template requires and neither reading found."""
    if tp is None:
        ex.not_found.append(("three_public", "三公经费"))
        return
    for key, name in (("control", "控制数"), ("actual", "实际支出")):
        split = getattr(tp, key)
        for k, (n, _, optional) in template()["three_public"]["_parts"].items():
            if not optional and (split is None or getattr(split, k) is None):
                ex.not_found.append((f"three_public.{key}.{k}", f"三公经费{name}·{n}"))


# --------------------------------------------------------------------------- claims


def _stated(report: ReportText, doc: Any, ex: Extraction, key: str, unit: str) -> Figure | None:
    """A stated figure (预算执行率, 绩效目标个数): the engine's, else the template's phrasing."""
    said, fact = _engine(doc, f"claims.{key}")
    if said == "one":
        ex.found[f"claims.{key}"] = (fact.start, fact.end)
        return Figure(value=fact.value, unit=fact.unit if unit != "%" else "%", seed=fact.quote, line=fact.line)
    m = template()["_stated"][key].search(report.text) if said == "none" else None
    if m is None:
        return None
    ex.found[f"claims.{key}"] = (m.start(), m.end())
    return Figure(value=N(m["v"]), unit=unit, seed=report.quote(m.start(), m.end()), line=report.line_of(m.start()))


def _claims(report: ReportText, doc: Any, ex: Extraction) -> Claims:
    """The stated 预算执行率, execution score, goal count and the claims in words the checks test."""
    out: dict[str, Any] = {"execution_rate": _stated(report, doc, ex, "execution_rate", "%")}
    out["goal_count"] = _stated(report, doc, ex, "goal_count", "个")
    m = template()["_stated"]["execution_score"].search(report.text)
    if m:
        out["execution_score"] = Score(
            score=N(m["s"]), max=N(m["max"]), seed=report.quote(m.start(), m.end()), line=report.line_of(m.start())
        )
        ex.found["claims.execution_score"] = (m.start(), m.end())
    for key in ("all_goals_completed", "adjustment_not_counted"):
        c = next(iter(doc.get(f"claims.{key}")), None) if doc is not None else None
        if c is not None:
            out[key] = Claim(value=True, seed=c.quote, line=c.line)
    if out["execution_rate"] is None:
        ex.not_found.append(("claims.execution_rate", "预算执行率"))
    return Claims(**{k: v for k, v in out.items() if v is not None})


# --------------------------------------------------------------------------- goals


def _excess_statements(text: str) -> list[re.Match]:
    """The matches of :data:`_RE.excess`, found only around its words (超过, 低于…).

    The pattern opens with a number, so scanning a whole text with it tries every digit of
    it; its words are rare. Each word is tried with the 80 characters before it (the count
    and unit it follows) and the 80 after.
    """
    out: list[re.Match] = []
    done = 0
    for w in _RE.excess_word.finditer(text):
        for m in _RE.excess.finditer(text, max(done, w.start() - 80), min(len(text), w.end() + 80)):
            if m.start("dir") == w.start():
                out.append(m)
                done = m.end()
                break
    return out


_RATE_LEAD = 8  # the most characters a match of extraction.rate has before its word (目标任务完成率: 4)


def _rate_statements(text: str) -> Iterator[re.Match]:
    """The matches of :data:`_RE.rate`, as ``finditer`` over the whole text gives them, looked for from near its word.

    The pattern opens with optional words (目标任务, 计划…), so the regex engine tries it at
    every character it passes. Every match holds its word (完成率) at most :data:`_RATE_LEAD`
    characters after its start, so no match starts in the stretch before that from the next
    word: the search resumes there, and passes every character at most once.
    """
    pos = 0
    while (w := _RE.rate_word.search(text, pos)) is not None:
        m = _RE.rate.search(text, max(pos, w.start() - _RATE_LEAD))
        if m is None:
            return
        yield m
        pos = m.end()


def _label(clause: str) -> str:
    """A goal name from the clause before its number, without “一是”, years, “全年”, “实际”."""
    clause = _RE.goal_lead.sub("", clause.strip())
    return clause.strip(' ,、:“”"')[-24:] or "未命名目标"


def _goals(report: ReportText, ex: Extraction) -> list[Goal]:
    """Quantified goals the text states: “X N 个、完成率达 P%”, “N 条，超过原有指标 M 条”, “满意度 P%”."""
    text = report.text
    goals: list[Goal] = []
    # One target and one goal shape for every “完成率” (frozen models, shared): a dense text has a hundred thousand
    hundred = Figure(value=100, unit="%", derived="完成率以指标值为 100%")
    rate_goal = Goal.model_construct(name="", level1="未注明", kind=GoalKind.positive, unit="%", target=hundred, actual=None, evidence="")
    rate_actual = Figure(value=0, unit="%", seed="完成率", line=1)  # each actual a copy with its value, quote and line
    for m in _rate_statements(text):
        lo = max(sentence_start(text, m.start(), 200), m.start() - 120)
        before = text[lo : m.start()].rstrip(" ,、")
        clause = _RE.clause_break.split(before)[-1]
        # “420个(年度目标300个)、完成率达150%”: the target in brackets right after the value
        bracket = _RE.target_in_brackets.search(clause)
        if bracket:
            clause = clause[: bracket.start()]
        v = _RE.value_at_end.search(clause)
        name = _label(clause[: v.start()] if v else clause)
        pct = N(m["pct"])
        q = report.quote(lo + before.rfind(clause), m.end())
        src = {"name": name, "pct": pct, "start": m.start(), "end": m.end(), "quote": q, "line": report.line_of(m.start())}
        if v:
            src.update(value=N(v["v"]), unit=(v["mult"] or "") + (v["u"] or ""), approx=bool(v["approx"]))
            sentence = text[sentence_start(text, m.start()) : sentence_end(text, m.end())]
            t = _RE.target_in_sentence.search(sentence)
            if bracket:
                src.update(target=N(bracket["t"]), target_quote=bracket.group(0).strip("()（） "))
            elif t and (t["u"] == src["unit"] or not src["unit"]):
                src.update(target=N(t["t"]), target_quote=t.group(0))
        ex.goal_sources.append(src)
        # (pct is N's exact Decimal and q holds the match: what validating a new Figure would give)
        actual = rate_actual.model_copy(update={"value": pct, "seed": q, "line": src["line"]})
        goals.append(rate_goal.model_copy(update={"name": name, "actual": actual, "evidence": q}))
    for m in _excess_statements(text):
        a, b = N(m["a"]), N(m["b"])
        if m["u"] != m["u2"]:
            continue
        target = a - b if m["dir"] in ("超过", "超出") else a + b
        s0, s1 = sentence_start(text, m.start()), sentence_end(text, m.end())
        sentence = report.quote(s0, s1 + 1)
        before = text[s0 : m.start()]
        name = _label(_RE.clause_break.split(before)[-1]) if before.strip() else "未命名目标"
        q = report.quote(s0, m.end()) if m.end() - s0 <= 120 else report.quote(m.start(), m.end())
        goals.append(
            Goal.model_construct(
                name=name,
                level1="未注明",
                kind=GoalKind.positive,
                unit=m["u"],
                target=Figure(value=target, unit=m["u"], derived=f"{a} {m['dir']}指标 {b} → 指标值 {target}"),
                actual=Figure(value=a, unit=m["u"], seed=q, line=report.line_of(m.start())),
                evidence=sentence,
            )
        )
    for m in _RE.satisfaction.finditer(text):
        lo = sentence_start(text, m.start(), 120)
        before = _RE.clause_break.split(text[lo : m.start()])[-1]
        q = report.quote(m.start() - len(before), m.end())
        goals.append(
            Goal.model_construct(
                name=_label(before + "满意度"),
                level1="满意度指标",
                kind=GoalKind.positive,
                unit="%",
                actual=Figure(value=N(m["pct"]), unit="%", seed=q, line=report.line_of(m.start())),
                evidence=q,
            )
        )
    return goals


def _goals_from_doc(doc: Any, ex: Extraction) -> list[Goal]:
    """The engine's indicators (指标值 and 完成值 both stated) that the template patterns did not find."""
    if doc is None:
        return []
    taken = {src["line"] for src in ex.goal_sources}
    out = []
    for g in doc.goals:
        t, a = g.get("target"), g.get("actual")
        if not isinstance(t, Decimal) or not isinstance(a, Decimal) or g["line"] in taken:
            continue
        out.append(
            Goal.model_construct(
                name=g["name"],
                level1=g.get("level1") or "",
                level2=g.get("level2"),
                kind=GoalKind(g["kind"]),
                unit=g["unit"],
                target=Figure(value=t, unit=g["unit"], seed=g.get("target_quote") or g["quote"], line=g.get("target_line")),
                actual=Figure(value=a, unit=g["unit"], seed=g["quote"], line=g["line"]),
                weight=None,
                grade=None,
                score=None,
                evidence=g["quote"],
            )
        )
        if g.get("rate") is not None:
            ex.goal_sources.append(
                {
                    "name": g["name"],
                    "pct": g["rate"],
                    "value": a,
                    "unit": g["unit"],
                    "target": t,
                    "quote": g["quote"],
                    "line": g["line"],
                    "start": g["start"],
                    "end": g["start"],
                }
            )
    return out


def extract(report: ReportText, doc: Any = None) -> Extraction:
    """Find the department figures of a report: the engine's reading, else the seed template's phrasing.

    Args:
        report: a prepared :class:`ReportText`.
        doc: the engine's :class:`~xteval.audit.engine.Document` of the same report (read here when
            not given); its facts fill every figure of the department model it states once.

    Returns:
        An :class:`Extraction` whose ``model`` has the shape of ``DepartmentParams``
        (built without validation): every figure not found is ``None`` and is
        listed in ``not_found``.
    """
    doc = doc if doc is not None else extract_facts(report)
    ex = Extraction(model=None, year=doc.year, document=doc)
    values = _figures(report, doc, ex)
    parts = _project_parts(report, doc, ex, values)
    tp = _three_public(report, doc, ex)
    _three_public_not_found(tp, ex)
    claims = _claims(report, doc, ex)
    ex.model = DepartmentParams.model_construct(
        notebook="department",
        title=None,
        unit=_unit(report, ex.year),
        source_report=str(report.path) if report.path else None,
        budget_header=values["budget_header"],
        income=Income.model_construct(**{k.split(".")[1]: v for k, v in values.items() if k.startswith("income.")}),
        expenditure=Expenditure.model_construct(
            **{k.split(".")[1]: v for k, v in values.items() if k.startswith("expenditure.")}, project_parts=parts
        ),
        three_public=tp or ThreePublic.model_construct(control=None, actual=None, within_control_claim=None),
        carryover=Carryover.model_construct(fiscal=values["carryover.fiscal"]),
        claims=claims,
        goals=_goals(report, ex) + _goals_from_doc(doc, ex),
        narrative=None,
    )
    return ex


def _unit(report: ReportText, year: int | None) -> Unit:
    """The header's 单位名称 and 主管部门 (未注明 when the report has none)."""
    names = [template()[key].search(report.text) for key in ("_unit_name", "_supervisor")]
    name, supervisor = (m.group(1) if m else "未注明" for m in names)
    return Unit.model_construct(name=name, supervisor=supervisor, year=year)
