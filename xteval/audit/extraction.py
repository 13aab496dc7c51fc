"""Extraction: the figures of the 部门整体支出绩效自评报告 template, found by their labels.

A figure it cannot find stays ``None`` and is listed as not found; it is never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
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
from .amounts import LEAD, MONEY, MONEY_UNIT, NUM, clause_end, money_value, sentence_end, sentence_start
from .reading import ReportText


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


# field path, Chinese label, label pattern, required by the template
_FIGURES: list[tuple[str, str, str, bool]] = [
    ("budget_header", "年度预算金额", r"年度预算(?:金额|数)", True),
    ("income.total", "总收入", r"总收入|收入总额|收入合计", True),
    ("income.fiscal_appropriation", "财政拨款收入", r"财政拨款收入", True),
    ("income.initial_budget", "年初预算", r"年初预算(?:数|资金|金额)?", True),
    ("income.non_tax_revenue", "非税收入", r"非税收入", False),
    ("income.midyear_addition", "年中追加", r"年中追加(?:预算|资金)?", True),
    ("income.other_income", "其他收入", r"其他收入", True),
    ("expenditure.total", "支出总额", r"支出总额|总支出|支出合计", True),
    ("expenditure.basic", "基本支出", r"基本支出", True),
    ("expenditure.personnel", "人员经费", r"人员经费", True),
    ("expenditure.public_operation", "公用经费", r"公用经费", True),
    ("expenditure.project", "项目支出", r"项目支出", True),
    ("carryover.fiscal", "财政拨款结转结余", r"财政拨款结转(?:结余)?|结转结余(?:资金)?", True),
]
_TP_PARTS = [
    ("reception", "公务接待费", r"公务接待费"),
    ("vehicle", "公务用车运行费", r"公务用车(?:购置及)?运行(?:维护)?费"),
    ("overseas", "出国出境费", r"(?:因公)?出国(?:\(?出?境\)?)?费(?:用)?"),
]


def _find_amount(report: ReportText, label: str, start: int = 0, end: int | None = None) -> tuple[Decimal, int, int] | None:
    """The first amount written right after a label: (value in 万元, start, end)."""
    pat = re.compile(rf"(?:{label}){LEAD}(?P<num>{NUM})\s*(?P<unit>{MONEY_UNIT})")
    m = pat.search(report.text, start, len(report.text) if end is None else end)
    if not m:
        return None
    return money_value(m["num"], m["unit"] if "元" in m["unit"] else m["unit"] + "元"), m.start(), m.end()


def _amount(report: ReportText, found: tuple[Decimal, int, int], cls=Amount, **extra) -> Any:
    """A found amount as a params ``Amount`` (or ``cls``) quoting the text and its line."""
    value, s, e = found
    return cls(value=value, seed=report.quote(s, e), line=report.line_of(s), **extra)


def _report_year(text: str) -> int | None:
    """The year the report is about: the most frequent “20xx 年度”, else “20xx 年”."""
    years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年度", text[:200_000]))
    if not years:
        years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", text[:200_000]))
    return years.most_common(1)[0][0] if years else None


# --------------------------------------------------------------------------- extraction


def _three_public(report: ReportText, ex: Extraction) -> ThreePublic | None:
    """The 三公 control and actual figures with their parts, and a “未超过控制数” claim."""
    text = report.text
    ctl = re.search(rf"三公[”\"]?\s*经费[”\"]?\s*(?:(?:预算)?控制数|(?:年初)?预算数){LEAD}(?P<num>{NUM})\s*(?P<unit>{MONEY_UNIT})", text)
    act = re.search(rf"三公[”\"]?\s*经费[”\"]?\s*(?:实际)?(?:支出|决算)(?:数)?{LEAD}(?P<num>{NUM})\s*(?P<unit>{MONEY_UNIT})", text)
    splits: dict[str, ThreePublicSplit | None] = {}
    for key, m in (("control", ctl), ("actual", act)):
        if m is None:
            splits[key] = None
            continue
        unit = m["unit"] if "元" in m["unit"] else m["unit"] + "元"
        total = (money_value(m["num"], unit), m.start(), m.end())
        ex.found[f"three_public.{key}.total"] = (m.start("num"), m.end())
        span_end = sentence_end(text, m.end())
        parts = {}
        for pkey, _, pat in _TP_PARTS:
            f = _find_amount(report, pat, m.end(), span_end)
            if f is not None:
                ex.found[f"three_public.{key}.{pkey}"] = (f[1], f[2])
            parts[pkey] = _amount(report, f) if f else None
        splits[key] = ThreePublicSplit.model_construct(total=_amount(report, total), **parts)
    if splits["control"] is None and splits["actual"] is None:
        return None
    claim = None
    if act is not None:
        c = re.compile(r"未超(?:过|出)(?:年初)?(?:预算)?控制数|控制在(?:预算|控制数)(?:以|之)内").search(
            text, act.start(), sentence_end(text, act.end()) + 1
        )
        if c:
            claim = Claim(value=True, seed=report.quote(c.start(), c.end()), line=report.line_of(c.start()))
    return ThreePublic.model_construct(control=splits["control"], actual=splits["actual"], within_control_claim=claim)


def _three_public_from_doc(doc: Any, tp: ThreePublic | None, report: ReportText, ex: Extraction) -> ThreePublic | None:
    """Fill the 三公 figures the template patterns missed from the engine's facts (公务用车运行费 from 购置及运行 when alone)."""
    if doc is None:
        return tp
    splits = {}
    for key in ("control", "actual"):
        current = getattr(tp, key, None) if tp else None
        parts = {k: getattr(current, k, None) if current else None for k in ("total", "reception", "vehicle", "overseas")}
        for k in parts:
            if parts[k] is not None:
                continue
            fact = doc.one(f"three_public.{key}.{k}") or (doc.one(f"three_public.{key}.vehicle_total") if k == "vehicle" else None)
            if fact is not None:
                parts[k] = Amount(value=fact.value, seed=fact.quote, line=fact.line)
                ex.found[f"three_public.{key}.{k}"] = (fact.start, fact.end)
        splits[key] = ThreePublicSplit.model_construct(**parts) if any(v is not None for v in parts.values()) else None
    claim = tp.within_control_claim if tp else None
    if claim is None:
        c = next(iter(doc.get("claims.within_control")), None)
        if c is not None:
            claim = Claim(value=True, seed=c.quote, line=c.line)
    if splits["control"] is None and splits["actual"] is None:
        return tp
    return ThreePublic.model_construct(control=splits["control"], actual=splits["actual"], within_control_claim=claim)


