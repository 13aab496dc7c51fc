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

import re
from decimal import Decimal
from typing import Any

from .engine import Document
from .scanner import Token

_TARGET_WORDS = re.compile(r"目标值?|指标值|计划|预期")
_BOUND = re.compile(r"(?P<w>不少于|不低于|不小于|不高于|不超过|不多于|不大于|控制在|≥|≤|>=|<=|以上|以内|以下|达到)")
_ACTUAL_WORDS = re.compile(r"实际|完成|结果|达到|达|为|共|累计|全年")
_REVERSE = re.compile(r"不高于|不超过|不多于|不大于|控制在|≤|<=|以内|以下")
_NAME_NOISE = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）、.．]|年度|全年|实际|完成|累计|开展|共|组织|通过|其中|全部|平均|当年|本年|向使用单位发放问卷|第三方调查显示)+"
)
_RATE_AFTER = re.compile(
    r"^\s*[、,，]?\s*(?:完成率|目标任务完成率|任务完成率|完成(?:了)?(?:年度|全年)?(?:目标|计划|任务)(?:值)?的?)\s*(?:达到|达|为)?\s*(?P<pct>\d+(?:\.\d+)?)\s*%"
)
_OVER_AFTER = re.compile(r"^\s*[、,，]?\s*超额完成(?:了)?(?:年度|全年)?(?:目标|计划|任务)?\s*(?P<pct>\d+(?:\.\d+)?)\s*%")
_SCORE_AFTER = re.compile(r"^[^。；;\n]{0,20}?[(（]\s*分值\s*(?P<w>\d+(?:\.\d+)?)\s*分\s*[,，]\s*得分\s*(?P<s>\d+(?:\.\d+)?)\s*分\s*[)）]")


def _unit_key(tok: Token) -> str:
    return tok.unit if tok.kind in ("count", "percent", "money") else ""


def _name(label: str, fallback: str = "") -> str:
    """A goal name from the words before its figure: no enumerator, lead verb, target word or figure."""
    name = re.sub(r"[(（].*?[)）]", "", label)
    name = _TARGET_WORDS.split(name)[0] if _TARGET_WORDS.search(name) and not _TARGET_WORDS.match(name) else name
    name = _BOUND.sub("", name)
    name = re.sub(r"(?:达到|达|为|是|约)$", "", name)
    name = _NAME_NOISE.sub("", name).strip(" ，,、:：")
    name = re.sub(r"\d+(?:\.\d+)?", "", name)
    if len(name) < 3 and fallback:
        name = fallback + name
    return name[-24:]


def _kind(tok: Token, text: str) -> str:
    head = text[max(0, tok.start - 8) : tok.start]
    if _REVERSE.search(head) or re.match(r"\s*(?:以内|以下)", tok.after):
        return "reverse"
    if re.search(r"[=﹦]\s*$", head):
        return "equal"
    return "positive"


def _paragraph_title(doc: Document, tok: Token) -> str:
    """The words after a paragraph's enumerator (“1、家庭医生签约服务。”), for a goal named only by a verb."""
    text = doc.report.text
    line_start = doc.report.line_starts[tok.line - 1]
    line = text[line_start : min(tok.start, line_start + 200)]  # the title opens the line: a one-line text must not copy megabytes
    m = re.match(r"^\s*(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）、.．])\s*([^。，,；;:：\d]{2,16})[。:：]", line)
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
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        same = nxt is not None and nxt.sentence_start == tok.sentence_start and _unit_key(nxt) == _unit_key(tok)
        # actual, then (目标 target) or ，目标 target
        if same and _TARGET_WORDS.search(nxt.raw_label) and not _TARGET_WORDS.search(head) and not _BOUND.search(head[-4:]):
            between = text[tok.end : nxt.start]
            if len(between) <= 14 and re.search(r"[(（,，]", between):
                _add(doc, nxt, tok, _name(head, _paragraph_title(doc, tok)), text)
                used |= {tok.index, nxt.index}
                continue
        # target, then actual
        if same and (_TARGET_WORDS.search(head) or _BOUND.search(head[-5:])) and not tok.in_brackets:
            if re.search(r"实际|完成|结果|达到|为", nxt.raw_label) and not _TARGET_WORDS.search(nxt.raw_label):
                name = _name(head, _paragraph_title(doc, tok))
                _add(doc, tok, nxt, name, text)
                used |= {tok.index, nxt.index}
                continue
        if _BOUND.search(head[-5:]) or re.match(r"\s*(?:以上|以内)", tok.after):
            if re.search(r"目标|任务|计划|绩效", tok.sentence + tok.section):
                listed.append((tok, _name(head)))
            continue
        if _in_target_statement(tok):  # “项目年度绩效目标为：新创排剧目1部，…，演出安全事故0起”
            listed.append((tok, _name(head)))
    if listed:
        _match_listed(doc, toks, listed, used, text)
    _done_statements(doc, toks, used)


