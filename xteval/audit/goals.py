"""Indicators (绩效指标) written in prose: a 完成值 and its 指标值, found by how reports pair them.

Four shapes, each observed in published self-evaluations:

* actual, then the target in brackets: ``完成人居环境整治村庄12个（目标≥12个）``;
* actual, then the target after a comma: ``培训专业教师216人次，目标≥200人次``;
* target, then the actual: ``接种率目标95%，实际98.3%`` / ``目标值≥36个，实际完成38个``;
* the targets listed once (``全年…不少于420万平方米，…``) and each actual later, matched by
  unit and by the words of its name, often with ``（分值15分，得分15分）``.

A stated 完成率 next to an actual (``420个（年度目标300个）、完成率达150%``) is kept as the
goal's ``rate``. Names keep no figure inside.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .engine import Document
from .kinds import patterns
from .scanner import Token

_RE = patterns("goals")  # its phrasings (fields.yaml), each named by its key where it is matched


def _unit_key(tok: Token) -> str:
    return tok.unit if tok.kind in ("count", "percent", "money") else ""


def _name(label: str, fallback: str = "") -> str:
    """A goal name from the words before its figure: no enumerator, lead verb, target word or figure."""
    name = _RE.bracketed.sub("", label)
    name = _RE.target_words.split(name)[0] if _RE.target_words.search(name) and not _RE.target_words.match(name) else name
    name = _RE.bound.sub("", name)
    name = _RE.lead_tail.sub("", name)
    name = _RE.name_noise.sub("", name).strip(" ，,、:：")
    name = _RE.figure.sub("", name)
    if len(name) < 3 and fallback:
        name = fallback + name
    return name[-24:]


def _kind(tok: Token, text: str) -> str:
    head = text[max(0, tok.start - 8) : tok.start]
    if _RE.reverse.search(head) or _RE.ceiling_after.match(tok.after):
        return "reverse"
    if _RE.equal_before.search(head):
        return "equal"
    return "positive"


def _paragraph_title(doc: Document, tok: Token) -> str:
    """The words after a paragraph's enumerator (“1、家庭医生签约服务。”), for a goal named only by a verb."""
    text = doc.report.text
    line_start = doc.report.line_starts[tok.line - 1]
    line = text[line_start : min(tok.start, line_start + 200)]  # the title opens the line: a one-line text must not copy megabytes
    m = _RE.paragraph_title.match(line)
    return m[1] if m else ""


def read_goals(doc: Document) -> None:
    """Add the indicators written in prose to ``doc.goals``."""
    text = doc.report.text
    toks = [t for t in doc.tokens if t.kind in ("count", "percent") or t.kind == "money" and t.unit]
    used: set[int] = set()
    listed: list[tuple[Token, str]] = []  # targets stated alone (“不少于420万平方米”)
    for i, tok in enumerate(toks):
        if tok.index in used:
            continue
        head = tok.raw_label
        if tok.kind == "count" and (_RE.indicators_counted.match(tok.after) or _RE.indicator_level.search(head)):
            continue  # how many indicators a project sets: a count (count.indicators), never one indicator's value
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        same = nxt is not None and nxt.sentence_start == tok.sentence_start and _unit_key(nxt) == _unit_key(tok)
        # actual, then (目标 target) or ，目标 target
        if same and _RE.target_words.search(nxt.raw_label) and not _RE.target_words.search(head) and not _RE.bound.search(head[-4:]):
            between = text[tok.end : nxt.start]
            if len(between) <= 14 and any(c in "(（,，" for c in between):
                _add(doc, nxt, tok, _name(head, _paragraph_title(doc, tok)), text)
                used |= {tok.index, nxt.index}
                continue
        # target, then actual
        if same and (_RE.target_words.search(head) or _RE.bound.search(head[-5:])) and not tok.in_brackets:
            listing = _under_targets(nxt) and not _RE.actual_only.search(nxt.raw_label)  # …不低于95%，B达到100%: two targets
            if _RE.actual_lead.search(nxt.raw_label) and not _RE.target_words.search(nxt.raw_label) and not listing:
                name = _name(head, _paragraph_title(doc, tok))
                _add(doc, tok, nxt, name, text)
                used |= {tok.index, nxt.index}
                continue
        if _RE.bound.search(head[-5:]) or _RE.bound_after.match(tok.after):
            if _RE.goal_context.search(tok.sentence + tok.section):
                listed.append((tok, _name(head)))
            continue
        if _in_target_statement(tok):  # “项目年度绩效目标为：新创排剧目1部，…，演出安全事故0起”
            listed.append((tok, _name(head)))
    if listed:
        _match_listed(doc, toks, listed, used, text)
    _done_statements(doc, toks, used)