def _project_parts(report: ReportText, project_end: int, ex: Extraction) -> list[NamedAmount]:
    """The “其中 A n 万元，B m 万元” parts right after 项目支出."""
    text = report.text
    m = re.compile(r"[,\s]*(?:其中|包括)").match(text, project_end)
    if not m:
        return []
    out = []
    end = clause_end(text, m.end())
    for a in MONEY.finditer(text, m.end(), end):
        head = text[max(m.end(), a.start() - 40) : a.start()]
        lab = re.search(r"([^\s,;:、()。0-9]{2,16})\s*(?:为|是)?\s*$", head.replace("其中", " "))
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


def _claims(report: ReportText, ex: Extraction) -> Claims:
    """The stated 预算执行率, execution score, goal count and the claims the checks test."""
    text = report.text
    out: dict[str, Any] = {}

    def fig(key: str, pat: str, unit: str) -> None:
        """Record a stated figure found by ``pat`` under ``claims.<key>``."""
        m = re.search(pat, text)
        if m:
            out[key] = Figure(value=N(m["v"]), unit=unit, seed=report.quote(m.start(), m.end()), line=report.line_of(m.start()))
            ex.found[f"claims.{key}"] = (m.start(), m.end())

    fig("execution_rate", r"预算执行率\s*(?:为|是|达到|达)?\s*(?P<v>\d+(?:\.\d+)?)\s*%", "%")
    fig("goal_count", r"(?:共)?设(?:置|定)(?:了)?\s*(?P<v>\d+)\s*(?:个|项)(?:年度)?(?:部门)?(?:整体)?绩效目标", "个")
    m = re.search(
        r"预算执行(?:情况|率)?(?:指标)?\s*(?:总分|分值|满分)\s*(?P<max>\d+(?:\.\d+)?)\s*分\s*[,;]?\s*(?:实际)?得分\s*(?P<s>\d+(?:\.\d+)?)\s*分",
        text,
    )
    if m:
        out["execution_score"] = Score(
            score=N(m["s"]), max=N(m["max"]), seed=report.quote(m.start(), m.end()), line=report.line_of(m.start())
        )
        ex.found["claims.execution_score"] = (m.start(), m.end())
    for key, pat in (
        ("all_goals_completed", r"(?:所有|全部|各项)(?:绩效)?目标(?:均|全部|都)?已?(?:全部)?完成"),
        ("adjustment_not_counted", r"未(?:记|计)入预算调整(?:数|率)?"),
    ):
        c = re.search(pat, text)
        if c:
            out[key] = Claim(value=True, seed=report.quote(c.start(), c.end()), line=report.line_of(c.start()))
    return Claims(**out)