_DONE = re.compile(r"(?:推进|完成|实现|建成|组织)[^，,；;。]{0,30}?$")
_DONE_AFTER = re.compile(r"^[^，,；;。]{0,16}?(?:实现|完成|通过)?(?:竣工)?(?:验收|建成|上线|投入使用|投用)")


def _done_statements(doc: Document, toks: list[Token], used: set[int]) -> None:
    """“推进…等7个未完工子项目实现竣工验收”: a 完成值 without a 指标值, in a section about goals achieved."""
    text = doc.report.text
    for tok in toks:
        if tok.index in used or tok.kind != "count":
            continue
        before = text[max(0, tok.start - 8000) : tok.start]
        at = max(before.rfind("目标完成情"), before.rfind("绩效目标完成"))
        if at < 0 or "存在的问" in before[at:]:
            continue
        if not _DONE.search(tok.raw_label) or not _DONE_AFTER.match(text[tok.end : tok.end + 24]):
            continue
        tail = _DONE_AFTER.match(text[tok.end : tok.end + 24]).group(0)
        words = re.sub(r"^(?:推进|完成|实现|组织)", "", tok.label)
        name = re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", re.split(r"等$", words)[0])[-12:] + re.sub(r"^(?:实现|完成|通过)", "", tail)
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


_TARGETS_SENTENCE = re.compile(r"(?:年度|项目|整体)?绩效目标(?:为|是|:|：)|预期目标|绩效目标$")
_TARGETS_HEADING = re.compile(r"绩效目标|年度目标|预期目标")
_RESULTS_WORDS = re.compile(r"完成|实现|分析|偏差|自评|结论")


def _in_target_statement(tok: Token) -> bool:
    """A figure of the paragraph that states the year's targets (its heading or sentence says 绩效目标), not their results."""
    last = tok.section.split(" / ")[-1] if tok.section else ""
    here = _TARGETS_SENTENCE.search(tok.sentence) or _TARGETS_HEADING.search(last)
    return bool(here) and not _RESULTS_WORDS.search(last + tok.sentence[:12])


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
    m = _RATE_AFTER.match(re.sub(r"^\s*[)）]", "", after))
    if m:
        goal["rate"] = Decimal(m["pct"])
    m = _OVER_AFTER.match(re.sub(r"^\s*[)）]", "", after))
    if m:
        goal["over_rate"] = Decimal(m["pct"])  # “超额完成 20%”: 完成值 ÷ 指标值 − 1
    m = _SCORE_AFTER.match(text[actual.end : actual.end + 60])
    if m:
        goal["weight"], goal["score"] = Decimal(m["w"]), Decimal(m["s"])
    doc.goals.append(goal)


def _level1(tok: Token, name: str) -> str | None:
    where = tok.section + " " + tok.sentence[:20]
    if "满意" in name or "满意度" in where:
        return "满意度指标"
    if re.search(r"效益", where):
        return "效益指标"
    if re.search(r"产出|数量指标|质量指标|时效指标|成本指标", where):
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
        if tok.kind == "money" and not _SCORE_AFTER.match(text[tok.end : tok.end + 60]) and not any(t.kind == "money" for t, _ in free):
            continue
        name = _name(tok.raw_label, _paragraph_title(doc, tok))
        if not name:
            name = re.sub(r"^.*?[：:]", "", tok.sentence)[:16]
        candidates = [(t, n) for t, n in free if _unit_key(t) == _unit_key(tok)]
        if not candidates:
            continue
        best = max(candidates, key=lambda c: (_overlap(c[1], name + tok.sentence[-20:]), -abs(c[0].start - tok.start)))
        if _overlap(best[1], name + tok.sentence[-20:]) < 2:
            continue
        free.remove(best)
        used.add(tok.index)
        _add(doc, best[0], tok, name if len(name) >= 3 else best[1], text)
