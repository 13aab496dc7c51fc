"""``xteval extract``: a department params draft from a report, every figure quoted, nothing invented.

Every figure the audit found once is a ``seed`` (its quote and line); every figure of the
department model it did not find, or found with two different values, is ``{value: null,
todo: …}``, so ``xteval run`` refuses the draft and lists all that is left to fill. Goal names
keep no figure inside; 一级指标 are the framework's names (``mof2020-self``) or ``todo``. The
narrative sections (单位基本职能, 存在的问题, 改进措施) are copied from the text. Figures the
report states beyond the department model (决算 tables, 自评表 rows…) are listed in a comment,
so nothing found is lost.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..params import TODO
from . import audit
from .engine import Document
from .extraction import template
from .kinds import kinds, pattern, patterns
from .reading import ReportText

_RE = patterns("draft")  # its phrasings (fields.yaml), each named by its key where it is matched


def _figures() -> dict[str, str]:
    """The template's money figures in the draft's order, by field path, with their names (dept_selfeval.yaml)."""
    return {path: name for path, (name, _) in template()["_figures"].items() if path != "carryover.fiscal"}


def _tp_parts() -> dict[str, tuple[str, bool]]:
    """The 三公 parts of the template: name and whether the model may leave it out."""
    return {k: (name, optional) for k, (name, _, optional) in template()["three_public"]["_parts"].items()}


def _todo(what: str, **extra) -> dict[str, Any]:
    return {"value": None, **extra, TODO: f"待填：{what}"}


def _seed(figure: Any, **extra) -> dict[str, Any]:
    """A model figure (Amount, Figure) as a draft mapping: value, seed quote, line."""
    out: dict[str, Any] = {"value": figure.value, **extra, "seed": figure.seed}
    if getattr(figure, "line", None):
        out["line"] = figure.line
    return out


def _get(model: Any, path: str) -> Any:
    node = model
    for part in path.split("."):
        node = getattr(node, part, None) if node is not None else None
    return node


def _clean_name(name: str) -> str:
    """A goal name without figures, enumerators or trailing punctuation."""
    name = _RE.name_figure.sub("", name)
    name = _RE.name_brackets.sub("", name)
    name = _RE.name_lead_verb.sub("", name)
    name = _RE.name_edge_punct.sub("", name)
    return name or "未命名指标"


def _level1(value: str | None) -> str | None:
    from ..department.model import level1_names

    names = level1_names()
    if value in names:
        return names[value]
    if value and value.removesuffix("指标") in names:
        return names[value.removesuffix("指标")]
    return None


def _more_goals(doc: Document, taken: list[Any]) -> list[dict[str, Any]]:
    """Indicators the engine found with a 完成值 only (完成…等 N 个…验收): their 指标值 is left to fill."""
    lines = {g.actual.line for g in taken if g.actual is not None}
    out = []
    for g in doc.goals:
        if g["line"] in lines or g.get("target") is not None or not isinstance(g.get("actual"), Decimal):
            continue
        level1 = _level1(g.get("level1"))
        out.append(
            {
                "name": _clean_name(g["name"]),
                "level1": level1 or TODO,
                "kind": g["kind"],
                "unit": g["unit"],
                "target": _todo("指标值", unit=g["unit"]),
                "actual": {"value": g["actual"], "unit": g["unit"], "seed": g["quote"], "line": g["line"]},
                "weight": _todo("分值（报告未给出时按评分框架设定，标 illustrative）"),
                "evidence": g["quote"],
            }
        )
    return out


def _goal(goal: Any, sources: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """One goal of the extracted model as a draft mapping; a 完成率 goal with its count keeps the count as 完成值."""
    src = next((s for s in sources if goal.actual is not None and s.get("quote") == goal.actual.seed and "value" in s), None)
    if src is not None:
        from ..params import Figure

        goal = goal.model_copy(
            update={
                "unit": src["unit"],
                "actual": Figure.model_construct(value=src["value"], unit=src["unit"], seed=src["quote"], line=src["line"]),
            }
        )
    unit = goal.unit or ""
    out: dict[str, Any] = {"name": _clean_name(goal.name)}
    level1 = _level1(goal.level1)
    out["level1"] = level1 if level1 else TODO
    if goal.level2:
        out["level2"] = goal.level2
    out["kind"] = goal.kind.value if hasattr(goal.kind, "value") else str(goal.kind)
    out["unit"] = unit
    target = goal.target
    if target is not None and target.seed and not target.derived:
        out["target"] = _seed(target, unit=unit)
    else:
        out["target"] = _todo("指标值", unit=unit)
    actual = goal.actual
    out["actual"] = _seed(actual, unit=unit) if actual is not None and actual.seed else _todo("完成值", unit=unit)
    out["weight"] = _todo("分值（报告未给出时按评分框架设定，标 illustrative）")
    if src is not None:
        out["evidence"] = f"{src['quote']}（报告称完成率 {src['pct']}%）"
    elif goal.evidence:
        out["evidence"] = goal.evidence
    return out


def _narrative(report: ReportText) -> dict[str, Any] | None:
    """单位基本职能, 存在的问题, 改进措施: the text after each heading, up to the next heading."""
    text = report.text
    heads = {key: pattern(f"draft.heading.{key}") for key in ("functions", "problems", "improvements")}
    out: dict[str, Any] = {}
    first = None
    for key, heading in heads.items():
        found = None
        for m in heading.finditer(text):
            body = text[m.end() : m.end() + 2000]
            body = _RE.section_break.split(body)[0]
            body = _RE.section_line.split(body)[0]
            body = body.strip()
            if len(body) >= 10:
                found = (m.group(0).strip(" :：\t\n"), body)
        if found:
            first = first or found[0]
            out[key] = found[1]
        else:
            out[key] = ""
    if first is None:
        return None
    return {"seed": first, **out}


def draft(report: ReportText, source: str) -> tuple[dict[str, Any], Document, list[str]]:
    """A department params draft of a report.

    Args:
        report: the prepared report.
        source: ``source_report`` as the draft must write it (relative to the draft's folder).

    Returns:
        ``(data, document, extra)``: the draft as YAML-ready data, the engine's document,
        and comment lines listing the figures found beyond the department model.
    """
    ex, _ = audit(report)
    doc: Document = ex.document
    m = ex.model
    unit = m.unit
    data: dict[str, Any] = {
        "notebook": "department",
        "title": "部门整体支出绩效评价",
        "source_report": source,
        "unit": {
            "name": unit.name if unit.name and unit.name != "未注明" else TODO,
            "supervisor": unit.supervisor if unit.supervisor and unit.supervisor != "未注明" else TODO,
            "year": unit.year if unit.year else TODO,
        },
    }
    required = set(kinds()["dept_selfeval"].required)
    for path, label in _figures().items():
        fig = _get(m, path)
        if fig is None and path not in required:
            continue
        value = _seed(fig) if fig is not None else _todo(label)
        node = data
        *parents, last = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    parts = list(m.expenditure.project_parts or [])
    data["expenditure"]["project_parts"] = [{"name": p.name, **_seed(p)} for p in parts] or [{"name": TODO, **_todo("项目支出明细")}]
    tp: dict[str, Any] = {}
    for key, name in (("control", "控制数"), ("actual", "实际支出")):
        split = getattr(m.three_public, key, None) if m.three_public is not None else None
        tp[key] = {}
        for part, (pname, optional) in _tp_parts().items():
            fig = getattr(split, part, None) if split is not None else None
            if fig is None and optional:
                continue  # optional in the model: a report that does not state it leaves it out
            tp[key][part] = _seed(fig) if fig is not None else _todo(f"三公经费{name}·{pname}")
    claim = m.three_public.within_control_claim if m.three_public is not None else None
    if claim is not None:
        tp["within_control_claim"] = {"seed": claim.seed, "line": claim.line}
    data["three_public"] = tp
    carry = m.carryover.fiscal if m.carryover is not None else None
    data["carryover"] = {"fiscal": _seed(carry) if carry is not None else _todo("财政拨款结转结余")}
    claims: dict[str, Any] = {}
    c = m.claims
    if c.execution_rate is not None:
        claims["execution_rate"] = _seed(c.execution_rate, unit="%")
    if c.execution_score is not None:
        claims["execution_score"] = {
            "score": c.execution_score.score,
            "max": c.execution_score.max,
            "seed": c.execution_score.seed,
            "line": c.execution_score.line,
        }
    if c.goal_count is not None:
        claims["goal_count"] = _seed(c.goal_count, unit=c.goal_count.unit)
    for key in ("all_goals_completed", "adjustment_not_counted"):
        cl = getattr(c, key)
        if cl is not None:
            claims[key] = {"seed": cl.seed, "line": cl.line}
    data["claims"] = claims
    data["goals"] = [_goal(g, ex.goal_sources) for g in m.goals] + _more_goals(doc, m.goals)
    narrative = _narrative(report)
    if narrative is not None:
        for key in ("functions", "problems", "improvements"):
            if not narrative[key]:
                narrative[key] = TODO  # a text the report does not give under its heading
        data["narrative"] = narrative
    return data, doc, _beyond(doc, data)


def _beyond(doc: Document, data: dict[str, Any]) -> list[str]:
    """Comment lines for the figures found that the department model has no place for."""
    used = set(_figures()) | {"expenditure.project_part", "carryover.fiscal", "claims.execution_rate", "claims.goal_count"}
    used |= {f"three_public.{k}.{p}" for k in ("control", "actual") for p in _tp_parts()}
    lines = []
    for f in doc.facts:
        if f.field in used or f.unit in ("claim", "date") or not isinstance(f.value, Decimal):
            continue
        lines.append(f"#   {f.path} = {f.value} {f.unit}（第 {f.line} 行：{f.quote[:40]}）")
    return lines