_COUNT_UNIT = r"亿条|万条|条|个|项|家|次|人次|人|件|户|场|批|套|台|公里|亿元|万元|元|%"
_RATE = re.compile(rf"(?:目标任务|任务|目标|计划)?完成率\s*(?:达到|达|为|是)?\s*(?P<pct>{NUM})\s*%")
_EXCESS = re.compile(
    rf"(?P<a>{NUM})\s*(?P<u>亿条|万条|条|个|项|家|次|人次|件|户)\s*[,，]?\s*(?P<dir>超过|超出|低于|少于)(?:原有|原定|年初|原)?(?:数量)?(?:指标|目标)(?:值)?\s*(?P<b>{NUM})\s*(?P<u2>亿条|万条|条|个|项|家|次|人次|件|户)"
)
_EXCESS_WORD = re.compile(r"超过|超出|低于|少于")


def _excess_statements(text: str) -> list[re.Match]:
    """The matches of :data:`_EXCESS`, found only around its words (超过, 低于…).

    The pattern opens with a number, so scanning a whole text with it tries every digit of
    it; its words are rare. Each word is tried with the 80 characters before it (the count
    and unit it follows) and the 80 after.
    """
    out: list[re.Match] = []
    done = 0
    for w in _EXCESS_WORD.finditer(text):
        for m in _EXCESS.finditer(text, max(done, w.start() - 80), min(len(text), w.end() + 80)):
            if m.start("dir") == w.start():
                out.append(m)
                done = m.end()
                break
    return out


_SATISFACTION = re.compile(rf"满意度\s*(?:达到|达|为|是)?\s*(?P<pct>{NUM})\s*%")
_TARGET_IN_SENTENCE = re.compile(rf"(?:目标|指标值|计划|任务)(?:数|值|为|是|:)*\s*(?P<t>{NUM})\s*(?P<u>{_COUNT_UNIT})")


_GOAL_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|在.{0,6}方面|\d{4}\s*年(?:度)?|全年|实际|共|累计)+")
_CLAUSE_BREAK = re.compile(r"[,;:。\n]")
_TARGET_IN_BRACKETS = re.compile(rf"[(（][^()（）]{{0,12}}?(?:目标|计划|指标值)(?:值|数)?\s*(?P<t>{NUM})\s*(?P<u>{_COUNT_UNIT})?[)）]\s*$")
_VALUE_AT_END = re.compile(
    rf"(?P<v>{NUM})\s*(?P<mult>亿|万)?\s*(?P<approx>余|多)?\s*(?P<u>条|个|项|家|次|人次|人|件|户|场|批|套|台|元)?\s*$"
)


