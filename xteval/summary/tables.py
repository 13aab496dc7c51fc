"""The year summary's tables and charts: the units' recorded values compared, for the summary notebook.

The figures come from :mod:`xteval.summary.model` (what each executed appendix recorded); this module
only lays them out, so loading a summary params file never imports pandas or matplotlib.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

import pandas as pd

from ..money import fmt, fmt_count, fmt_rate
from ..params import Provenance
from ..render import charts
from ..render.labels import grade_text, in_words, reason_label
from ..render.report import Html, styled
from .model import SUMMARY_RULE, UnitRun, grade_counts, ranked, reason_counts


def _grade(r: UnitRun) -> str:
    return grade_text(r.total, r.grade, r.fail, r.score_illustrative)


def scope_table(items: list[UnitRun], rule: Provenance | None = None):
    """汇总范围: each appendix the summary read, with its status; the caption states where the figures come from."""
    rule = rule or Provenance(derived=SUMMARY_RULE)
    source = {"seed": f"原文“{rule.seed}”", "derived": rule.derived, "illustrative": f"示例数据（{rule.illustrative}）"}[rule.source]
    status = {"ok": "已完成", "failed": "运行失败"}
    rows = [
        {
            "序号": fmt_count(i),
            "单位": r.unit,
            "评价对象": r.title,
            "含示例数据": "是" if r.illustrative else "否",
            "状态": status.get(r.status, r.status or "未知"),
            "不符": fmt_count(r.fail),
            "提示": fmt_count(r.warn),
        }
        for i, r in enumerate(items, start=1)
    ]
    return styled(
        pd.DataFrame(rows, columns=["序号", "单位", "评价对象", "含示例数据", "状态", "不符", "提示"]),
        right=("序号", "不符", "提示"),
        caption=f"本年度附件 {len(items)} 份。数据来源：{source}",
        highlight=[r.status == "failed" for r in items],
    )


def ranking_table(items: list[UnitRun]):
    """得分排名: scored units, highest first; the grade never hides a 不符 item or an illustrative basis."""
    order = ranked(items)
    rows = [
        {
            "排名": fmt_count(i),
            "单位": r.unit,
            "总分": fmt(r.total),
            "等级": _grade(r).split(" ", 1)[-1],
            "不符": fmt_count(r.fail),
            "提示": fmt_count(r.warn),
            "预算执行率": fmt_rate(r.execution_rate) if r.execution_rate is not None else "—",
        }
        for i, r in enumerate(order, start=1)
    ]
    return styled(
        pd.DataFrame(rows, columns=["排名", "单位", "总分", "等级", "不符", "提示", "预算执行率"]),
        right=("排名", "总分", "不符", "提示", "预算执行率"),
        caption="按部门整体自评总分排名（沿用财预〔2020〕10号 自评表计分，本工具惯例）",
        highlight=[r.fail > 0 for r in order],
    )


def grade_table(items: list[UnitRun]):
    """等级分布: how many units have each grade, and how many of those have 不符 items."""
    counts = grade_counts(items)
    scored = [r for r in items if r.scored]
    rows = [
        {
            "等级": g,
            "单位数": fmt_count(n),
            "其中有不符项": fmt_count(sum(1 for r in scored if (r.grade or "不定级") == g and r.fail)),
            "其中示例得分": fmt_count(sum(1 for r in scored if (r.grade or "不定级") == g and r.score_illustrative)),
        }
        for g, n in counts.items()
    ]
    return styled(pd.DataFrame(rows), right=("单位数", "其中有不符项", "其中示例得分"), caption="等级分布")


def grade_chart(items: list[UnitRun], year: int):
    """Units per grade, with the part that has 不符 items shown apart."""
    counts = grade_counts(items)
    scored = [r for r in items if r.scored]
    with_fail = [Decimal(sum(1 for r in scored if (r.grade or "不定级") == g and r.fail)) for g in counts]
    clean = [Decimal(n) - f for n, f in zip(counts.values(), with_fail, strict=True)]
    return charts.stacked_columns(
        list(counts),
        [("无不符项", clean), ("有不符项", with_fail)],
        f"{year} 年各等级单位数（个）",
        unit="个",
        colours=("#548235", "#c00000"),
    )


def execution_chart(items: list[UnitRun], year: int):
    """预算执行率 by unit, against 100%."""
    rows = sorted((r for r in items if r.execution_rate is not None), key=lambda r: r.execution_rate)
    return charts.hbars(
        [r.unit for r in rows], [r.execution_rate for r in rows], f"{year} 年各单位预算执行率", unit="%", reference=Decimal(100)
    )


def three_public_table(items: list[UnitRun]):
    """三公经费 by unit and in total against control; a unit over its control is red."""
    rows, over = [], []
    units = [r for r in items if r.three_public_actual is not None and r.three_public_control is not None]
    for r in units:
        exceeded = r.three_public_actual > r.three_public_control
        rows.append(_tp_row(r.unit + ("（超控制数）" if exceeded else ""), r.three_public_control, r.three_public_actual))
        over.append(exceeded)
    control = sum((r.three_public_control for r in units), Decimal(0))
    actual = sum((r.three_public_actual for r in units), Decimal(0))
    rows.append(_tp_row(f"合计（{len(units)} 个单位）", control, actual))
    over.append(actual > control)
    return styled(
        pd.DataFrame(rows), right=("控制数", "实际支出", "结余（控制数−实际）", "执行比例"), caption="“三公”经费（万元）", highlight=over
    )


def _tp_row(label: str, control: Decimal, actual: Decimal) -> dict[str, str]:
    return {
        "单位": label,
        "控制数": fmt(control),
        "实际支出": fmt(actual),
        "结余（控制数−实际）": fmt(control - actual),
        "执行比例": fmt_rate(actual / control * 100) if control else "—",
    }


def reasons_table(items: list[UnitRun]):
    """Findings counted by reason code across units: which problems recur."""
    rows = [
        {"问题类型": reason_label(code), "不符": fmt_count(f), "提示": fmt_count(w), "涉及单位数": fmt_count(u)}
        for code, f, w, u in reason_counts(items)
    ]
    return styled(
        pd.DataFrame(rows, columns=["问题类型", "不符", "提示", "涉及单位数"]),
        right=("不符", "提示", "涉及单位数"),
        caption="各类问题出现次数（按问题类型）",
    )


def failures_html(items: list[UnitRun]):
    """Each unit's 不符 items: a heading per unit and its findings as a numbered list."""
    parts = []
    for r in items:
        if not r.fail:
            continue
        shown = r.failures
        more = r.fail - len(shown)
        lis = "".join(  # a title or message that names a field id reads in the report's words, as on the unit's page
            f"<li><b>{escape(in_words(x.get('title') or ''))}</b>：{escape(in_words(x.get('message') or ''))}</li>" for x in shown
        )
        if more > 0:
            lis += f"<li>另有 {more} 项，见该单位附件。</li>"
        parts.append(f'<div class="xt-unit-failures"><h4>{escape(r.unit)}（不符 {r.fail} 项）</h4><ol>{lis}</ol></div>')
    if not parts:
        parts.append("<p>本年度各单位附件均无不符项。</p>")
    return Html("".join(parts))


def overview(items: list[UnitRun]):
    """One paragraph: how many appendices, how many scored, how many units with 不符 items, the totals."""
    scored = [r for r in items if r.scored]
    with_fail = [r for r in items if r.fail]
    failed = [r for r in items if r.status == "failed"]
    text = (
        f"本年度汇总附件 {len(items)} 份，其中评分 {len(scored)} 份；"
        f"{len(with_fail)} 个单位的勾稽检查有不符项，合计不符 {sum(r.fail for r in items)} 项、提示 {sum(r.warn for r in items)} 项。"
    )
    if failed:
        text += f"运行失败 {len(failed)} 份（{'、'.join(r.unit or r.name for r in failed)}），其数字未计入。"
    if any(r.score_illustrative for r in scored):
        text += "标“示例”的得分以示例数据计算，仅用于演示方法。"
    return Html(f"<p>{escape(text)}</p>")
