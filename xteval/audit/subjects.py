"""Whose figure a fact is: the unit's all funds, or a narrower subject its words name.

A 决算说明 states the unit's all-funds 基本支出 and, a section later, the 一般公共预算财政拨款 基本支出; a 三公
section states a 年初预算 that is not the unit's; a 部门整体 report restates a named project's budget. Each
figure's subject is told, in this order, by:

1. the clause just before the figure (its label);
2. the opening of its sentence (the words before the sentence's first figure): “一般公共预算财政拨款支出
   X 万元，其中：基本支出 Y 万元” places Y under 一般公共预算;
3. the headings above it, the nearest first.

In each place the subject word that ends last wins. The words, the fields that take a subject and the
fields that name their own are ``subjects`` in ``fields.yaml``.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Any

from .kinds import pattern, vocabulary

_YEAR = pattern("engine.year_of_report_any")  # a year a heading is about, not one it compares with (比2021年预算减少)
_OPENING_YEAR = pattern("engine.prior_year")  # a year that opens a text (20xx年, 20xx年度)


@functools.cache
def _vocab() -> dict[str, Any]:
    v = vocabulary()["subjects"]
    return {
        "words": [(name, re.compile(w)) for name, words in v["words"].items() for w in words],
        "label_only": frozenset(v.get("label_only") or ()),
        "scoped": tuple(v["scoped"]),
        "own": tuple(v["own"]),
        "modifiers": tuple(v["modifiers"]),
    }


@functools.lru_cache(maxsize=4096)
def takes_subject(field_id: str) -> bool:
    """True for a field a narrower subject may own (基本支出 of 一般公共预算); False for one that names its own."""
    v = _vocab()
    base = field_id
    for suffix in v["modifiers"]:
        base = base.removesuffix(suffix)
    if not base.startswith(v["scoped"]):
        return False
    return not any(base == own or base.startswith(own + ".") for own in v["own"])


@functools.lru_cache(maxsize=8192)  # a sentence's lead and a heading are asked once per figure under them
def _named_in(text: str, label: bool) -> str | None:
    """The subject a text names (the word that ends last; the longest on a tie), or None."""
    best, key = None, None
    for name, pat in _vocab()["words"]:
        if not label and name in _vocab()["label_only"]:
            continue
        for m in pat.finditer(text):
            k = (m.end(), m.end() - m.start())
            if key is None or k > key:
                best, key = name, k
    return best


@functools.lru_cache(maxsize=4096)
def _earlier_year(section: str, year: int | None) -> bool:
    """True when the nearest heading naming a year names a year before the report's (a sentence's years are its
    labels': “较2024年的 X 万元” compares, it does not place)."""
    if year is None or not section:
        return False
    for text in reversed(section.split(" / ")):
        m = _YEAR.search(text)
        if m:
            return int(m[1]) < year
    return False


def opening_year(doc: Any, fact: Any) -> int | None:
    """The year a fact's sentence opens with (“2022年本局“三公”经费预算中，…”), or None."""
    if fact.token is None or fact.token >= len(doc.tokens):
        return None
    m = _OPENING_YEAR.match(sentence_lead(doc.tokens, fact.token))
    return int(m[1]) if m else None


def subject_of(field_id: str, label: str, lead: str, section: str, year: int | None = None) -> str:
    """The subject of a figure of ``field_id``: its clause (``label``), its sentence's opening (``lead``), its headings.

    A figure under a heading about an earlier year than the report's (二、2021年“三公”经费决算情况 in a 2022 budget
    explanation) is ``previous``, whatever its field. A year that opens a sentence does not place its figures: the
    report's year is told by counting (:func:`.engine.report_year`), and a budget explanation that compares with last
    year names last year more often than its own.
    """
    if not field_id.endswith(".previous") and _earlier_year(section, year):
        return "previous"
    if not takes_subject(field_id):
        return ""
    modifier = field_id.endswith(_vocab()["modifiers"])
    found = None if modifier else _named_in(label, label=True)
    if found is None and lead:
        found = _named_in(lead, label=False)
    for title in reversed(section.split(" / ")) if found is None and section else ():
        found = _named_in(title, label=False)
        if found is not None:
            break
    return found or ""


def sentence_lead(tokens: list[Any], index: int) -> str:
    """The words of a token's sentence before the sentence's first figure (with that figure's label)."""
    i = index
    start = tokens[index].sentence_start
    while i > 0 and tokens[i - 1].sentence_start == start:
        i -= 1
    return tokens[i].sentence


def subject_at(doc: Any, field_id: str, pos: int, label: str = "") -> str:
    """The subject of a figure at offset ``pos`` of the report (a template's match), as the engine tells it."""
    tokens = doc.tokens
    if not tokens:
        return ""
    starts = doc.__dict__.get("_token_starts")
    if starts is None or len(starts) != len(tokens):
        starts = doc.__dict__["_token_starts"] = [t.start for t in tokens]
    i = min(bisect.bisect_left(starts, pos), len(tokens) - 1)
    tok = tokens[i]
    return subject_of(field_id, label or tok.label, sentence_lead(tokens, i), tok.section, doc.year)


def heading_mode(section: str, default: str = "actual") -> str:
    """The 三公 mode of a figure that names none: its nearest heading's (预算 → control, 决算 → actual), else ``default``.

    A budget explanation states this year's 预算 (控制数); its 上年决算 section states actual figures.
    """
    tp = vocabulary()["three_public"]
    for title in reversed(section.split(" / ")):
        title = tp["_heading_noise"].sub("", title)
        if tp["_heading_actual"].search(title):
            return "actual"
        if tp["_heading_control"].search(title):
            return "control"
    return default


def document_mode(text: str, first_figure: int) -> str:
    """The 三公 mode a document states before its first figure: its title and opening words.

    A page saved from a budget site has no numbered headings: its title (“…2024年“三公”经费预算说明”) or its
    opening sentence (“…支出预算安排情况如下”) says its figures are budgets. Only the lines above the first figure's
    line are read: that line's own words (“三公经费预算为 44.52 万元，实际支出 22.62 万元”) are its figures', not the
    document's. Anything that names a 决算 or an actual figure, or names neither, leaves the default, actual.
    """
    head = text[: text.rfind("\n", 0, first_figure) + 1]
    return heading_mode(head[:300].replace(" / ", " "))