def _label(clause: str) -> str:
    """A goal name from the clause before its number, without “一是”, years, “全年”, “实际”."""
    clause = _GOAL_LEAD.sub("", clause.strip())
    return clause.strip(' ,、:“”"')[-24:] or "未命名目标"


def _goals(report: ReportText, ex: Extraction) -> list[Goal]:
    """Quantified goals the text states: “X N 个、完成率达 P%”, “N 条，超过原有指标 M 条”, “满意度 P%”."""
    text = report.text
    goals: list[Goal] = []
    for m in _RATE.finditer(text):
        lo = max(sentence_start(text, m.start(), 200), m.start() - 120)
        before = text[lo : m.start()].rstrip(" ,、")
        clause = _CLAUSE_BREAK.split(before)[-1]
        # “420个(年度目标300个)、完成率达150%”: the target in brackets right after the value
        bracket = _TARGET_IN_BRACKETS.search(clause)
        if bracket:
            clause = clause[: bracket.start()]
        v = _VALUE_AT_END.search(clause)
        name = _label(clause[: v.start()] if v else clause)
        pct = N(m["pct"])
        q = report.quote(lo + before.rfind(clause), m.end())
        src = {"name": name, "pct": pct, "start": m.start(), "end": m.end(), "quote": q, "line": report.line_of(m.start())}
        if v:
            src.update(value=N(v["v"]), unit=(v["mult"] or "") + (v["u"] or ""), approx=bool(v["approx"]))
            sentence = text[sentence_start(text, m.start()) : sentence_end(text, m.end())]
            t = _TARGET_IN_SENTENCE.search(sentence)
            if bracket:
                src.update(target=N(bracket["t"]), target_quote=bracket.group(0).strip("()（） "))
            elif t and (t["u"] == src["unit"] or not src["unit"]):
                src.update(target=N(t["t"]), target_quote=t.group(0))
        ex.goal_sources.append(src)
        goals.append(
            Goal.model_construct(
                name=name,
                level1="未注明",
                kind=GoalKind.positive,
                unit="%",
                target=Figure(value=100, unit="%", derived="完成率以指标值为 100%"),
                actual=Figure(value=pct, unit="%", seed=q, line=src["line"]),
                evidence=q,
            )
        )
    for m in _excess_statements(text):
        a, b = N(m["a"]), N(m["b"])
        if m["u"] != m["u2"]:
            continue
        target = a - b if m["dir"] in ("超过", "超出") else a + b
        s0, s1 = sentence_start(text, m.start()), sentence_end(text, m.end())
        sentence = report.quote(s0, s1 + 1)
        before = text[s0 : m.start()]
        name = _label(_CLAUSE_BREAK.split(before)[-1]) if before.strip() else "未命名目标"
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
    for m in _SATISFACTION.finditer(text):
        lo = sentence_start(text, m.start(), 120)
        before = _CLAUSE_BREAK.split(text[lo : m.start()])[-1]
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


