"""The words a page uses for provenance, check results and grades: one place, so every page says the same.

Light imports only (no pandas): the batch index and the year summary use these too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..money import N, NumberError, fmt

SOURCE_LABELS = {"seed": "报告原文", "derived": "推算", "illustrative": "示例"}
STATUS_LABELS = {"fail": "不符", "warn": "提示", "pass": "通过"}
ILLUSTRATIVE_MARK = "示例"


def source_label(source: str | None) -> str:
    """``seed`` → 报告原文, ``derived`` → 推算, ``illustrative`` → 示例 (None: 未披露)."""
    if source is None:
        return "未披露"
    return SOURCE_LABELS.get(source, source)


def _number(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        return N(v) if not isinstance(v, Decimal) else v
    except NumberError:
        return None


def grade_text(total: Any, grade: str | None, fail: Any = 0, illustrative: bool = False) -> str:
    """A score and grade that never hide a failure or an illustrative basis.

    ``97.77 优（另有不符 3 项，待核实）`` when reconciliation found 不符 items;
    ``100.00 优（示例）`` when the score rests on illustrative figures; both when both.
    A total without a grade (无数据 items) reads ``41.00（不定级）``.

    Args:
        total: the total score (Decimal, number or numeric text); None or '' for none.
        grade: the grade (优/良/中/差) or None.
        fail: the number of 不符 items of the same page's reconciliation.
        illustrative: the score was computed from illustrative figures.

    Returns:
        The text, or '' when there is no score at all.
    """
    value = _number(total)
    if value is None and not grade:
        return ""
    head = " ".join(x for x in (fmt(value) if value is not None else "", grade or "不定级") if x)
    notes = []
    if illustrative:
        notes.append(ILLUSTRATIVE_MARK)
    n = _number(fail)
    if n:
        notes.append(f"另有不符 {int(n)} 项，待核实")
    return head + (f"（{'；'.join(notes)}）" if notes else "")
