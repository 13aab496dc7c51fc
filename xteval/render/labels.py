"""The words a page uses for provenance, check results and grades: one place, so every page says the same.

Light imports only (no pandas): the batch index and the year summary use these too.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path
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


# Reason codes (``xteval.checks.Reason``) in the words of a 评价报告, for pages that count findings.
REASON_LABELS = {
    "sum_mismatch": "合计与分项之和不符",
    "over_control": "超过控制数",
    "claim_contradicted": "表述与数字矛盾",
    "header_mismatch": "表头预算金额与收入不符",
    "rate_mismatch": "所称比率与计算值不符",
    "carryover_mismatch": "结转结余不符",
    "score_mismatch": "所称得分与计算值不符",
    "goal_count_mismatch": "目标个数不符",
    "over_achievement": "超额完成（指标值偏低）",
    "under_achievement": "未完成指标值",
    "large_adjustment": "预算调整幅度大",
    "invalid_date": "日期不存在或顺序错误",
    "period_reversed": "期间起止颠倒",
    "period_sum_mismatch": "全期金额与分期之和不符",
    "period_gap_overlap": "期间间断或重叠",
    "cross_year_payment": "跨年度支付",
    "percent_mismatch": "百分比与数字不符",
    "count_mismatch": "所称个数与清单不符",
    "rate_difference": "各期单价不一致",
    "sla_breach": "服务水平未达标",
    "invalid_value": "数据取值无效",
    "not_found": "报告未载明",
    "source_mismatch": "原文与参数文件不一致",
    "change_mismatch": "增减额或增减率与两年数字不符",
    "ambiguous": "同一数字前后表述不一",
    "extracted": "识别出的数字",
    "document_mismatch": "两份文件数字不一致",
    "partly_read": "文本过长，仅读取前段",
    "unread": "表格行未能读取",
}


def reason_label(code: str) -> str:
    """A reason code in Chinese; a code this version does not know reads 其他问题."""
    return REASON_LABELS.get(code, "其他问题")


# --------------------------------------------------------------------------- field and check ids in words

FIELD_LABELS = Path(__file__).with_name("field_labels.yaml")
# A dotted (or bracketed) id of the readers and checks inside a text: income.total, project.item[公厕管护], goals[3].achievement;
# a name runs to 80 characters (a 科目 path of 类, 款 and 项 is often 50).
_ID = re.compile(r"(?<![A-Za-z0-9_./\\-])([a-z][a-z0-9_]*)((?:\.[a-z][a-z0-9_]*|\[[^\]\s]{1,80}\])+)(?![A-Za-z0-9_/\\-]|\.[A-Za-z])")
_PART = re.compile(r"\.([a-z][a-z0-9_]*)|\[([^\]]*)\]")


@functools.cache
def _vocabulary() -> dict[str, dict[str, str]]:
    from ..yamlio import load_yaml

    return load_yaml(FIELD_LABELS)


def field_name(field: str) -> str:
    """A field or check id in the words of a report: ``income.total`` → 总收入, ``three_public.control.reception`` →
    “三公”经费控制数·公务接待费, ``project.item[公厕管护]`` → 项目明细·公厕管护, ``income.total.previous`` → 总收入·上年数.

    The longest listed prefix (``field_labels.yaml``), then each further part by ``segments`` or ``suffixes``;
    a bracketed name is kept (a goal's number reads 第 n 项). A part no list names is kept as written.
    """
    vocab = _vocabulary()
    fields, segments, suffixes = vocab["fields"], vocab["segments"], vocab["suffixes"]
    parts: list[str] = []
    m = re.match(r"([^.\[]+)(.*)", field)
    head, rest = (m[1], m[2]) if m else (field, "")
    tail = [(name, bracket) for name, bracket in _PART.findall(rest)]
    key, used = head, 0
    for i, (name, _) in enumerate(tail):  # the longest listed prefix of names (brackets end it)
        if not name or f"{key}.{name}" not in fields:
            break
        key, used = f"{key}.{name}", i + 1
    parts.append(fields.get(key, segments.get(key, key)))
    for name, bracket in tail[used:]:
        if name:
            parts.append(segments.get(name) or suffixes.get(name) or fields.get(name) or name)
        else:
            parts.append(f"第 {int(bracket) + 1} 项" if bracket.isdigit() else bracket)
    return "·".join(parts)


def in_words(text: str) -> str:
    """A title or message with every field and check id in it replaced by :func:`field_name` (quotes are the report's own)."""
    fields = _vocabulary()["fields"]

    def name(m: re.Match) -> str:
        return field_name(m[0]) if m[1] in fields else m[0]

    return _ID.sub(name, text) if text else text