def _from_doc(doc: Any, path: str, report: ReportText) -> tuple[Decimal, int, int] | None:
    """A figure the engine found once, as ``(value, start, end)``; None when absent or stated with two values."""
    if doc is None:
        return None
    fact = doc.one(path)
    if fact is None or not isinstance(fact.value, Decimal):
        return None
    return fact.value, fact.start - (len(fact.quote) - len(report.text[fact.start : fact.end])), fact.end


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
    """Find the department figures of a report: the engine's facts, else the seed template's labels.

    Args:
        report: a prepared :class:`ReportText`.
        doc: the engine's :class:`~xteval.audit.engine.Document` of the same report; its
            facts fill every figure of the department model the document states once.

    Returns:
        An :class:`Extraction` whose ``model`` has the shape of ``DepartmentParams``
        (built without validation): every figure not found is ``None`` and is
        listed in ``not_found``.
    """
    text = report.text
    ex = Extraction(model=None, year=_report_year(text), document=doc)
    values: dict[str, Any] = {}
    for path, label, pat, required in _FIGURES:
        if doc is not None and len({x.value for x in doc.get(path)}) > 1:
            values[path] = None  # stated with two values: the ambiguity is the finding, no value is picked
            continue
        f = _from_doc(doc, path, report) or _find_amount(report, pat)
        if f is None:
            values[path] = None
            if required:
                ex.not_found.append((path, label))
            continue
        values[path] = _amount(report, f)
        ex.found[path] = (f[1], f[2])
    project = values["expenditure.project"]
    parts = _project_parts(report, ex.found["expenditure.project"][1], ex) if project is not None else []
    named = [f for f in (doc.get("expenditure.project_part") if doc is not None else []) if isinstance(f.value, Decimal)]
    if len(named) > len(parts):
        parts = [NamedAmount(name=f.name, value=f.value, seed=f.quote, line=f.line) for f in named]
        for i, f in enumerate(named):
            ex.found[f"expenditure.project_parts[{i}]"] = (f.start, f.end)
    tp = _three_public(report, ex)
    tp = _three_public_from_doc(doc, tp, report, ex)
    for key, name in (("control", "控制数"), ("actual", "实际支出")):
        split = getattr(tp, key, None) if tp else None
        if tp is None or tp.control is None and tp.actual is None:
            if key == "control":
                ex.not_found.append(("three_public", "三公经费"))
            continue
        needed = [("total", "合计")] + [(k, n) for k, n, _ in _TP_PARTS if k != "overseas"]
        for k, n in needed:
            if split is None or getattr(split, k) is None:
                ex.not_found.append((f"three_public.{key}.{k}", f"三公经费{name}·{n}"))
    if tp is None:
        tp = ThreePublic.model_construct(control=None, actual=None, within_control_claim=None)
    claims = _claims(report, ex)
    if doc is not None:
        extra: dict[str, Any] = {}
        rate = doc.one("claims.execution_rate")
        if claims.execution_rate is None and rate is not None:
            extra["execution_rate"] = Figure(value=rate.value, unit="%", seed=rate.quote, line=rate.line)
            ex.found["claims.execution_rate"] = (rate.start, rate.end)
        count = doc.one("claims.goal_count")
        if claims.goal_count is None and count is not None:
            extra["goal_count"] = Figure(value=count.value, unit=count.unit, seed=count.quote, line=count.line)
            ex.found["claims.goal_count"] = (count.start, count.end)
        done = next(iter(doc.get("claims.all_goals_completed")), None)
        if claims.all_goals_completed is None and done is not None:
            extra["all_goals_completed"] = Claim(value=True, seed=done.quote, line=done.line)
        if extra:
            claims = Claims.model_construct(**{**{k: getattr(claims, k) for k in type(claims).model_fields}, **extra})
    if claims.execution_rate is None:
        ex.not_found.append(("claims.execution_rate", "预算执行率"))
    unit_name = re.search(r"单位名称\s*[:]?\s*(\S{2,40})", text)
    supervisor = re.search(r"主管部门\s*[:]?\s*(\S{2,40})", text)
    ex.model = DepartmentParams.model_construct(
        notebook="department",
        title=None,
        unit=Unit.model_construct(
            name=unit_name.group(1) if unit_name else "未注明", supervisor=supervisor.group(1) if supervisor else "未注明", year=ex.year
        ),
        source_report=str(report.path) if report.path else None,
        budget_header=values["budget_header"],
        income=Income.model_construct(**{k.split(".")[1]: v for k, v in values.items() if k.startswith("income.")}),
        expenditure=Expenditure.model_construct(
            **{k.split(".")[1]: v for k, v in values.items() if k.startswith("expenditure.")}, project_parts=parts
        ),
        three_public=tp,
        carryover=Carryover.model_construct(fiscal=values["carryover.fiscal"]),
        claims=claims,
        goals=_goals(report, ex) + _goals_from_doc(doc, ex),
        narrative=None,
    )
    return ex