def _done_statements(doc: Document, toks: list[Token], used: set[int]) -> None:
    """“推进…等7个未完工子项目实现竣工验收”: a 完成值 without a 指标值, in a section about goals achieved."""
    text = doc.report.text
    for tok in toks:
        if tok.index in used or tok.kind != "count":
            continue
        if not _RE.done.search(tok.raw_label) or not _RE.done_after.match(text[tok.end : tok.end + 24]):
            continue  # the short tests first: the section test reads 8000 characters back
        lo = max(0, tok.start - 8000)
        at = max(text.rfind("目标完成情", lo, tok.start), text.rfind("绩效目标完成", lo, tok.start))
        if at < 0 or "存在的问" in text[at : tok.start]:
            continue
        tail = _RE.done_after.match(text[tok.end : tok.end + 24]).group(0)
        words = _RE.done_verb.sub("", tok.label)
        name = _RE.not_word.sub("", words.removesuffix("等"))[-12:] + _RE.done_tail_verb.sub("", tail)
        doc.goals.append(
            {
                "name": name or "完成事项",
                "level1": "产出指标",
                "level2": None,
                "kind": "positive",
                "unit": tok.unit,
                "target": None,
                "actual": tok.number,
                "line": tok.line,
                "quote": doc.report.quote(tok.start - len(tok.raw_label), tok.end + len(tail)),
                "start": tok.start,
            }
        )


def _under_targets(tok: Token) -> bool:
    """A figure under a heading of the year's targets (（二）项目绩效目标), not of their results."""
    last = tok.section.split(" / ")[-1] if tok.section else ""
    return bool(_RE.targets_heading.search(last)) and not _RE.results_words.search(last)


def _in_target_statement(tok: Token) -> bool:
    """A figure of the paragraph that states the year's targets (its heading or sentence says 绩效目标), not their results."""
    last = tok.section.split(" / ")[-1] if tok.section else ""
    if _RE.results_words.search(last + tok.sentence[:12]):  # the short test first: a sentence of results is never one
        return False
    return bool(_RE.targets_heading.search(last) or _RE.targets_sentence.search(tok.sentence))


def _add(doc: Document, target: Token, actual: Token, name: str, text: str) -> None:
    goal: dict[str, Any] = {
        "name": name or "未命名指标",
        "level1": _level1(actual, name),
        "level2": None,
        "kind": _kind(target, text),
        "unit": actual.unit if actual.kind != "money" else "万元",
        "target": target.number if actual.kind != "money" else target.value,
        "actual": actual.number if actual.kind != "money" else actual.value,
        "line": actual.line,
        "target_line": target.line,
        "quote": doc.report.quote(*actual.quote_span),
        "target_quote": doc.report.quote(*target.quote_span),
        "start": actual.start,
    }
    after = text[max(actual.end, target.end) : max(actual.end, target.end) + 40]
    m = _RE.rate_after.match(_RE.close_lead.sub("", after))
    if m:
        goal["rate"] = Decimal(m["pct"])
    m = _RE.over_after.match(_RE.close_lead.sub("", after))
    if m:
        goal["over_rate"] = Decimal(m["pct"])  # “超额完成 20%”: 完成值 ÷ 指标值 − 1
    m = _RE.score_after.match(text[actual.end : actual.end + 60])
    if m:
        goal["weight"], goal["score"] = Decimal(m["w"]), Decimal(m["s"])
    doc.goals.append(goal)


def _level1(tok: Token, name: str) -> str | None:
    where = tok.section + " " + tok.sentence[:20]
    if "满意" in name or "满意度" in where:
        return "满意度指标"
    if "效益" in where:
        return "效益指标"
    if _RE.output_words.search(where):
        return "产出指标"
    return None


def _overlap(a: str, b: str) -> int:
    """How many characters two names share (a crude but order-free match for 清扫面积 ~ 机械化清扫面积)."""
    return len(set(a) & set(b))


def _match_listed(doc: Document, toks: list[Token], listed: list[tuple[Token, str]], used: set[int], text: str) -> None:
    """Actuals stated after a list of targets: same unit, the most shared words, each target once."""
    free = list(listed)
    last_target = max(t.start for t, _ in listed)
    for tok in toks:
        if tok.index in used or tok.start <= last_target or not free:
            continue
        if tok.kind == "money" and not _RE.score_after.match(text[tok.end : tok.end + 60]) and not any(t.kind == "money" for t, _ in free):
            continue
        name = _name(tok.raw_label, _paragraph_title(doc, tok))
        if not name:
            name = _RE.up_to_colon.sub("", tok.sentence)[:16]
        candidates = [(t, n) for t, n in free if _unit_key(t) == _unit_key(tok)]
        if not candidates:
            continue
        best = max(candidates, key=lambda c: (_overlap(c[1], name + tok.sentence[-20:]), -abs(c[0].start - tok.start)))
        if _overlap(best[1], name + tok.sentence[-20:]) < 2:
            continue
        free.remove(best)
        used.add(tok.index)
        _add(doc, best[0], tok, name if len(name) >= 3 else best[1], text)
