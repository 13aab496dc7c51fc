"""``xteval check REPORT --against OTHER``: two documents of one unit-year, figure by figure.

Every field both documents state (each with one value) is compared: a self-evaluation report's
收入, 支出, 三公 figures against the unit's 决算说明, or any two documents of the same unit and
year. A difference is a warn naming both documents and lines: the two documents may define a
label differently (总收入 with or without 年初结转), so it is for the evaluator to settle, not a
fail from a guess. Agreement is one pass record that counts the figures compared.
"""

from __future__ import annotations

from decimal import Decimal

from ..checks import CheckResult, Evidence, Reason, Status, amount, differs, direction, note
from .engine import Document


def _unique(doc: Document) -> dict[tuple[str, str | None], object]:
    out: dict[tuple[str, str | None], object] = {}
    for f in doc.facts:
        if not isinstance(f.value, Decimal) or f.unit in ("claim", "date") or f.field.startswith(("count.", "threshold")):
            continue
        if doc.one(f.field, f.name) is f:
            out[f.key] = f
    return out


def against(doc: Document, other: Document) -> list[CheckResult]:
    """Every figure the two documents both state, compared; a difference names both files and lines."""
    a, b = _unique(doc), _unique(other)
    name_a = doc.report.path.name if doc.report.path else "本报告"
    name_b = other.report.path.name if other.report.path else "对照文件"
    out: list[CheckResult] = []
    same = 0
    for key in sorted(set(a) & set(b), key=lambda k: (k[0], k[1] or "")):
        fa, fb = a[key], b[key]
        if fa.unit != fb.unit:
            continue
        if fa.value == fb.value:
            same += 1
            continue
        diff = fa.value - fb.value
        out.append(
            differs(
                f"against.{fa.path}",
                f"两份文件一致：{fa.path}",
                fa.value,
                fb.value,
                message=f"两份文件不一致: {fa.path} 在 {name_a} 第 {fa.line} 行为 {amount(fa.value)} {fa.unit}，"
                f"在 {name_b} 第 {fb.line} 行为 {amount(fb.value)} {fb.unit}（{name_a}{direction(diff, fa.unit)}）",
                unit=fa.unit,
                evidence=(Evidence(fa.quote, fa.line), Evidence(f"{name_b}：{fb.quote}", fb.line)),
                reason=Reason.document_mismatch,
            )
        )
    tally = (
        f"{name_a} 与 {name_b} 都有的数字中 {same} 项一致、{len(out)} 项不一致"
        if same or out
        else f"{name_a} 与 {name_b} 没有可比的同一字段数字（请确认是同一单位同一年度）"
    )
    out.append(
        note(
            "against.agree",
            "两份文件一致",
            tally,
            status=Status.passed if same else Status.warn,
            unit="项",
            reason=Reason.ok if same else Reason.not_found,
        )
    )
    return out
